using System.Collections.Generic;
using System.Linq;
using Dsl.Generator.Shapes;
using static Dsl.Generator.Layers.LayerRules;

namespace Dsl.Generator.Layers;

/// <summary>
/// Max and average pooling over 1 or 2 spatial axes: size ⌊(in + 2p − k)/s⌋ + 1, stride defaulting to the kernel;
/// no parameters, no multiply-accumulates.
/// </summary>
public abstract class PoolLayer : LayerDefinition
{
    protected abstract int SpatialAxes { get; }

    /// <summary>The functional's name (<c>max_pool2d</c>).</summary>
    protected abstract string Function { get; }

    private Layout InputLayout => SpatialAxes == 2 ? Layout.Image : Layout.Signal;

    public override Layout? PreferredInputLayout => InputLayout;

    private static int Stride(LayerArguments a) => a.IsGiven("Stride") ? a.Int("Stride") : a.Int("KernelSize");

    public override IEnumerable<Diagnostics.DiagnosticInfo> Validate(LayerArguments args, string name)
    {
        var checks = AtLeast(args, name, Kind, "KernelSize", 1, "the kernel size")
            .Concat(args.IsGiven("Stride") ? AtLeast(args, name, Kind, "Stride", 1, "the stride") : Enumerable.Empty<Diagnostics.DiagnosticInfo>())
            .Concat(AtLeast(args, name, Kind, "Padding", 0, "the padding"));
        if (args.Int("Padding") > args.Int("KernelSize") / 2)
        {
            checks = checks.Concat(new[] { Invalid(args, name, Kind, "Padding", $"Padding = {args.Int("Padding")} must be at most half the kernel size ({args.Int("KernelSize")})") });
        }

        return checks;
    }

    public override LayerResult Infer(LayerContext c)
    {
        var error = RequireLayout(c, Kind, "", InputLayout);
        if (error is not null)
        {
            return error;
        }

        var a = c.Arguments;
        int k = a.Int("KernelSize"), s = Stride(a), p = a.Int("Padding");
        var output = c.Input;
        for (var axis = 1; axis <= SpatialAxes; axis++)
        {
            output = output.WithDim(axis, LayerShapes.Convolved(c.Input[axis], k, s, p, 1));
        }

        var window = string.Join("×", Enumerable.Repeat(k.ToString(), SpatialAxes));
        var size = string.Join("×", c.Input.Dims.Skip(1));
        error = RequirePositive(c, Kind, output, $"The {size} input is smaller than the {window} window; remove a pooling layer or use a smaller window.",
            Enumerable.Range(1, SpatialAxes).ToArray());
        if (error is not null)
        {
            return error;
        }

        var channels = c.Input.Channels.IsConstant ? c.Input.Channels.Value : 0;
        return LayerResult.Ok(output, 0, null, channels, channels);
    }

    public override TorchSharpField? TorchSharpModule(LayerInstance l) => null;

    public override string TorchSharpForward(LayerInstance l, string x)
    {
        var a = l.Arguments;
        return $"{Functional}.{Function}({x}, {a.Int("KernelSize")}{Named("stride", Stride(a), a.Int("KernelSize"))}{Named("padding", a.Int("Padding"), 0)})";
    }

    public override string? PyTorchModule(LayerInstance l) => null;

    /// <summary>The stride always written: PyTorch's default (the kernel) is the DSL's too, but saying it keeps the two forms obviously equal.</summary>
    public override string PyTorchForward(LayerInstance l, string x)
    {
        var a = l.Arguments;
        return $"F.{Function}({x}, {a.Int("KernelSize")}, stride={Stride(a)}{PyTorchText.Named("padding", a.Int("Padding"), 0)})";
    }

    /// <summary>MaxPool, or AveragePool counting the padding (PyTorch's count_include_pad default).</summary>
    public override string Onnx(LayerInstance l, OnnxBuilder g, string x)
    {
        var a = l.Arguments;
        var attributes = new List<OnnxAttr>
        {
            OnnxAttr.Ints("kernel_shape", OnnxBuilder.Repeat(a.Int("KernelSize"), SpatialAxes)),
            OnnxAttr.Ints("strides", OnnxBuilder.Repeat(Stride(a), SpatialAxes)),
            OnnxAttr.Ints("pads", OnnxBuilder.Repeat(a.Int("Padding"), 2 * SpatialAxes)),
        };
        var max = Function.StartsWith("max", System.StringComparison.Ordinal);
        if (!max)
        {
            attributes.Add(OnnxAttr.Int("count_include_pad", 1));
        }

        return g.Node(max ? "MaxPool" : "AveragePool", l.Field, new[] { x }, attributes.ToArray());
    }
}

/// <summary><c>[MaxPool2d(kernel)]</c>.</summary>
public sealed class MaxPool2dLayer : PoolLayer
{
    public override string Kind => "MaxPool2d";

    public override string NamePrefix => "maxpool";

    protected override int SpatialAxes => 2;

    protected override string Function => "max_pool2d";
}

/// <summary><c>[AvgPool2d(kernel)]</c>.</summary>
public sealed class AvgPool2dLayer : PoolLayer
{
    public override string Kind => "AvgPool2d";

    public override string NamePrefix => "avgpool";

    protected override int SpatialAxes => 2;

    protected override string Function => "avg_pool2d";
}

/// <summary><c>[MaxPool1d(kernel)]</c>.</summary>
public sealed class MaxPool1dLayer : PoolLayer
{
    public override string Kind => "MaxPool1d";

    public override string NamePrefix => "maxpool";

    protected override int SpatialAxes => 1;

    protected override string Function => "max_pool1d";
}

/// <summary><c>[AvgPool1d(kernel)]</c>.</summary>
public sealed class AvgPool1dLayer : PoolLayer
{
    public override string Kind => "AvgPool1d";

    public override string NamePrefix => "avgpool";

    protected override int SpatialAxes => 1;

    protected override string Function => "avg_pool1d";
}
