using System.Collections.Generic;
using System.Linq;
using Dsl.Generator.Shapes;
using Dsl.Generator.Shapes.Symbolic;

namespace Dsl.Generator.Layers;

/// <summary>Adaptive average pooling to a fixed output size, for any input size; no parameters, no multiply-accumulates.</summary>
public abstract class AdaptiveAvgPoolLayer : LayerDefinition
{
    /// <summary>The argument names of the output size, one per spatial axis.</summary>
    protected abstract string[] SizeArguments { get; }

    private Layout InputLayout => SizeArguments.Length == 2 ? Layout.Image : Layout.Signal;

    public override string NamePrefix => "adaptivepool";

    public override Layout? PreferredInputLayout => InputLayout;

    public override IEnumerable<Diagnostics.DiagnosticInfo> Validate(LayerArguments args, string name) =>
        SizeArguments.SelectMany(a => LayerRules.AtLeast(args, name, Kind, a, 1, "an output size"));

    public override LayerResult Infer(LayerContext c)
    {
        var error = LayerRules.RequireLayout(c, Kind, "", InputLayout);
        if (error is not null)
        {
            return error;
        }

        var output = c.Input;
        for (var i = 0; i < SizeArguments.Length; i++)
        {
            output = output.WithDim(i + 1, Dim.Of(c.Arguments.Int(SizeArguments[i])));
        }

        var channels = c.Input.Channels.IsConstant ? c.Input.Channels.Value : 0;
        return LayerResult.Ok(output, 0, null, channels, channels);
    }

    public override TorchSharpField? TorchSharpModule(LayerInstance l) => null;

    public override string? PyTorchModule(LayerInstance l) => null;

    /// <summary>
    /// GlobalAveragePool for a 1-wide output; AveragePool with kernel = stride = in/out where every input size is fixed
    /// and divisible (then PyTorch's windows are exactly those); no ONNX form otherwise.
    /// </summary>
    public override string Onnx(LayerInstance l, OnnxBuilder g, string x)
    {
        var sizes = SizeArguments.Select(l.Arguments.Int).ToArray();
        if (sizes.All(s => s == 1))
        {
            return g.Node("GlobalAveragePool", l.Field, new[] { x });
        }

        var kernel = new long[sizes.Length];
        for (var i = 0; i < sizes.Length; i++)
        {
            var input = l.Input[i + 1];
            if (!input.IsConstant || input.Value % sizes[i] != 0)
            {
                throw new OnnxNotExportableException(
                    $"layer '{g.Display(l.Field)}' ({Kind}) maps size {input} to {sizes[i]}, which has no ONNX form: ONNX has adaptive pooling only where the input size is a fixed multiple of the output size");
            }

            kernel[i] = input.Value / sizes[i];
        }

        return g.Node("AveragePool", l.Field, new[] { x }, OnnxAttr.Ints("kernel_shape", kernel), OnnxAttr.Ints("strides", kernel));
    }
}

/// <summary><c>[AdaptiveAvgPool2d(h, w)]</c>.</summary>
public sealed class AdaptiveAvgPool2dLayer : AdaptiveAvgPoolLayer
{
    public override string Kind => "AdaptiveAvgPool2d";

    protected override string[] SizeArguments => new[] { "Height", "Width" };

    public override string TorchSharpForward(LayerInstance l, string x) =>
        $"{Functional}.adaptive_avg_pool2d({x}, new long[] {{ {l.Arguments.Int("Height")}, {l.Arguments.Int("Width")} }})";

    public override string PyTorchForward(LayerInstance l, string x) =>
        $"F.adaptive_avg_pool2d({x}, ({l.Arguments.Int("Height")}, {l.Arguments.Int("Width")}))";
}

/// <summary><c>[AdaptiveAvgPool1d(l)]</c>.</summary>
public sealed class AdaptiveAvgPool1dLayer : AdaptiveAvgPoolLayer
{
    public override string Kind => "AdaptiveAvgPool1d";

    protected override string[] SizeArguments => new[] { "Length" };

    public override string TorchSharpForward(LayerInstance l, string x) => $"{Functional}.adaptive_avg_pool1d({x}, {l.Arguments.Int("Length")})";

    public override string PyTorchForward(LayerInstance l, string x) => $"F.adaptive_avg_pool1d({x}, {l.Arguments.Int("Length")})";
}
