using System.Collections.Generic;
using System.Linq;
using Dsl.Generator.Layers;
using Dsl.Generator.Parsing;
using Dsl.Generator.Shapes;
using Dsl.Generator.Shapes.Symbolic;

namespace Dsl.Generator.Graph;

/// <summary>
/// A learned projection on a skip (ResNet option B): a bias-free 1×1 convolution + batch norm for images and signals,
/// a bias-free linear map for vectors and sequences.
/// </summary>
public sealed class PlannedProjection
{
    public PlannedProjection(string fieldName, Shape input, Shape output, long inChannels, long outChannels, int stride)
    {
        FieldName = fieldName;
        Input = input;
        Output = output;
        InChannels = inChannels;
        OutChannels = outChannels;
        Stride = stride;
    }

    public string FieldName { get; }

    public Shape Input { get; }

    public Shape Output { get; }

    /// <summary>Whether it is a convolution (images and signals) rather than a linear map.</summary>
    public bool IsConvolution => Input.Layout is Layout.Image or Layout.Signal;

    public long InChannels { get; }

    public long OutChannels { get; }

    public int Stride { get; }

    /// <summary>Conv weight (no bias) plus batch-norm weight and bias; or the linear weight (no bias).</summary>
    public long Parameters => (InChannels * OutChannels) + (IsConvolution ? 2L * OutChannels : 0);

    /// <summary>in·out per output position, plus one per element for the batch norm.</summary>
    public Dim Macs => (Output.Positions * (InChannels * OutChannels)) + (IsConvolution ? Output.Elements : Dim.Of(0));
}

/// <summary>How one spatial axis of a skip's two sides is lined up (Align = Crop or Pad): both sides end at <see cref="Size"/>.</summary>
public sealed record AlignedAxis(int Axis, Dim Size, bool ChangesFrom, bool ChangesTo);

/// <summary>One skip merged into a layer's output, in source order.</summary>
public sealed class PlannedMerge
{
    public PlannedMerge(string from, MergeMode mode, Shape fromShape, Shape result, PlannedProjection? projection)
    {
        From = from;
        Mode = mode;
        FromShape = fromShape;
        Result = result;
        Projection = projection;
    }

    /// <summary>The layer merged in, or <c>input</c>.</summary>
    public string From { get; }

    public MergeMode Mode { get; }

    public Shape FromShape { get; }

    /// <summary>The shape after this merge.</summary>
    public Shape Result { get; }

    public PlannedProjection? Projection { get; }

    /// <summary>The [Skip] itself: Scale, ScaleInit, DropPath, Align.</summary>
    public SkipDeclaration? Declaration { get; init; }

    /// <summary>The output of <c>to</c> as it arrives at the merge (before any alignment).</summary>
    public Shape? ToShape { get; init; }

    /// <summary>For Highway: the channels (features) its gate maps; for a per-channel scale: its length.</summary>
    public long Channels { get; init; }

    /// <summary>For Align: the spatial axes whose sizes differ, and the size both sides are cropped or padded to.</summary>
    public IReadOnlyList<AlignedAxis> Aligned { get; init; } = System.Array.Empty<AlignedAxis>();

    /// <summary>Whether the stochastic-depth rate is the block's, given by the [Use] (a constructor argument), not the skip's own.</summary>
    public bool DropPathFromUse { get; init; }

    public MergeScale Scale => Declaration?.Scale ?? MergeScale.None;

    public double DropPath => Declaration?.DropPath ?? 0;

    public bool HasDropPath => DropPathFromUse || DropPath > 0;

    /// <summary>Whether it is an Add with a learned scale or stochastic depth, which the generated ResidualAdd computes.</summary>
    public bool UsesResidualAdd => Mode == MergeMode.Add && (Scale != MergeScale.None || HasDropPath);

    /// <summary>A side's shape after <see cref="Aligned"/> (the shape itself without Align).</summary>
    public static Shape AlignedShape(Shape side, IReadOnlyList<AlignedAxis> aligned) =>
        aligned.Aggregate(side, (s, a) => s.WithDim(a.Axis, a.Size));

    /// <summary>A side's shape after this merge's alignment.</summary>
    public Shape AlignedShape(Shape side) => AlignedShape(side, Aligned);

    /// <summary>Whether Align pads the smaller side (otherwise it crops the larger).</summary>
    public bool AlignPads => Declaration?.Align == MergeAlign.Pad;

    /// <summary>
    /// The size a side is cropped or padded to on each axis but the channel axis, in order. A named size stands for the
    /// smaller (crop) or larger (pad) of the two tensors' sizes, which the generator has shown is the same side for
    /// every allowed value; each emitter writes that in its own language.
    /// </summary>
    public IEnumerable<(int Axis, Dim Size)> AlignTargets(Shape side)
    {
        for (var axis = 0; axis < side.Rank; axis++)
        {
            if (axis != side.ChannelAxis)
            {
                yield return (axis, Aligned.FirstOrDefault(a => a.Axis == axis)?.Size ?? side[axis]);
            }
        }
    }

    /// <summary>The Highway gate's field: a 1×1 convolution (images, signals) or a linear map, with bias.</summary>
    public static string GateField(string from, string to) => $"{from}_to_{to}_gate";

    /// <summary>The learned scale's field (a Parameter: one value for Scalar, one per channel for PerChannel).</summary>
    public static string ScaleField(string from, string to) => $"{from}_to_{to}_scale";

    /// <summary>Learned values of the merge itself: projection, Highway gate (C·C + C), scale (1 or C).</summary>
    public long Parameters =>
        (Projection?.Parameters ?? 0)
        + (Mode == MergeMode.Highway ? (Channels * Channels) + Channels : 0)
        + Scale switch { MergeScale.Scalar => 1, MergeScale.PerChannel => Channels, _ => 0 };

    /// <summary>
    /// Multiply-accumulates per example: the projection's; a Multiply's one product per element; a Highway's gate
    /// (C·C per position) plus one per element for <c>from + T·(to − from)</c>; a scale's one per element. Adds,
    /// concatenations, crops and pads count none, and DropPath is inactive in evaluation.
    /// </summary>
    public Dim Macs =>
        (Projection?.Macs ?? Dim.Of(0))
        + (Mode == MergeMode.Multiply ? Result.Elements : Dim.Of(0))
        + (Mode == MergeMode.Highway ? (Result.Positions * (Channels * Channels)) + Result.Elements : Dim.Of(0))
        + (Scale != MergeScale.None ? Result.Elements : Dim.Of(0));

}

/// <summary>A layer with everything inferred: shapes, counts, merges, and for blocks their specialised classes.</summary>
public sealed class PlannedLayer
{
    public PlannedLayer(string name, LayerDeclaration declaration, LayerDefinition? definition, Shape input, Shape output, LayerResult? result,
        IReadOnlyList<BlockSpecialisation> blocks, IReadOnlyList<PlannedMerge> merges)
    {
        Name = name;
        Declaration = declaration;
        Definition = definition;
        Input = input;
        Output = output;
        Result = result;
        Blocks = blocks;
        Merges = merges;
    }

    public string Name { get; }

    public LayerDeclaration Declaration { get; }

    /// <summary>The layer kind's definition (null for a block use).</summary>
    public LayerDefinition? Definition { get; }

    /// <summary>The kind as users read it: the definition's kind, or the block's name.</summary>
    public string KindName => Definition?.Kind ?? (Blocks.Count > 0 ? Blocks[0].BlockName : LayerCatalog.UseKind);

    public bool IsBlockUse => Definition is null;

    public Shape Input { get; }

    /// <summary>The layer's own output, before skips are merged.</summary>
    public Shape Output { get; }

    /// <summary>The layer's value as everything downstream sees it: after the skips that end at it are merged.</summary>
    public Shape Final => Merges.Count == 0 ? Output : Merges[Merges.Count - 1].Result;

    /// <summary>What the definition inferred (null for block uses).</summary>
    public LayerResult? Result { get; }

    /// <summary>For a block use: one specialised class per repetition.</summary>
    public IReadOnlyList<BlockSpecialisation> Blocks { get; }

    public IReadOnlyList<PlannedMerge> Merges { get; }

    /// <summary>For a block use with [Use(DropPath = …)]: each copy's stochastic-depth rate (null otherwise).</summary>
    public IReadOnlyList<double>? DropPathRates { get; init; }

    public long OwnParameters => (Result?.Parameters ?? 0) + Blocks.Sum(b => b.Body.Parameters);

    // The counts are asked for by every emitter and every summary row above this layer: computed once (a plan is immutable).
    private long? _parameters;
    private Dim? _macs;

    public long Parameters => _parameters ??= OwnParameters + Merges.Sum(m => m.Parameters);

    /// <summary>Layers whose parameters are known only at run time ([Module&lt;T&gt;]), here and in its blocks.</summary>
    public int UnknownParameterLayers => _unknownParameterLayers ??= (Result is { ParametersKnown: false } ? 1 : 0) + Blocks.Sum(b => b.Body.UnknownParameterLayers);

    private int? _unknownParameterLayers;

    public Dim Macs => _macs ??= Merges.Aggregate(OwnMacs, (a, m) => a + m.Macs);

    /// <summary>The layer's own multiply-accumulates (all repetitions of a block use), without its skips.</summary>
    public Dim OwnMacs => _ownMacs ??= Result?.Macs ?? Blocks.Aggregate(Dim.Of(0), (a, b) => a + b.Body.Macs);

    private Dim? _ownMacs;

    /// <summary>The layer as its emitters see it (ordinary layers only).</summary>
    public LayerInstance Instance(string field, bool nullable) => new(field, Declaration, Input, Result!, nullable);
}

/// <summary>The checked, shape-annotated layers of a model or of one block specialisation.</summary>
public sealed class PlannedBody
{
    public PlannedBody(Shape input, IReadOnlyList<PlannedLayer> layers)
    {
        Input = input;
        Layers = layers;
    }

    public Shape Input { get; }

    public IReadOnlyList<PlannedLayer> Layers { get; }

    public Shape Output => Layers.Count == 0 ? Input : Layers[Layers.Count - 1].Final;

    private long? _parameters;
    private Dim? _macs;

    public long Parameters => _parameters ??= Layers.Sum(l => l.Parameters);

    private int? _unknownParameterLayers;

    public int UnknownParameterLayers => _unknownParameterLayers ??= Layers.Sum(l => l.UnknownParameterLayers);

    public Dim Macs => _macs ??= Layers.Aggregate(Dim.Of(0), (a, l) => a + l.Macs);
}

/// <summary>A block specialised for one input shape: emitted as a nested module class of the model.</summary>
public sealed class BlockSpecialisation
{
    public BlockSpecialisation(string className, string blockName, PlannedBody body, bool takesDropPath = false)
    {
        ClassName = className;
        BlockName = blockName;
        Body = body;
        TakesDropPath = takesDropPath;
    }

    /// <summary>Whether its constructor takes the stochastic-depth rate of its Add skips (from [Use(DropPath = …)]).</summary>
    public bool TakesDropPath { get; }

    public string ClassName { get; }

    public string BlockName { get; }

    public PlannedBody Body { get; }
}
