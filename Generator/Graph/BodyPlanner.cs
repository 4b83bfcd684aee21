using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Dsl.Generator.Common;
using Dsl.Generator.Diagnostics;
using Dsl.Generator.Layers;
using Dsl.Generator.Parsing;
using Dsl.Generator.Shapes;
using Dsl.Generator.Shapes.Symbolic;

namespace Dsl.Generator.Graph;

/// <summary>
/// Infers every shape of a body, layer by layer (each by its <see cref="LayerDefinition"/>), merging skips after the
/// layer they end at, and specialises each block for the shape it receives. Shapes may hold named dimensions: every
/// rule (equal shapes for a merge, sizes ≥ 1) is decided for every value the model's [Dim] constraints allow.
/// Errors inside a block are reported at the [Use] (in the model's source) that makes them fail, with the inner
/// layer's qualified name (<c>stage2.conv1</c>).
/// </summary>
public sealed class BodyPlanner
{
    /// <summary>The most blocks nested in one another on one path (a [Use] in a block used by a model is 2); more is a DSL028.</summary>
    public const int MaxBlockDepth = 32;

    private readonly IReadOnlyDictionary<string, BlockDefinition> _blocks;
    private readonly Dictionary<string, BlockSpecialisation> _specialisations = new();
    private readonly Dictionary<string, BodyStructure> _structures = new();
    private readonly HashSet<string> _classNames = new();
    private readonly List<DiagnosticInfo> _diagnostics;
    private readonly DimDomain _domain;
    private readonly IReadOnlyCollection<string> _dimensionNames;
    private readonly BodyStructure.Reserved _reserved;
    private readonly CancellationToken _ct;

    public BodyPlanner(IReadOnlyDictionary<string, BlockDefinition> blocks, DimDomain domain, IReadOnlyCollection<string> dimensionNames,
        BodyStructure.Reserved reserved, List<DiagnosticInfo> diagnostics, CancellationToken ct)
    {
        _dimensionNames = dimensionNames;
        _blocks = blocks;
        _domain = domain;
        _reserved = reserved;
        _diagnostics = diagnostics;
        _ct = ct;
    }

    /// <summary>
    /// Whether planning stopped at a block whose structural errors its own [Block] reports (so the model says nothing
    /// more); every other failure adds a diagnostic.
    /// </summary>
    public bool StoppedAtBlockErrors { get; private set; }

    /// <summary>
    /// Names the nested block classes must not take: the model's own members (its layers' fields, generated and
    /// inherited members, the user's members, the class's own name). A class named like a field is a CS0102.
    /// </summary>
    public void ReserveClassNames(IEnumerable<string> names) => _classNames.UnionWith(names);

    /// <summary>Every block specialisation made so far, in the order they were first needed.</summary>
    public List<BlockSpecialisation> Specialisations { get; } = new();

    /// <summary>Plans a body; null when it has an error (already reported, or silent when reported elsewhere).</summary>
    public PlannedBody? Plan(BodyDeclaration body, BodyStructure structure, Shape input, string qualifier, LocationInfo? useLocation, int depth = 0,
        bool dropPathFromUse = false)
    {
        _ct.ThrowIfCancellationRequested();
        var layers = new List<PlannedLayer>();
        var current = input;
        for (var i = 0; i < body.Layers.Count; i++)
        {
            var declaration = body.Layers[i];
            var name = structure.Names[i];
            var qualified = qualifier + name;
            PlannedLayer? layer;
            if (declaration.IsBlockUse)
            {
                layer = PlanUse(declaration, name, qualified, current, useLocation ?? declaration.Location, depth);
            }
            else
            {
                var definition = LayerRegistry.ForKind(declaration.Kind);
                LayerResult result;
                try
                {
                    result = definition.Infer(new LayerContext(qualified, declaration, current, _domain, input.Channels, _dimensionNames));
                }
                catch (OverflowException)
                {
                    result = LayerResult.Fail(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidArgument, declaration.Location, qualified,
                        definition.Kind, $"on input {current} its output would have a dimension or parameter count beyond what the generator can represent (9,223,372,036,854,775,807)"));
                }

                if (result.Error is not null)
                {
                    Report(result.Error, useLocation);
                    return null;
                }

                layer = new PlannedLayer(name, declaration, definition, current, result.Output!, result, Array.Empty<BlockSpecialisation>(), Array.Empty<PlannedMerge>());
            }

            if (layer is null)
            {
                return null;
            }

            var merges = PlanMerges(i, layer, layers, input, structure, qualifier, useLocation, dropPathFromUse);
            if (merges is null)
            {
                return null;
            }

            layer = new PlannedLayer(layer.Name, layer.Declaration, layer.Definition, layer.Input, layer.Output, layer.Result, layer.Blocks, merges)
            {
                DropPathRates = layer.DropPathRates,
            };
            layers.Add(layer);
            current = layer.Final;
        }

        return new PlannedBody(input, layers);
    }

    private PlannedLayer? PlanUse(LayerDeclaration declaration, string name, string qualified, Shape input, LocationInfo? useLocation, int depth)
    {
        if (declaration.BlockTypeName is null || !_blocks.TryGetValue(declaration.BlockTypeName, out var block))
        {
            return null;
        }

        if (depth >= MaxBlockDepth)
        {
            Report(DiagnosticInfo.Create(DiagnosticDescriptors.BlocksNestedTooDeeply, declaration.Location,
                (depth + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), block.Name, qualified, MaxBlockDepth.ToString(System.Globalization.CultureInfo.InvariantCulture)), useLocation);
            return null;
        }

        var args = new LayerArguments(declaration);
        var repeat = args.Int("Repeat");
        var rates = DropPathRates(args, repeat);
        var specialisations = new List<BlockSpecialisation>();
        var current = input;
        for (var r = 0; r < repeat; r++)
        {
            var key = block.FullName + "@" + current.Describe() + (rates is null ? "" : "@droppath");
            if (!_specialisations.TryGetValue(key, out var specialisation))
            {
                // Structural errors of a block are reported on the block itself (its own pipeline): stay silent here.
                var structure = StructureOf(block);
                if (structure.Diagnostics.Count > 0)
                {
                    StoppedAtBlockErrors = true;
                    return null;
                }

                var inner = repeat > 1 ? $"{qualified}.{r}." : qualified + ".";
                var body = Plan(block.Body, structure, current, inner, useLocation, depth + 1, dropPathFromUse: rates is not null);
                if (body is null)
                {
                    return null;
                }

                specialisation = new BlockSpecialisation(UniqueClassName(block.Name + "_" + current.ToIdentifierPart(), structure.Taken), block.Name, body, takesDropPath: rates is not null);
                _specialisations[key] = specialisation;
                Specialisations.Add(specialisation);
            }

            specialisations.Add(specialisation);
            current = specialisation.Body.Output;
        }

        return new PlannedLayer(name, declaration, null, input, current, null, specialisations, Array.Empty<PlannedMerge>()) { DropPathRates = rates };
    }

    /// <summary>[Use(DropPath = a, DropPathEnd = b)]: copy r of n gets a + (b − a)·r/(n − 1) (Huang et al.'s linear rule); null without DropPath.</summary>
    private static IReadOnlyList<double>? DropPathRates(LayerArguments args, int repeat)
    {
        if (!args.IsGiven("DropPath"))
        {
            return null;
        }

        var first = args.Real("DropPath");
        var last = args.IsGiven("DropPathEnd") ? args.Real("DropPathEnd") : first;
        return Enumerable.Range(0, repeat).Select(r => repeat == 1 ? first : first + ((last - first) * r / (repeat - 1))).ToArray();
    }

    /// <summary>A block's structure is the same at every shape it is used at: check it once per model.</summary>
    private BodyStructure StructureOf(BlockDefinition block)
    {
        if (!_structures.TryGetValue(block.FullName, out var structure))
        {
            // As the block's own pipeline checks it (ModelPipeline.CheckBlock): the model's members are not the block class's.
            structure = BodyStructure.Check(block.Body, block.Name, "Block", _blocks, new BodyStructure.Reserved(_reserved.Inherited, Array.Empty<UserMember>()));
            _structures[block.FullName] = structure;
        }

        return structure;
    }

    private List<PlannedMerge>? PlanMerges(int index, PlannedLayer layer, List<PlannedLayer> previous, Shape input,
        BodyStructure structure, string qualifier, LocationInfo? useLocation, bool dropPathFromUse)
    {
        var merges = new List<PlannedMerge>();
        var current = layer.Output;
        foreach (var skip in structure.Skips.Where(s => s.To == index))
        {
            // Only in the model's own body (a block's layers are not in the file the error is reported in), and the layer's
            // own output only before its first merge.
            var sides = qualifier.Length == 0 && useLocation is null
                ? new MergeSides(previous, merges.Count == 0 ? layer : null)
                : null;
            var merge = PlanMerge(skip.Declaration, skip.From < 0 ? input : previous[skip.From].Final, current, qualifier, useLocation, dropPathFromUse, sides);
            if (merge is null)
            {
                return null;
            }

            merges.Add(merge);
            current = merge.Result;
        }

        return merges;
    }

    /// <summary>One skip: its shapes checked for its mode (after any alignment), and what it adds (projection, gate, scale).</summary>
    private PlannedMerge? PlanMerge(SkipDeclaration declaration, Shape fromShape, Shape toShape, string qualifier, LocationInfo? useLocation, bool dropPathFromUse,
        MergeSides? sides)
    {
        var fromName = qualifier + declaration.From;
        var toName = qualifier + declaration.To;
        void Misfit(string problem) =>
            Report(DiagnosticInfo.Create(DiagnosticDescriptors.SkipShapesDoNotFit, declaration.Location, fromName, toName,
                declaration.Mode.ToString(), fromShape.ToString(), toShape.ToString(), problem), useLocation);

        var aligned = (IReadOnlyList<AlignedAxis>)Array.Empty<AlignedAxis>();
        var from = fromShape;
        var current = toShape;
        if (declaration.Align != MergeAlign.None)
        {
            var problem = Align(declaration.Align, fromShape, toShape, out aligned);
            if (problem is not null)
            {
                Misfit(problem);
                return null;
            }

            from = PlannedMerge.AlignedShape(fromShape, aligned);
            current = PlannedMerge.AlignedShape(toShape, aligned);
        }

        PlannedProjection? projection = null;
        Shape result;
        long channels = 0;
        switch (declaration.Mode)
        {
            case MergeMode.Concat:
            {
                var problem = ConcatProblem(from, current);
                if (problem is not null)
                {
                    var alignHint = AlignHint(declaration, from, current, sentence: false);
                    var padding = OutputPaddingFix(declaration, sides, from, current);
                    var paddingHint = padding is null ? "" : $"; or set {padding.Hint}";
                    var diagnostic = DiagnosticInfo.Create(DiagnosticDescriptors.ConcatShapeMismatch, declaration.Location,
                        fromName, toName, current.ToString(), from.ToString(), problem + paddingHint + alignHint);
                    Report(WithFixes(diagnostic, alignHint, FirstDimFix(from, current, skipChannels: true), projection: false).WithOutputPaddingFix(padding), useLocation);
                    return null;
                }

                result = current.WithDim(current.ChannelAxis, current.Channels + from.Channels);
                break;
            }

            case MergeMode.Multiply:
            {
                var broadcast = Broadcast(from, current, out var problem);
                if (broadcast is null)
                {
                    Misfit(problem!);
                    return null;
                }

                result = broadcast;
                break;
            }

            case MergeMode.Highway:
            {
                var problem = AddProblem(from, current, hints: false);
                if (problem is not null)
                {
                    Misfit("a Highway mixes two values of one shape (T·to + (1 − T)·from), and these differ. " + problem);
                    return null;
                }

                if (!current.Channels.IsConstant)
                {
                    Misfit("its gate needs a fixed channel count");
                    return null;
                }

                channels = current.Channels.Value;
                result = current;
                break;
            }

            default:
            {
                var problem = AddProblem(from, current, hints: true);
                if (problem is not null)
                {
                    if (!declaration.Projection)
                    {
                        var alignHint = AlignHint(declaration, from, current, sentence: true);
                        var dimFix = FirstDimFix(from, current, skipChannels: false);
                        var padding = OutputPaddingFix(declaration, sides, from, current);
                        var paddingHint = padding is null ? "" : $" Or set {padding.Hint}.";
                        var diagnostic = DiagnosticInfo.Create(DiagnosticDescriptors.AddShapeMismatch, declaration.Location,
                            fromName, toName, from.ToString(), current.ToString(), problem + paddingHint + alignHint);
                        Report(WithFixes(diagnostic, alignHint, dimFix, projection: dimFix is null).WithOutputPaddingFix(padding), useLocation);
                        return null;
                    }

                    projection = PlanProjection(declaration, from, current, fromName, toName, useLocation);
                    if (projection is null)
                    {
                        return null;
                    }
                }

                if (declaration.Scale == MergeScale.PerChannel)
                {
                    if (!current.Channels.IsConstant)
                    {
                        Misfit("a per-channel scale needs a fixed channel count");
                        return null;
                    }

                    channels = current.Channels.Value;
                }

                result = current;
                break;
            }
        }

        return new PlannedMerge(declaration.From, declaration.Mode, fromShape, result, projection)
        {
            Declaration = declaration,
            ToShape = toShape,
            Channels = channels,
            Aligned = aligned,
            DropPathFromUse = dropPathFromUse && declaration.Mode == MergeMode.Add,
        };
    }

    /// <summary>
    /// Align = Crop or Pad: for each spatial axis (images and signals) whose sizes differ, the size both sides take:
    /// the smaller (Crop) or the larger (Pad). Which side is larger must be the same for every allowed value.
    /// </summary>
    private string? Align(MergeAlign align, Shape from, Shape to, out IReadOnlyList<AlignedAxis> aligned)
    {
        var axes = new List<AlignedAxis>();
        aligned = axes;
        if (from.Layout != to.Layout || from.Rank != to.Rank || from.Layout is not (Layout.Image or Layout.Signal))
        {
            return from.Layout is Layout.Image or Layout.Signal && to.Layout == from.Layout
                ? "their ranks differ"
                : $"Align = SkipAlign.{align} lines up the spatial sizes of images or signals, but this skip joins {Shape.Expected(from.Layout)} and {Shape.Expected(to.Layout)}";
        }

        for (var axis = 0; axis < from.Rank; axis++)
        {
            if (axis == from.ChannelAxis || !Differ(from[axis], to[axis], out _))
            {
                continue;
            }

            // Each refutation is an allowed size for which that side is the smaller one.
            var fromSmaller = DimDecisions.AtLeast(from[axis] + (to[axis] * -1), 0, _domain);
            var toSmaller = DimDecisions.AtLeast(to[axis] + (from[axis] * -1), 0, _domain);
            var fromLarger = fromSmaller is null;
            if (fromSmaller is not null && toSmaller is not null)
            {
                return $"on axis {axis + 1} neither side is always the larger ({from[axis]} against {to[axis]}: 'to' is larger for {fromSmaller.ExampleText}, 'from' for {toSmaller.ExampleText}), so the generator cannot tell which side to {(align == MergeAlign.Crop ? "crop" : "pad")}";
            }

            var larger = fromLarger ? from[axis] : to[axis];
            var smaller = fromLarger ? to[axis] : from[axis];
            var size = align == MergeAlign.Crop ? smaller : larger;
            axes.Add(new AlignedAxis(axis, size, ChangesFrom: align == MergeAlign.Crop ? fromLarger : !fromLarger, ChangesTo: align == MergeAlign.Crop ? !fromLarger : fromLarger));
        }

        return null;
    }

    /// <summary>The element-wise product's shape: equal sizes, or 1 on one side (broadcast); null with the reason otherwise.</summary>
    private Shape? Broadcast(Shape from, Shape to, out string? problem)
    {
        problem = null;
        if (from.Rank != to.Rank)
        {
            problem = "their ranks differ; a Multiply broadcasts size-1 dimensions of tensors of the same rank (use GlobalAvgPool(KeepDims = true) for a [C, 1, 1] gate)";
            return null;
        }

        if (from.Layout != to.Layout)
        {
            problem = $"one is {Shape.Expected(from.Layout)} and the other {Shape.Expected(to.Layout)}; add [Transpose] to one side";
            return null;
        }

        var dims = new Dim[from.Rank];
        for (var axis = 0; axis < from.Rank; axis++)
        {
            if (from[axis].IsConstant && from[axis].Value == 1)
            {
                dims[axis] = to[axis];
            }
            else if (to[axis].IsConstant && to[axis].Value == 1)
            {
                dims[axis] = from[axis];
            }
            else if (Differ(from[axis], to[axis], out var why))
            {
                problem = $"axis {axis + 1} is {from[axis]} against {to[axis]}" + (why is null ? "" : $" (they differ for {why.ExampleText})")
                    + "; each dimension must be equal on both sides, or 1 on one of them";
                return null;
            }
            else
            {
                dims[axis] = to[axis];
            }
        }

        return new Shape(to.Layout, dims);
    }

    /// <summary>
    /// The properties a code fix reads: <c>Projection</c> when the message offers <c>Projection = true</c>, <c>Align</c>
    /// (<c>Crop,Pad</c>) when it offers an alignment, and <c>Dim</c>, <c>DimProperty</c>, <c>DimValue</c> when it offers a [Dim].
    /// </summary>
    private static DiagnosticInfo WithFixes(DiagnosticInfo diagnostic, string alignHint, DimFix? dimFix, bool projection)
    {
        if (projection)
        {
            diagnostic = diagnostic.WithProperty("Projection", "true");
        }

        if (alignHint.Length > 0)
        {
            diagnostic = diagnostic.WithProperty("Align", "Crop,Pad");
        }

        return diagnostic.WithDimFix(dimFix);
    }

    /// <summary>
    /// The OutputPadding that makes a transposed convolution's output the size the other side of an Add or Concat has,
    /// or null. Offered only when all of this holds (else a changed OutputPadding would not be known to fix it):
    /// no Align; the skip is in the model's own body; the 'to' side of the merge is the output of a ConvTranspose1d/2d
    /// directly or through layers that never change a shape (activations, Dropout, BatchNorm, GroupNorm), none of
    /// which merges a skip before; all sizes but the channels are fixed; every spatial axis is short (or long) by the
    /// same amount d; the new value OutputPadding + d is at least 0 and below max(Stride, Dilation), as PyTorch requires;
    /// and with that size the merge holds. Only on the 'to' side (a U-Net upsamples at the layer its skip ends at): the
    /// 'from' side is upstream of 'to', so a new OutputPadding there would move both sides.
    /// </summary>
    private OutputPaddingFix? OutputPaddingFix(SkipDeclaration declaration, MergeSides? sides, Shape from, Shape to)
    {
        if (sides is null || declaration.Align != MergeAlign.None)
        {
            return null;
        }

        return sides.To is not null && TransposedConvolutionFeeding(sides.To, sides.Previous, sides.Previous.Count) is { } up
            ? OutputPaddingFix(declaration, up, to, other: from, mergeHolds: resized => MergeHolds(declaration.Mode, from, resized))
            : null;
    }

    private OutputPaddingFix? OutputPaddingFix(SkipDeclaration declaration, PlannedLayer up, Shape side, Shape other, Func<Shape, bool> mergeHolds)
    {
        if (side.Rank != other.Rank || side.Layout != other.Layout || side.Layout is not (Layout.Image or Layout.Signal))
        {
            return null;
        }

        long? delta = null;
        var resized = side;
        for (var axis = 0; axis < side.Rank; axis++)
        {
            if (axis == side.ChannelAxis)
            {
                continue;
            }

            if (!side[axis].IsConstant || !other[axis].IsConstant || (delta is not null && delta != other[axis].Value - side[axis].Value))
            {
                return null;
            }

            delta = other[axis].Value - side[axis].Value;
            resized = resized.WithDim(axis, other[axis]);
        }

        if (delta is not { } d || d == 0)
        {
            return null;
        }

        var args = new LayerArguments(up.Declaration);
        var padding = args.Int("OutputPadding") + d;
        if (padding < 0 || padding >= Math.Max(args.Int("Stride"), args.Int("Dilation")) || !mergeHolds(resized))
        {
            return null;
        }

        // The code fix edits the layer's attribute, so it needs it in the file the diagnostic is in.
        var location = up.Declaration.Location is { } at && at.FilePath == declaration.Location?.FilePath ? at : null;
        return new OutputPaddingFix(up.Name, (int)padding, resized, location);
    }

    /// <summary>The ConvTranspose1d/2d whose output reaches <paramref name="layer"/>'s output unchanged (through shape-keeping layers), or null.</summary>
    private static PlannedLayer? TransposedConvolutionFeeding(PlannedLayer layer, List<PlannedLayer> previous, int index)
    {
        while (layer.Definition is not TransposedConvolutionLayer)
        {
            if (layer.Definition is not (ActivationLayer or DropoutLayer or BatchNormLayer or GroupNormLayer) || index == 0
                || previous[index - 1].Merges.Count > 0)
            {
                return null;
            }

            index--;
            layer = previous[index];
        }

        return layer;
    }

    private bool MergeHolds(MergeMode mode, Shape from, Shape to) =>
        (mode == MergeMode.Concat ? ConcatProblem(from, to) : AddProblem(from, to, hints: false)) is null;

    /// <summary>The [Dim] fix of the first axis that differs (the one the message names), if that axis has one.</summary>
    private DimFix? FirstDimFix(Shape from, Shape to, bool skipChannels)
    {
        if (from.Rank != to.Rank || from.Layout != to.Layout)
        {
            return null;
        }

        for (var axis = 0; axis < from.Rank; axis++)
        {
            if (skipChannels && axis == from.ChannelAxis)
            {
                continue;
            }

            if (Differ(from[axis], to[axis], out var why))
            {
                return why?.FixParts;
            }
        }

        return null;
    }

    /// <summary>When only spatial sizes differ and Align is not set, the hint that offers it.</summary>
    private string AlignHint(SkipDeclaration skip, Shape from, Shape to, bool sentence) =>
        skip.Align == MergeAlign.None && !skip.Projection && from.Layout == to.Layout && from.Rank == to.Rank && from.Layout is Layout.Image or Layout.Signal
            && Enumerable.Range(0, from.Rank).Any(a => a != from.ChannelAxis && Differ(from[a], to[a], out _))
            && (!sentence || !Differ(from.Channels, to.Channels, out _)) // an Add also needs equal channels, which no crop gives
            ? (sentence ? " Or set" : "; or set") + " Align = SkipAlign.Crop (centre-crop the larger, as the original U-Net) or Align = SkipAlign.Pad (zero-pad the smaller)" + (sentence ? "." : "")
            : "";

    /// <summary>Why an Add of these shapes fails, as the hint of DSL005 (null: equal for every allowed value); without the projection hints for a Highway.</summary>
    private string? AddProblem(Shape from, Shape to, bool hints)
    {
        if (from.Rank == to.Rank && from.Layout == to.Layout)
        {
            var differs = false;
            for (var axis = 0; axis < from.Rank && !differs; axis++)
            {
                differs = Differ(from[axis], to[axis], out var why);
                if (why is not null)
                {
                    return $"For {why.ExampleText} they are {why.Left} and {why.Right}" + (why.Fix is null ? hints ? "; set Projection = true, or make both shapes equal." : "; make both shapes equal." : $"; add {why.Fix}.");
                }
            }

            if (!differs)
            {
                return null;
            }
        }

        if (!hints)
        {
            return "Make both shapes equal.";
        }

        var sameSpatial = from.Layout == Layout.Image && to.Layout == Layout.Image && SameExceptChannels(from, to) is null;
        return sameSpatial
            ? "Set Projection = true to insert a learned 1×1 convolution, give both layers the same channels, or use Mode = SkipMode.Concat."
            : from.Layout == Layout.Signal && to.Layout == Layout.Signal
                ? "Set Projection = true to insert a learned projection (a strided 1×1 Conv1d with BatchNorm1d), or make both shapes equal."
                : "Set Projection = true to insert a learned projection (a strided 1×1 convolution for images, a linear map otherwise), or make both shapes equal.";
    }

    /// <summary>
    /// Whether two sizes differ for some allowed value: fixed sizes are compared, named ones decided over the [Dim]
    /// constraints, and then <paramref name="why"/> holds the counterexample.
    /// </summary>
    private bool Differ(Dim a, Dim b, out DimRefutation? why)
    {
        why = null;
        if (a.IsConstant && b.IsConstant)
        {
            return a.Value != b.Value;
        }

        why = DimDecisions.Equal(a, b, _domain);
        return why is not null;
    }

    /// <summary>Null when every axis but the channels is equal for every allowed value; else the first refutation (or a reason).</summary>
    private string? SameExceptChannels(Shape from, Shape to)
    {
        for (var axis = 0; axis < from.Rank; axis++)
        {
            if (axis == from.ChannelAxis)
            {
                continue;
            }

            if (Differ(from[axis], to[axis], out var why))
            {
                return why is null ? "differ" : $"they differ for {why.ExampleText}" + (why.Fix is null ? "" : $"; add {why.Fix}");
            }
        }

        return null;
    }

    private string? ConcatProblem(Shape from, Shape to)
    {
        if (from.Rank != to.Rank)
        {
            return "their ranks differ; Concat joins tensors of the same rank along channels";
        }

        if (from.Layout != to.Layout)
        {
            return $"one is {Shape.Expected(from.Layout)} and the other {Shape.Expected(to.Layout)}; add [Transpose] to one side";
        }

        if (to.IsFixed && from.IsFixed)
        {
            for (var axis = 0; axis < from.Rank; axis++)
            {
                if (axis != from.ChannelAxis && from[axis].Value != to[axis].Value)
                {
                    return from.Rank == 3
                        ? $"the spatial sizes {to[1]}×{to[2]} and {from[1]}×{from[2]} differ; every dimension but the channels must match (pool, upsample or pad one side)"
                        : from.Layout == Layout.Signal ? "every dimension but the channels must match" : "every dimension but the last must match";
                }
            }

            return null;
        }

        return SameExceptChannels(from, to);
    }

    private PlannedProjection? PlanProjection(SkipDeclaration skip, Shape from, Shape to, string fromName, string toName, LocationInfo? useLocation)
    {
        var field = skip.ProjectionName;
        string problem;
        if (from.Rank != to.Rank)
        {
            problem = "their ranks differ";
        }
        else if (from.Layout != to.Layout)
        {
            problem = $"one is {Shape.Expected(from.Layout)} and the other {Shape.Expected(to.Layout)}; add [Transpose] to one side";
        }
        else if (!from.Channels.IsConstant || !to.Channels.IsConstant)
        {
            problem = "a projection needs fixed channel counts on both sides";
        }
        else if (from.Layout is Layout.Image or Layout.Signal)
        {
            // A 1×1 convolution with stride s turns n into ⌊(n − 1)/s⌋ + 1; try every stride that can matter.
            var spatial = Enumerable.Range(1, from.Rank - 1).ToArray();
            var largest = spatial.All(a => from[a].IsConstant) ? spatial.Max(a => from[a].Value) : 64;
            for (var stride = 1; stride <= Math.Max(1, largest); stride++)
            {
                if (spatial.All(a => SameSize(LayerShapes.Convolved(from[a], 1, stride, 0, 1), to[a])))
                {
                    return new PlannedProjection(field, from, to, from.Channels.Value, to.Channels.Value, stride);
                }
            }

            problem = $"no stride of a 1×1 convolution turns {string.Join("×", spatial.Select(a => from[a]))} into {string.Join("×", spatial.Select(a => to[a]))}";
        }
        else if (SameExceptChannels(from, to) is null)
        {
            return new PlannedProjection(field, from, to, from.Channels.Value, to.Channels.Value, 1);
        }
        else
        {
            problem = "a linear projection changes only the last dimension, and the others differ";
        }

        Report(DiagnosticInfo.Create(DiagnosticDescriptors.ProjectionImpossible, skip.Location, fromName, toName, from.ToString(), to.ToString(), problem), useLocation);
        return null;
    }

    private bool SameSize(Dim a, Dim b) => !Differ(a, b, out _);

    /// <summary>A nested class name not taken in the model class, nor by a member of the block class itself (CS0542).</summary>
    private string UniqueClassName(string candidate, IReadOnlyCollection<string> blockMembers)
    {
        var name = candidate;
        for (var n = 2; blockMembers.Contains(name) || !_classNames.Add(name); n++)
        {
            name = candidate + "_" + n;
        }

        return name;
    }

    private void Report(DiagnosticInfo diagnostic, LocationInfo? useLocation) =>
        _diagnostics.Add(useLocation is null ? diagnostic : diagnostic.At(useLocation));
}

/// <summary>What feeds a merge's 'to' side, for <see cref="BodyPlanner"/>'s OutputPadding fix: the layers before, and the 'to' layer (null after an earlier merge at it).</summary>
internal sealed record MergeSides(List<PlannedLayer> Previous, PlannedLayer? To);

/// <summary>OutputPadding = <see cref="Padding"/> on layer <see cref="Layer"/> makes its output <see cref="Output"/>; <see cref="Location"/>: its attribute, when in the skip's file.</summary>
internal sealed record OutputPaddingFix(string Layer, int Padding, Shape Output, LocationInfo? Location)
{
    public string Hint => $"OutputPadding = {Padding} on '{Layer}' (its output is then {Output})";
}
