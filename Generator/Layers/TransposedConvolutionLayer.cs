using System.Collections.Generic;
using System.Linq;
using Dsl.Generator.Shapes;
using Dsl.Generator.Shapes.Symbolic;
using static Dsl.Generator.Layers.LayerRules;

namespace Dsl.Generator.Layers;

/// <summary>
/// What ConvTranspose1d and ConvTranspose2d share: size (in − 1)·s − 2p + d(k−1) + op + 1 per spatial axis;
/// params in·out·kⁿ (+ out); MACs in·out·kⁿ per input position (each input value meets the whole kernel).
/// </summary>
public abstract class TransposedConvolutionLayer : LayerDefinition
{
    protected abstract int SpatialAxes { get; }

    private Layout InputLayout => SpatialAxes == 2 ? Layout.Image : Layout.Signal;

    public override string NamePrefix => "deconv";

    public override Layout? PreferredInputLayout => InputLayout;

    public override IEnumerable<Diagnostics.DiagnosticInfo> Validate(LayerArguments args, string name)
    {
        var checks = Channels(args, name, Kind, "OutChannels")
            .Concat(AtLeast(args, name, Kind, "KernelSize", 1, "the kernel size"))
            .Concat(AtLeast(args, name, Kind, "Stride", 1, "the stride"))
            .Concat(AtLeast(args, name, Kind, "Padding", 0, "the padding"))
            .Concat(AtLeast(args, name, Kind, "Dilation", 1, "the dilation"))
            .Concat(AtLeast(args, name, Kind, "OutputPadding", 0, "the output padding"));
        var op = args.Int("OutputPadding");
        if (op > 0 && op >= args.Int("Stride") && op >= args.Int("Dilation"))
        {
            checks = checks.Concat(new[] { Invalid(args, name, Kind, "OutputPadding", $"OutputPadding = {op} must be smaller than the stride or the dilation") });
        }

        return checks;
    }

    public override LayerResult Infer(LayerContext c)
    {
        var a = c.Arguments;
        long inChannels = 0, outChannels = 0;
        var error = RequireLayout(c, Kind, "", InputLayout)
            ?? InputWidth(c, Kind, out inChannels)
            ?? ResolveChannels(c, Kind, "OutChannels", inChannels, out outChannels);
        if (error is not null)
        {
            return error;
        }

        int k = a.Int("KernelSize"), s = a.Int("Stride"), p = a.Int("Padding"), op = a.Int("OutputPadding"), d = a.Int("Dilation");
        var output = c.Input.WithDim(0, Dim.Of(outChannels));
        for (var axis = 1; axis <= SpatialAxes; axis++)
        {
            output = output.WithDim(axis, LayerShapes.Transposed(c.Input[axis], k, s, p, op, d));
        }

        error = RequirePositive(c, Kind, output, $"Padding {p} removes more than the transposed convolution adds; use less padding.",
            Enumerable.Range(1, SpatialAxes).ToArray());
        if (error is not null)
        {
            return error;
        }

        var weights = checked(inChannels * outChannels * (long)System.Math.Pow(k, SpatialAxes));
        return LayerResult.Ok(output, weights + (a.Bool("Bias") ? outChannels : 0), c.Input.Positions * weights, inChannels, outChannels);
    }

    public override TorchSharpField? TorchSharpModule(LayerInstance l)
    {
        var a = l.Arguments;
        var r = l.Result;
        return new TorchSharpField($"global::TorchSharp.Modules.{Kind}",
            $"{Nn}.{Kind}({r.InChannels}, {r.OutChannels}, {a.Int("KernelSize")}{Named("stride", a.Int("Stride"), 1)}{Named("padding", a.Int("Padding"), 0)}{Named("output_padding", a.Int("OutputPadding"), 0)}{Named("dilation", a.Int("Dilation"), 1)}{NamedBool("bias", a.Bool("Bias"))})");
    }

    public override string TorchSharpForward(LayerInstance l, string x) => $"this.{l.Field}.call({x})";

    public override string? PyTorchModule(LayerInstance l)
    {
        var a = l.Arguments;
        var r = l.Result;
        return $"nn.{Kind}({r.InChannels}, {r.OutChannels}, {a.Int("KernelSize")}{PyTorchText.Named("stride", a.Int("Stride"), 1)}{PyTorchText.Named("padding", a.Int("Padding"), 0)}{PyTorchText.Named("output_padding", a.Int("OutputPadding"), 0)}{PyTorchText.Named("dilation", a.Int("Dilation"), 1)}{PyTorchText.NamedBool("bias", a.Bool("Bias"))})";
    }

    public override string PyTorchForward(LayerInstance l, string x) => $"self.{l.Field}({x})";

    public override string Onnx(LayerInstance l, OnnxBuilder g, string x)
    {
        var a = l.Arguments;
        var inputs = g.ConvolutionInputs(x, l.Field, a.Bool("Bias"));
        // The weight is [in, out, k…] in both PyTorch and ONNX.
        return g.Node("ConvTranspose", l.Field, inputs,
            OnnxAttr.Ints("kernel_shape", OnnxBuilder.Repeat(a.Int("KernelSize"), SpatialAxes)),
            OnnxAttr.Ints("strides", OnnxBuilder.Repeat(a.Int("Stride"), SpatialAxes)),
            OnnxAttr.Ints("pads", OnnxBuilder.Repeat(a.Int("Padding"), 2 * SpatialAxes)),
            OnnxAttr.Ints("output_padding", OnnxBuilder.Repeat(a.Int("OutputPadding"), SpatialAxes)),
            OnnxAttr.Ints("dilations", OnnxBuilder.Repeat(a.Int("Dilation"), SpatialAxes)));
    }
}

/// <summary><c>[ConvTranspose2d(out, kernel)]</c> over an image.</summary>
public sealed class ConvTranspose2dLayer : TransposedConvolutionLayer
{
    public override string Kind => "ConvTranspose2d";

    protected override int SpatialAxes => 2;
}

/// <summary><c>[ConvTranspose1d(out, kernel)]</c> over a signal.</summary>
public sealed class ConvTranspose1dLayer : TransposedConvolutionLayer
{
    public override string Kind => "ConvTranspose1d";

    protected override int SpatialAxes => 1;
}
