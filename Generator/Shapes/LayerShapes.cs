using System.Collections.Generic;
using Dsl.Generator.Diagnostics;
using Dsl.Generator.Parsing;

namespace Dsl.Generator.Shapes;

/// <summary>What one layer does to a shape: its output, parameter count and resolved channel counts, or the error.</summary>
public sealed class LayerShape
{
    private LayerShape(Shape? output, long parameters, int inChannels, int outChannels, DiagnosticInfo? error)
    {
        Output = output;
        Parameters = parameters;
        InChannels = inChannels;
        OutChannels = outChannels;
        Error = error;
    }

    public Shape? Output { get; }

    public long Parameters { get; }

    /// <summary>Input channels or features (the inferred argument users never write).</summary>
    public int InChannels { get; }

    /// <summary>Output channels or features, with relative counts resolved.</summary>
    public int OutChannels { get; }

    public DiagnosticInfo? Error { get; }

    public static LayerShape Ok(Shape output, long parameters = 0, int inChannels = 0, int outChannels = 0) =>
        new(output, parameters, inChannels, outChannels, null);

    public static LayerShape Fail(DiagnosticInfo error) => new(null, 0, 0, 0, error);
}

/// <summary>
/// The shape algebra: one pure function per layer kind, (input shape, arguments) → output shape, or a diagnostic.
/// Formulas are PyTorch's: out = ⌊(in + 2·pad − dil·(k−1) − 1) / stride⌋ + 1 for convolutions and pools,
/// (in − 1)·stride − 2·pad + dil·(k−1) + out_pad + 1 for transposed convolutions.
/// </summary>
public static class LayerShapes
{
    private const string Image = "an image [N, C, H, W]";
    private const string VectorOrSequence = "a vector [N, F] or a sequence [N, T, D]";

    public static string DisplayName(LayerKind kind) => kind.ToString();

    public static int ConvolvedSize(int size, int kernel, int stride, int padding, int dilation) =>
        FloorDiv(size + (2 * padding) - (dilation * (kernel - 1)) - 1, stride) + 1;

    public static int TransposedSize(int size, int kernel, int stride, int padding, int outputPadding, int dilation) =>
        ((size - 1) * stride) - (2 * padding) + (dilation * (kernel - 1)) + outputPadding + 1;

    /// <summary>A channel count as written (positive) or relative to the input (−k means k × input).</summary>
    public static int ResolveChannels(int written, int input) => written < 0 ? -written * input : written;

    public static LayerShape Infer(LayerDeclaration layer, string name, Shape input)
    {
        var args = new LayerArguments(layer);
        switch (layer.Kind)
        {
            case LayerKind.Conv2d:
                return Conv2d(layer, name, input, args);
            case LayerKind.ConvTranspose2d:
                return ConvTranspose2d(layer, name, input, args);
            case LayerKind.MaxPool2d:
            case LayerKind.AvgPool2d:
                return Pool(layer, name, input, args);
            case LayerKind.Linear:
            {
                if (input.Rank is not (1 or 2))
                {
                    return RankError(layer, name, input, VectorOrSequence, input.Rank == 3 ? "; add Flatten or GlobalAvgPool before it" : "");
                }

                var inFeatures = input.Channels;
                var outFeatures = ResolveChannels(args.Int("OutFeatures"), inFeatures);
                var parameters = ((long)inFeatures * outFeatures) + (args.Bool("Bias") ? outFeatures : 0);
                return LayerShape.Ok(input.WithDim(input.Rank - 1, outFeatures), parameters, inFeatures, outFeatures);
            }

            case LayerKind.BatchNorm2d:
                return input.Rank == 3
                    ? LayerShape.Ok(input, 2L * input.Channels, input.Channels, input.Channels)
                    : RankError(layer, name, input, Image, "");
            case LayerKind.LayerNorm:
                return input.Rank is 1 or 2
                    ? LayerShape.Ok(input, 2L * input.Channels, input.Channels, input.Channels)
                    : RankError(layer, name, input, VectorOrSequence, "");
            case LayerKind.ReLU:
            case LayerKind.GELU:
            case LayerKind.Sigmoid:
            case LayerKind.Tanh:
            case LayerKind.Dropout:
                return LayerShape.Ok(input);
            case LayerKind.GlobalAvgPool:
                return input.Rank == 3
                    ? LayerShape.Ok(new Shape(input[0]), 0, input[0], input[0])
                    : RankError(layer, name, input, Image, "");
            case LayerKind.Flatten:
                return LayerShape.Ok(new Shape((int)input.Elements));
            case LayerKind.Upsample:
            {
                if (input.Rank != 3)
                {
                    return RankError(layer, name, input, Image, "");
                }

                var scale = args.Int("Scale");
                return LayerShape.Ok(new Shape(input[0], input[1] * scale, input[2] * scale));
            }

            case LayerKind.Embedding:
            {
                if (input.Rank != 1)
                {
                    return RankError(layer, name, input, "token ids [N, T]", "; Embedding must be the first layer of a model whose input shape is [Model(T)]");
                }

                var dim = args.Int("Dim");
                return LayerShape.Ok(new Shape(input[0], dim), (long)args.Int("VocabularySize") * dim, 0, dim);
            }

            case LayerKind.MultiHeadAttention:
            {
                if (input.Rank != 2)
                {
                    return RankError(layer, name, input, "a sequence [N, T, D]", "");
                }

                var width = input[1];
                var heads = args.Int("Heads");
                if (width % heads != 0)
                {
                    return LayerShape.Fail(DiagnosticInfo.Create(DiagnosticDescriptors.HeadsDoNotDivide, args.Location("Heads"),
                        name, heads.ToString(), width.ToString(), input.ToString()));
                }

                // in_proj (3D×D weight, 3D bias) and out_proj (D×D weight, D bias), as torch.nn.MultiheadAttention.
                return LayerShape.Ok(input, (4L * width * width) + (4L * width), width, width);
            }

            default:
                return LayerShape.Ok(input);
        }
    }

    private static LayerShape Conv2d(LayerDeclaration layer, string name, Shape input, LayerArguments args)
    {
        if (input.Rank != 3)
        {
            return RankError(layer, name, input, Image, input.Rank == 1 ? "; convolutions must come before Flatten and GlobalAvgPool" : "");
        }

        var inChannels = input[0];
        var outChannels = ResolveChannels(args.Int("OutChannels"), inChannels);
        var groups = args.Int("Groups");
        if (inChannels % groups != 0 || outChannels % groups != 0)
        {
            return LayerShape.Fail(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidArgument, args.Location("Groups"), name, "Conv2d",
                $"Groups = {groups} must divide both the input channels ({inChannels}) and the output channels ({outChannels})"));
        }

        int k = args.Int("KernelSize"), s = args.Int("Stride"), p = args.Int("Padding"), d = args.Int("Dilation");
        var output = new Shape(outChannels, ConvolvedSize(input[1], k, s, p, d), ConvolvedSize(input[2], k, s, p, d));
        if (output[1] <= 0 || output[2] <= 0)
        {
            return SpatialError(layer, name, input, output, $"The {input[1]}×{input[2]} input is smaller than the {k}×{k} kernel (dilation {d}) with padding {p}; add padding or use a smaller kernel.");
        }

        var parameters = ((long)outChannels * (inChannels / groups) * k * k) + (args.Bool("Bias") ? outChannels : 0);
        return LayerShape.Ok(output, parameters, inChannels, outChannels);
    }

    private static LayerShape ConvTranspose2d(LayerDeclaration layer, string name, Shape input, LayerArguments args)
    {
        if (input.Rank != 3)
        {
            return RankError(layer, name, input, Image, "");
        }

        var inChannels = input[0];
        var outChannels = ResolveChannels(args.Int("OutChannels"), inChannels);
        int k = args.Int("KernelSize"), s = args.Int("Stride"), p = args.Int("Padding"), op = args.Int("OutputPadding"), d = args.Int("Dilation");
        var output = new Shape(outChannels, TransposedSize(input[1], k, s, p, op, d), TransposedSize(input[2], k, s, p, op, d));
        if (output[1] <= 0 || output[2] <= 0)
        {
            return SpatialError(layer, name, input, output, $"Padding {p} removes more than the transposed convolution adds; use less padding.");
        }

        var parameters = ((long)inChannels * outChannels * k * k) + (args.Bool("Bias") ? outChannels : 0);
        return LayerShape.Ok(output, parameters, inChannels, outChannels);
    }

    private static LayerShape Pool(LayerDeclaration layer, string name, Shape input, LayerArguments args)
    {
        if (input.Rank != 3)
        {
            return RankError(layer, name, input, Image, "");
        }

        int k = args.Int("KernelSize"), s = args.PoolStride, p = args.Int("Padding");
        var output = new Shape(input[0], ConvolvedSize(input[1], k, s, p, 1), ConvolvedSize(input[2], k, s, p, 1));
        if (output[1] <= 0 || output[2] <= 0)
        {
            return SpatialError(layer, name, input, output, $"The {input[1]}×{input[2]} input is smaller than the {k}×{k} window; remove a pooling layer or use a smaller window.");
        }

        return LayerShape.Ok(output, 0, input[0], input[0]);
    }

    private static LayerShape RankError(LayerDeclaration layer, string name, Shape input, string expected, string hint) =>
        LayerShape.Fail(DiagnosticInfo.Create(DiagnosticDescriptors.RankMismatch, layer.Location,
            name, DisplayName(layer.Kind), expected, input.ToString(), hint));

    private static LayerShape SpatialError(LayerDeclaration layer, string name, Shape input, Shape output, string hint) =>
        LayerShape.Fail(DiagnosticInfo.Create(DiagnosticDescriptors.SpatialSizeNotPositive, layer.Location,
            name, DisplayName(layer.Kind), input.ToString(), output.ToString(), hint));

    private static int FloorDiv(int a, int b) => a >= 0 ? a / b : -((-a + b - 1) / b);
}

/// <summary>Checks of layer arguments that need no shape (zero channels, zero stride, …), reported on the argument.</summary>
public static class LayerArgumentRules
{
    public static IEnumerable<DiagnosticInfo> Validate(LayerDeclaration layer, string name)
    {
        var args = new LayerArguments(layer);
        var kind = LayerShapes.DisplayName(layer.Kind);
        DiagnosticInfo Invalid(string argument, string message) =>
            DiagnosticInfo.Create(DiagnosticDescriptors.InvalidArgument, args.Location(argument), name, kind, message);

        IEnumerable<DiagnosticInfo> AtLeast(string argument, int minimum, string what)
        {
            if (args.Real(argument) < minimum)
            {
                yield return Invalid(argument, $"{argument} = {args.Real(argument)} is invalid: {what} must be at least {minimum}");
            }
        }

        IEnumerable<DiagnosticInfo> Channels(string argument)
        {
            if (args.Int(argument) == 0)
            {
                yield return Invalid(argument, $"{argument} = 0 is invalid: give a positive count, or Channels.Same / Channels.Double for a count relative to the input");
            }
        }

        IEnumerable<DiagnosticInfo> Probability(string argument)
        {
            var p = args.Real(argument);
            if (p < 0 || p > 1 || double.IsNaN(p))
            {
                yield return Invalid(argument, $"{argument} = {p} is invalid: a dropout probability must be between 0 and 1");
            }
        }

        var checks = new List<IEnumerable<DiagnosticInfo>>();
        switch (layer.Kind)
        {
            case LayerKind.Conv2d:
            case LayerKind.ConvTranspose2d:
                checks.Add(Channels("OutChannels"));
                checks.Add(AtLeast("KernelSize", 1, "the kernel size"));
                checks.Add(AtLeast("Stride", 1, "the stride"));
                checks.Add(AtLeast("Padding", 0, "the padding"));
                checks.Add(AtLeast("Dilation", 1, "the dilation"));
                if (layer.Kind == LayerKind.Conv2d)
                {
                    checks.Add(AtLeast("Groups", 1, "the number of groups"));
                }
                else
                {
                    checks.Add(AtLeast("OutputPadding", 0, "the output padding"));
                    var op = args.Int("OutputPadding");
                    if (op > 0 && op >= args.Int("Stride") && op >= args.Int("Dilation"))
                    {
                        checks.Add(new[] { Invalid("OutputPadding", $"OutputPadding = {op} must be smaller than the stride or the dilation") });
                    }
                }

                break;
            case LayerKind.Linear:
                checks.Add(Channels("OutFeatures"));
                break;
            case LayerKind.MaxPool2d:
            case LayerKind.AvgPool2d:
                checks.Add(AtLeast("KernelSize", 1, "the kernel size"));
                if (args.IsGiven("Stride"))
                {
                    checks.Add(AtLeast("Stride", 1, "the stride"));
                }

                checks.Add(AtLeast("Padding", 0, "the padding"));
                if (args.Int("Padding") > args.Int("KernelSize") / 2)
                {
                    checks.Add(new[] { Invalid("Padding", $"Padding = {args.Int("Padding")} must be at most half the kernel size ({args.Int("KernelSize")})") });
                }

                break;
            case LayerKind.Dropout:
                checks.Add(Probability("P"));
                break;
            case LayerKind.Upsample:
                checks.Add(AtLeast("Scale", 1, "the scale factor"));
                break;
            case LayerKind.Embedding:
                checks.Add(AtLeast("VocabularySize", 1, "the vocabulary size"));
                checks.Add(AtLeast("Dim", 1, "the embedding width"));
                break;
            case LayerKind.MultiHeadAttention:
                checks.Add(AtLeast("Heads", 1, "the number of heads"));
                checks.Add(Probability("Dropout"));
                break;
            case LayerKind.Use:
                checks.Add(AtLeast("Repeat", 1, "the repeat count"));
                break;
        }

        foreach (var check in checks)
        {
            foreach (var diagnostic in check)
            {
                yield return diagnostic;
            }
        }
    }
}
