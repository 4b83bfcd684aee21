using System.Linq;
using Dsl.Generator.Shapes;
using Dsl.Generator.Shapes.Symbolic;

namespace Dsl.Generator.Layers;

/// <summary>
/// <c>[GlobalAvgPool]</c>: the mean over positions, by layout: image <c>[N, C, H, W] → [N, C]</c>, signal
/// <c>[N, C, L] → [N, C]</c>, sequence <c>[N, T, D] → [N, D]</c>; with <c>KeepDims</c> the pooled axes stay with size 1
/// and the layout is kept (<c>[N, C, 1, 1]</c>: a squeeze-and-excitation gate). No parameters, no multiply-accumulates.
/// </summary>
public sealed class GlobalAvgPoolLayer : LayerDefinition
{
    public override string Kind => "GlobalAvgPool";

    public override string NamePrefix => "globalpool";

    public override LayerResult Infer(LayerContext c)
    {
        var error = LayerRules.RequireLayout(c, Kind, "", Layout.Image, Layout.Signal, Layout.Sequence);
        if (error is not null)
        {
            return error;
        }

        var width = c.Input.Channels;
        var channels = width.IsConstant ? width.Value : 0;
        var output = !new LayerArguments(c.Declaration).Bool("KeepDims")
            ? new Shape(Layout.Vector, width)
            : new Shape(c.Input.Layout, c.Input.Dims.Select((d, axis) => axis == c.Input.ChannelAxis ? d : Dim.Of(1)).ToArray());
        return LayerResult.Ok(output, 0, null, channels, channels);
    }

    public override TorchSharpField? TorchSharpModule(LayerInstance l) => null;

    public override string TorchSharpForward(LayerInstance l, string x)
    {
        var keep = new LayerArguments(l.Declaration).Bool("KeepDims") ? ", keepdim: true" : "";
        return l.Input.Layout switch
        {
            Layout.Image => $"{x}.mean(new long[] {{ 2, 3 }}{keep})",
            Layout.Signal => $"{x}.mean(new long[] {{ 2 }}{keep})",
            Layout.Sequence => $"{x}.mean(new long[] {{ 1 }}{keep})",
            _ => throw new System.InvalidOperationException($"GlobalAvgPool has no form for {l.Input.Describe()}"),
        };
    }

    public override string? PyTorchModule(LayerInstance l) => null;

    public override string PyTorchForward(LayerInstance l, string x)
    {
        var keep = new LayerArguments(l.Declaration).Bool("KeepDims") ? ", keepdim=True" : "";
        return l.Input.Layout switch
        {
            Layout.Image => $"{x}.mean(dim=(2, 3){keep})",
            Layout.Signal => $"{x}.mean(dim=(2,){keep})",
            Layout.Sequence => $"{x}.mean(dim=(1,){keep})",
            _ => throw new System.InvalidOperationException($"GlobalAvgPool has no form for {l.Input.Describe()}"),
        };
    }

    public override string Onnx(LayerInstance l, OnnxBuilder g, string x)
    {
        var axes = l.Input.Layout switch
        {
            Layout.Image => new long[] { 2, 3 },
            Layout.Signal => new long[] { 2 },
            _ => new long[] { 1 },
        };
        var keep = new LayerArguments(l.Declaration).Bool("KeepDims") ? 1 : 0;
        return g.Node("ReduceMean", l.Field, new[] { x }, OnnxAttr.Ints("axes", axes), OnnxAttr.Int("keepdims", keep));
    }
}
