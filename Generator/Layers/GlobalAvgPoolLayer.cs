using Dsl.Generator.Shapes;

namespace Dsl.Generator.Layers;

/// <summary>
/// <c>[GlobalAvgPool]</c>: the mean over positions, by layout: image <c>[N, C, H, W] → [N, C]</c>, signal
/// <c>[N, C, L] → [N, C]</c>, sequence <c>[N, T, D] → [N, D]</c>. No parameters, no multiply-accumulates.
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
        return LayerResult.Ok(new Shape(Layout.Vector, width), 0, null, channels, channels);
    }

    public override TorchSharpField? TorchSharpModule(LayerInstance l) => null;

    public override string TorchSharpForward(LayerInstance l, string x) => l.Input.Layout switch
    {
        Layout.Image => $"{x}.mean(new long[] {{ 2, 3 }})",
        Layout.Signal => $"{x}.mean(new long[] {{ 2 }})",
        Layout.Sequence => $"{x}.mean(new long[] {{ 1 }})",
        _ => throw new System.InvalidOperationException($"GlobalAvgPool has no form for {l.Input.Describe()}"),
    };
}
