using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Dsl.Generator.Common;
using Dsl.Generator.Diagnostics;
using Dsl.Generator.Parsing;
using Dsl.Generator.Shapes;

namespace Dsl.Generator.Graph;

/// <summary>
/// Infers every shape of a body, layer by layer, merging skips after the layer they end at, and specialises each
/// block for the shape it receives. Errors inside a block are reported at the [Use] (in the model's source) that
/// makes them fail, with the inner layer's qualified name (<c>stage2.conv1</c>).
/// </summary>
public sealed class BodyPlanner
{
    private const int MaxBlockDepth = 32;

    private readonly IReadOnlyDictionary<string, BlockDefinition> _blocks;
    private readonly Dictionary<string, BlockSpecialisation> _specialisations = new();
    private readonly Dictionary<string, BodyStructure> _structures = new();
    private readonly HashSet<string> _classNames = new();
    private readonly List<DiagnosticInfo> _diagnostics;
    private readonly CancellationToken _ct;

    public BodyPlanner(IReadOnlyDictionary<string, BlockDefinition> blocks, List<DiagnosticInfo> diagnostics, CancellationToken ct)
    {
        _blocks = blocks;
        _diagnostics = diagnostics;
        _ct = ct;
    }

    /// <summary>Every block specialisation made so far, in the order they were first needed.</summary>
    public List<BlockSpecialisation> Specialisations { get; } = new();

    /// <summary>Plans a body; null when it has an error (already reported, or silent when reported elsewhere).</summary>
    public PlannedBody? Plan(BodyDeclaration body, BodyStructure structure, Shape input, string qualifier, LocationInfo? useLocation, int depth = 0)
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
            if (declaration.Kind == LayerKind.Use)
            {
                layer = PlanUse(declaration, name, qualified, current, useLocation ?? declaration.Location, depth);
            }
            else
            {
                LayerShape shape;
                try
                {
                    shape = LayerShapes.Infer(declaration, qualified, current);
                }
                catch (System.OverflowException)
                {
                    shape = LayerShape.Fail(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidArgument, declaration.Location, qualified,
                        declaration.Kind.ToString(), $"on input {current} its output would have a dimension or parameter count beyond what the generator can represent (2,147,483,647 per dimension)"));
                }

                if (shape.Error is not null)
                {
                    Report(shape.Error, useLocation);
                    return null;
                }

                layer = new PlannedLayer(name, declaration, current, shape.Output!, shape, new BlockSpecialisation[0], new PlannedMerge[0]);
            }

            if (layer is null)
            {
                return null;
            }

            var merges = PlanMerges(i, layer, layers, input, structure, qualifier, useLocation);
            if (merges is null)
            {
                return null;
            }

            layer = new PlannedLayer(layer.Name, layer.Declaration, layer.Input, layer.Output, layer.Shape, layer.Blocks, merges);
            layers.Add(layer);
            current = layer.Final;
        }

        return new PlannedBody(input, layers);
    }

    private PlannedLayer? PlanUse(LayerDeclaration declaration, string name, string qualified, Shape input, LocationInfo? useLocation, int depth)
    {
        if (declaration.BlockTypeName is null || !_blocks.TryGetValue(declaration.BlockTypeName, out var block) || depth > MaxBlockDepth)
        {
            return null;
        }

        var repeat = new LayerArguments(declaration).Int("Repeat");
        var specialisations = new List<BlockSpecialisation>();
        var current = input;
        for (var r = 0; r < repeat; r++)
        {
            var key = block.FullName + "@" + current.ToIdentifierPart();
            if (!_specialisations.TryGetValue(key, out var specialisation))
            {
                // Structural errors of a block are reported on the block itself (its own pipeline): stay silent here.
                var structure = StructureOf(block);
                if (structure.Diagnostics.Count > 0)
                {
                    return null;
                }

                var inner = repeat > 1 ? $"{qualified}.{r}." : qualified + ".";
                var body = Plan(block.Body, structure, current, inner, useLocation, depth + 1);
                if (body is null)
                {
                    return null;
                }

                specialisation = new BlockSpecialisation(UniqueClassName(block.Name + "_" + current.ToIdentifierPart()), block.Name, body);
                _specialisations[key] = specialisation;
                Specialisations.Add(specialisation);
            }

            specialisations.Add(specialisation);
            current = specialisation.Body.Output;
        }

        return new PlannedLayer(name, declaration, input, current, null, specialisations, new PlannedMerge[0]);
    }

    /// <summary>A block's structure is the same at every shape it is used at: check it once per model.</summary>
    private BodyStructure StructureOf(BlockDefinition block)
    {
        if (!_structures.TryGetValue(block.FullName, out var structure))
        {
            structure = BodyStructure.Check(block.Body, block.Name, "Block", _blocks);
            _structures[block.FullName] = structure;
        }

        return structure;
    }

    private List<PlannedMerge>? PlanMerges(int index, PlannedLayer layer, List<PlannedLayer> previous, Shape input,
        BodyStructure structure, string qualifier, LocationInfo? useLocation)
    {
        var merges = new List<PlannedMerge>();
        var current = layer.Output;
        foreach (var skip in structure.Skips.Where(s => s.To == index))
        {
            var declaration = skip.Declaration;
            var fromShape = skip.From < 0 ? input : previous[skip.From].Final;
            var fromName = qualifier + declaration.From;
            var toName = qualifier + declaration.To;
            PlannedProjection? projection = null;
            Shape result;
            if (declaration.Mode == MergeMode.Concat)
            {
                var problem = ConcatProblem(fromShape, current);
                if (problem is not null)
                {
                    Report(DiagnosticInfo.Create(DiagnosticDescriptors.ConcatShapeMismatch, declaration.Location,
                        fromName, toName, current.ToString(), fromShape.ToString(), problem), useLocation);
                    return null;
                }

                result = current.WithDim(current.ChannelAxis, current.Channels + fromShape.Channels);
            }
            else
            {
                if (!fromShape.Equals(current))
                {
                    if (!declaration.Projection)
                    {
                        Report(DiagnosticInfo.Create(DiagnosticDescriptors.AddShapeMismatch, declaration.Location,
                            fromName, toName, fromShape.ToString(), current.ToString(), AddHint(fromShape, current)), useLocation);
                        return null;
                    }

                    projection = PlanProjection(declaration, fromShape, current, fromName, toName, useLocation);
                    if (projection is null)
                    {
                        return null;
                    }
                }

                result = current;
            }

            merges.Add(new PlannedMerge(declaration.From, declaration.Mode, fromShape, result, projection));
            current = result;
        }

        return merges;
    }

    private static string AddHint(Shape from, Shape to) =>
        from.Rank == to.Rank && from.Rank == 3 && from[1] == to[1] && from[2] == to[2]
            ? "Set Projection = true to insert a learned 1×1 convolution, give both layers the same channels, or use Mode = SkipMode.Concat."
            : "Set Projection = true to insert a learned projection (a strided 1×1 convolution for images, a linear map otherwise), or make both shapes equal.";

    private static string? ConcatProblem(Shape from, Shape to)
    {
        if (from.Rank != to.Rank)
        {
            return "their ranks differ; Concat joins tensors of the same rank along channels";
        }

        for (var axis = 0; axis < from.Rank; axis++)
        {
            if (axis != from.ChannelAxis && from[axis] != to[axis])
            {
                return from.Rank == 3
                    ? $"the spatial sizes {to[1]}×{to[2]} and {from[1]}×{from[2]} differ; every dimension but the channels must match (pool, upsample or pad one side)"
                    : "every dimension but the last must match";
            }
        }

        return null;
    }

    private PlannedProjection? PlanProjection(SkipDeclaration skip, Shape from, Shape to, string fromName, string toName, LocationInfo? useLocation)
    {
        var field = $"{skip.From}_to_{skip.To}";
        string problem;
        if (from.Rank != to.Rank)
        {
            problem = "their ranks differ";
        }
        else if (from.Rank == 3)
        {
            for (var stride = 1; stride <= from[1] && stride <= from[2]; stride++)
            {
                if (LayerShapes.ConvolvedSize(from[1], 1, stride, 0, 1) == to[1] && LayerShapes.ConvolvedSize(from[2], 1, stride, 0, 1) == to[2])
                {
                    return new PlannedProjection(field, true, from[0], to[0], stride, to);
                }
            }

            problem = $"no stride of a 1×1 convolution turns {from[1]}×{from[2]} into {to[1]}×{to[2]}";
        }
        else if (from.Dims.Take(from.Rank - 1).SequenceEqual(to.Dims.Take(to.Rank - 1)))
        {
            return new PlannedProjection(field, false, from.Channels, to.Channels, 1, to);
        }
        else
        {
            problem = "a linear projection changes only the last dimension, and the others differ";
        }

        Report(DiagnosticInfo.Create(DiagnosticDescriptors.ProjectionImpossible, skip.Location, fromName, toName, from.ToString(), to.ToString(), problem), useLocation);
        return null;
    }

    private string UniqueClassName(string candidate)
    {
        var name = candidate;
        for (var n = 2; !_classNames.Add(name); n++)
        {
            name = candidate + "_" + n;
        }

        return name;
    }

    private void Report(DiagnosticInfo diagnostic, LocationInfo? useLocation) =>
        _diagnostics.Add(useLocation is null ? diagnostic : diagnostic.At(useLocation));
}
