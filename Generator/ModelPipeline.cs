using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Dsl.Generator.Common;
using Dsl.Generator.Diagnostics;
using Dsl.Generator.Emit;
using Dsl.Generator.Graph;
using Dsl.Generator.Parsing;
using Dsl.Generator.Shapes;
using Microsoft.CodeAnalysis;

namespace Dsl.Generator;

/// <summary>What the generator adds for one model or block: source (or none) and diagnostics, as equatable data.</summary>
public sealed record GeneratorOutput(string? HintName, string? Source, EquatableArray<DiagnosticInfo> Diagnostics)
{
    /// <summary>Reports the diagnostics, anchored to the compilation's syntax trees.</summary>
    public static void Report(SourceProductionContext context, EquatableArray<DiagnosticInfo> diagnostics, Compilation compilation)
    {
        foreach (var diagnostic in diagnostics)
        {
            context.ReportDiagnostic(diagnostic.ToDiagnostic(compilation));
        }
    }

    /// <summary>
    /// Adds every model's source (diagnostics are reported separately, see <see cref="Report"/>). Roslyn compares
    /// hint names ignoring case and throws on a clash, which would drop every model: a model seen twice ([Model] on two partial declarations, already the compiler's CS0579) is added
    /// once, and two models whose names differ only in case get a DSL017 instead.
    /// </summary>
    public static void AddAll(SourceProductionContext context, System.Collections.Immutable.ImmutableArray<GeneratorOutput> outputs)
    {
        var added = new Dictionary<string, GeneratorOutput>(StringComparer.OrdinalIgnoreCase);
        foreach (var output in outputs)
        {
            if (output.HintName is not null && added.TryGetValue(output.HintName, out var earlier))
            {
                if (earlier.HintName != output.HintName)
                {
                    // No location: keeping one in the output would make it change whenever its model moves in the file.
                    context.ReportDiagnostic(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedDeclaration, null,
                        output.HintName.Substring(0, output.HintName.Length - ".g.cs".Length), "model",
                        $"its generated file name differs only in case from '{earlier.HintName}'; rename one of the two models").ToDiagnostic());
                }

                continue;
            }

            if (output.HintName is not null && output.Source is not null)
            {
                added[output.HintName] = output;
                context.AddSource(output.HintName, output.Source);
            }
        }
    }
}

/// <summary>The logic behind each pipeline step: check a declaration, infer its shapes, emit its code.</summary>
public static class ModelPipeline
{
    private static readonly string Version = typeof(ModelPipeline).Assembly.GetName().Version?.ToString() ?? "0.0.0.0";

    public static GeneratorOutput Build(ModelDeclaration model, CancellationToken ct)
    {
        try
        {
            return BuildUnguarded(model, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return new GeneratorOutput(null, null, new EquatableArray<DiagnosticInfo>(new[] { InternalError(model.ClassName, model.ModelLocation, e) }));
        }
    }

    private static GeneratorOutput BuildUnguarded(ModelDeclaration model, CancellationToken ct)
    {
        var diagnostics = new List<DiagnosticInfo>(model.Diagnostics);
        if (diagnostics.Any(d => d.Id == DiagnosticDescriptors.InternalError.Id))
        {
            return new GeneratorOutput(null, null, diagnostics.ToEquatableArray());
        }

        var blocks = model.Blocks.ToDictionary(b => b.FullName);
        var structure = BodyStructure.Check(model.Body, model.ClassName, "Model", blocks);
        diagnostics.AddRange(structure.Diagnostics.Select(d => d.Location is null ? d.At(model.ModelLocation) : d));

        var problem = model.InputShape.Count == 0
            ? "give one example's shape, without the batch dimension, e.g. [Model(1, 28, 28)] for 28×28 grey images"
            : model.InputShape.Any(d => d <= 0)
                ? $"every dimension must be positive, but the shape is ({string.Join(", ", model.InputShape)})"
                : null;
        if (problem is not null)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MissingInputShape, model.ModelLocation, model.ClassName, problem));
        }

        if (diagnostics.Count > 0)
        {
            return new GeneratorOutput(null, null, diagnostics.ToEquatableArray());
        }

        var planner = new BodyPlanner(blocks, diagnostics, ct);
        var body = planner.Plan(model.Body, structure, new Shape(model.InputShape), "", null);
        if (body is null || diagnostics.Count > 0)
        {
            return new GeneratorOutput(null, null, diagnostics.ToEquatableArray());
        }

        var source = ModelEmitter.Emit(model, body, planner.Specialisations, Version);
        return new GeneratorOutput(model.HintName, source, EquatableArray<DiagnosticInfo>.Empty);
    }

    /// <summary>Structural checks of a block (names, skips, arguments, uses), reported on the block's own attributes.</summary>
    public static GeneratorOutput CheckBlock(BlockDeclaration block, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        if (block.Diagnostics.Any(d => d.Id == DiagnosticDescriptors.InternalError.Id))
        {
            return new GeneratorOutput(null, null, block.Diagnostics);
        }

        try
        {
            var blocks = block.Blocks.ToDictionary(b => b.FullName);
            var structure = BodyStructure.Check(block.Body, block.Name, "Block", blocks);
            var diagnostics = structure.Diagnostics.Select(d => d.Location is null ? d.At(block.Location) : d);
            return new GeneratorOutput(null, null, block.Diagnostics.Concat(diagnostics).ToEquatableArray());
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return new GeneratorOutput(null, null, new EquatableArray<DiagnosticInfo>(new[] { InternalError(block.Name, block.Location, e) }));
        }
    }

    /// <summary>
    /// The generator must never crash the build (a crash surfaces as a vague CS8785 warning and drops every model):
    /// a bug becomes a DSL000 error on the class instead. Cancellation still propagates.
    /// </summary>
    public static T? Guard<T>(GeneratorAttributeSyntaxContext context, Func<T?> parse, Func<DiagnosticInfo, T> failed)
        where T : class
    {
        try
        {
            return parse();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return failed(InternalError(context.TargetSymbol.Name, LocationInfo.From(context.Attributes[0].ApplicationSyntaxReference?.GetSyntax()), e));
        }
    }

    /// <summary>A model whose parsing failed: it carries only the DSL000 error.</summary>
    public static ModelDeclaration FailedModel(DiagnosticInfo error)
    {
        var empty = new BodyDeclaration(EquatableArray<LayerDeclaration>.Empty, EquatableArray<SkipDeclaration>.Empty);
        return new ModelDeclaration("", EquatableArray<ContainingType>.Empty, error.Arguments[0], "", "", EquatableArray<int>.Empty,
            error.Location, empty, EquatableArray<BlockDefinition>.Empty, new EquatableArray<DiagnosticInfo>(new[] { error }));
    }

    /// <summary>A block whose parsing failed: it carries only the DSL000 error.</summary>
    public static BlockDeclaration FailedBlock(DiagnosticInfo error) =>
        new(error.Arguments[0], error.Location, new BodyDeclaration(EquatableArray<LayerDeclaration>.Empty, EquatableArray<SkipDeclaration>.Empty),
            EquatableArray<BlockDefinition>.Empty, new EquatableArray<DiagnosticInfo>(new[] { error }));

    private static DiagnosticInfo InternalError(string name, LocationInfo? location, Exception e) =>
        DiagnosticInfo.Create(DiagnosticDescriptors.InternalError, location, name, $"{e.GetType().Name}: {e.Message}");
}
