using System.Collections.Generic;
using System.Linq;
using Dsl.Generator.Diagnostics;
using Dsl.Generator.Shapes;
using Dsl.Generator.Shapes.Symbolic;
using static Dsl.Generator.Layers.LayerRules;

namespace Dsl.Generator.Layers;

/// <summary>
/// What Conv1d and Conv2d share (they differ only in how many spatial axes they slide over): out channels from the
/// arguments, in channels inferred; params out·(in/groups)·kⁿ (+ out); MACs kⁿ·(in/groups)·out per output position.
/// </summary>
public abstract class ConvolutionLayer : LayerDefinition
{
    /// <summary>1 (signals) or 2 (images).</summary>
    protected abstract int SpatialAxes { get; }

    private Layout InputLayout => SpatialAxes == 2 ? Layout.Image : Layout.Signal;

    public override string NamePrefix => "conv";

    public override bool AbsorbsFollowingNorm => true;

    public override Layout? PreferredInputLayout => InputLayout;

    public override IEnumerable<DiagnosticInfo> Validate(LayerArguments args, string name) =>
        Channels(args, name, Kind, "OutChannels")
            .Concat(AtLeast(args, name, Kind, "KernelSize", 1, "the kernel size"))
            .Concat(AtLeast(args, name, Kind, "Stride", 1, "the stride"))
            .Concat(AtLeast(args, name, Kind, "Padding", 0, "the padding"))
            .Concat(AtLeast(args, name, Kind, "Dilation", 1, "the dilation"))
            .Concat(AtLeast(args, name, Kind, "Groups", 1, "the number of groups"));

    public override LayerResult Infer(LayerContext c)
    {
        var a = c.Arguments;
        long inChannels = 0, outChannels = 0;
        var error = RequireLayout(c, Kind, c.Input.Rank == 1 ? "; convolutions must come before Flatten and GlobalAvgPool" : "", InputLayout)
            ?? InputWidth(c, Kind, out inChannels)
            ?? ResolveChannels(c, Kind, "OutChannels", inChannels, out outChannels);
        if (error is not null)
        {
            return error;
        }

        var groups = a.Int("Groups");
        if (inChannels % groups != 0 || outChannels % groups != 0)
        {
            return LayerResult.Fail(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidArgument, a.Location("Groups"), c.Name, Kind,
                $"Groups = {groups} must divide both the input channels ({inChannels}) and the output channels ({outChannels})"));
        }

        int k = a.Int("KernelSize"), s = a.Int("Stride"), p = a.Int("Padding"), d = a.Int("Dilation");
        var output = c.Input.WithDim(0, Dim.Of(outChannels));
        for (var axis = 1; axis <= SpatialAxes; axis++)
        {
            output = output.WithDim(axis, LayerShapes.Convolved(c.Input[axis], k, s, p, d));
        }

        var kernel = string.Join("×", Enumerable.Repeat(k.ToString(), SpatialAxes));
        var size = string.Join("×", c.Input.Dims.Skip(1));
        error = RequirePositive(c, Kind, output,
            $"The {size} input is smaller than the {kernel} kernel (dilation {d}) with padding {p}; add padding or use a smaller kernel.",
            Enumerable.Range(1, SpatialAxes).ToArray());
        if (error is not null)
        {
            return error;
        }

        var kernelElements = checked((long)System.Math.Pow(k, SpatialAxes));
        var weights = checked(outChannels * (inChannels / groups) * kernelElements);
        return LayerResult.Ok(output, weights + (a.Bool("Bias") ? outChannels : 0), output.Positions * weights, inChannels, outChannels);
    }

    public override TorchSharpField? TorchSharpModule(LayerInstance l)
    {
        var a = l.Arguments;
        var r = l.Result;
        return new TorchSharpField($"global::TorchSharp.Modules.{Kind}",
            $"{Nn}.{Kind}({r.InChannels}, {r.OutChannels}, {a.Int("KernelSize")}{Named("stride", a.Int("Stride"), 1)}{Named("padding", a.Int("Padding"), 0)}{Named("dilation", a.Int("Dilation"), 1)}{Named("groups", a.Int("Groups"), 1)}{NamedBool("bias", a.Bool("Bias"))})");
    }

    public override string TorchSharpForward(LayerInstance l, string x) => $"this.{l.Field}.call({x})";

    public override string? PyTorchModule(LayerInstance l)
    {
        var a = l.Arguments;
        var r = l.Result;
        return $"nn.{Kind}({r.InChannels}, {r.OutChannels}, {a.Int("KernelSize")}{PyTorchText.Named("stride", a.Int("Stride"), 1)}{PyTorchText.Named("padding", a.Int("Padding"), 0)}{PyTorchText.Named("dilation", a.Int("Dilation"), 1)}{PyTorchText.Named("groups", a.Int("Groups"), 1)}{PyTorchText.NamedBool("bias", a.Bool("Bias"))})";
    }

    public override string PyTorchForward(LayerInstance l, string x) => $"self.{l.Field}({x})";

    public override string Onnx(LayerInstance l, OnnxBuilder g, string x)
    {
        var a = l.Arguments;
        var inputs = g.ConvolutionInputs(x, l.Field, a.Bool("Bias"));
        return g.Node("Conv", l.Field, inputs,
            OnnxAttr.Ints("kernel_shape", OnnxBuilder.Repeat(a.Int("KernelSize"), SpatialAxes)),
            OnnxAttr.Ints("strides", OnnxBuilder.Repeat(a.Int("Stride"), SpatialAxes)),
            OnnxAttr.Ints("pads", OnnxBuilder.Repeat(a.Int("Padding"), 2 * SpatialAxes)),
            OnnxAttr.Ints("dilations", OnnxBuilder.Repeat(a.Int("Dilation"), SpatialAxes)),
            OnnxAttr.Int("group", a.Int("Groups")));
    }
}

/// <summary><c>[Conv2d(out, kernel)]</c> over an image <c>[N, C, H, W]</c>.</summary>
public sealed class Conv2dLayer : ConvolutionLayer
{
    public override string Kind => "Conv2d";

    protected override int SpatialAxes => 2;
}

/// <summary><c>[Conv1d(out, kernel)]</c> over a signal <c>[N, C, L]</c>.</summary>
public sealed class Conv1dLayer : ConvolutionLayer
{
    public override string Kind => "Conv1d";

    protected override int SpatialAxes => 1;
}
