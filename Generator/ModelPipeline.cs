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
    public void AddTo(SourceProductionContext context)
    {
        foreach (var diagnostic in Diagnostics)
        {
            context.ReportDiagnostic(diagnostic.ToDiagnostic());
        }

        if (HintName is not null && Source is not null)
        {
            context.AddSource(HintName, Source);
        }
    }
}

/// <summary>The logic behind each pipeline step: check a declaration, infer its shapes, emit its code.</summary>
public static class ModelPipeline
{
    private static readonly string Version = typeof(ModelPipeline).Assembly.GetName().Version?.ToString() ?? "0.0.0.0";

    public static GeneratorOutput Build(ModelDeclaration model, CancellationToken ct)
    {
        var diagnostics = new List<DiagnosticInfo>(model.Diagnostics);
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
        var blocks = block.Blocks.ToDictionary(b => b.FullName);
        var structure = BodyStructure.Check(block.Body, block.Name, "Block", blocks);
        return new GeneratorOutput(null, null, block.Diagnostics.Concat(structure.Diagnostics).ToEquatableArray());
    }

    /// <summary>
    /// The generator must never crash the build: a bug here would otherwise surface as a CS8785 warning that hides
    /// the model. Cancellation still propagates.
    /// </summary>
    public static T? Guard<T>(Func<T?> parse)
        where T : class
    {
        try
        {
            return parse();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return null;
        }
    }
}
