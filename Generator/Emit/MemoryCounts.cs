using System.Linq;
using System.Runtime.CompilerServices;
using Dsl.Generator.Graph;
using Dsl.Generator.Shapes.Symbolic;

namespace Dsl.Generator.Emit;

/// <summary>
/// The memory convention of the summary (float32, per example, in training): parameter bytes are 4 per learned
/// parameter; activation bytes are 4 per element of every tensor a layer, a skip projection and a merge produces
/// for one example (what autograd keeps for the backward pass). See docs/language.md, "Memory".
/// </summary>
public static class MemoryCounts
{
    /// <summary>Bytes per element (float32).</summary>
    public const long BytesPerElement = 4;

    /// <summary>
    /// Each body's count once: both summaries ask for it, and a block's body is counted again for every repetition
    /// and every model that uses it (the symbolic sums were a tenth of the emit for ResNet-56).
    /// </summary>
    private static readonly ConditionalWeakTable<PlannedBody, Dim> Counted = new();

    /// <summary>Elements of every tensor the body's layers, projections and merges produce, for one example.</summary>
    public static Dim ActivationElements(PlannedBody body) =>
        Counted.GetValue(body, b => b.Layers.Aggregate(Dim.Of(0), (a, l) => a + ActivationElements(l)));

    /// <summary>
    /// A layer's output (a block use: every tensor of its repetitions), plus per skip merged into it the tensors the
    /// merge makes (see the merge's own count).
    /// </summary>
    public static Dim ActivationElements(PlannedLayer layer)
    {
        var own = layer.IsBlockUse ? layer.Blocks.Aggregate(Dim.Of(0), (a, b) => a + ActivationElements(b.Body)) : layer.Output.Elements;
        return layer.Merges.Aggregate(own, (a, m) => a + ActivationElements(m));
    }

    /// <summary>
    /// A merge's result, plus what it computes on the way: the projection's outputs, each cropped or padded side,
    /// a Highway gate's logits, a scaled branch.
    /// </summary>
    private static Dim ActivationElements(PlannedMerge m)
    {
        return m.Result.Elements
            + (m.Projection is { } p ? p.Output.Elements * (p.IsConvolution ? 2 : 1) : Dim.Of(0))
            + (m.Aligned.Any(a => a.ChangesFrom) ? m.AlignedShape(m.FromShape).Elements : Dim.Of(0))
            + (m.Aligned.Any(a => a.ChangesTo) ? m.AlignedShape(m.ToShape!).Elements : Dim.Of(0))
            + (m.Mode == Parsing.MergeMode.Highway ? m.Result.Elements : Dim.Of(0))
            + (m.Scale != Parsing.MergeScale.None ? m.Result.Elements : Dim.Of(0));
    }
}
