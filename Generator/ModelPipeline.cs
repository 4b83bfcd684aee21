using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Dsl.Generator.Common;
using Dsl.Generator.Diagnostics;
using Dsl.Generator.Emit;
using Dsl.Generator.Graph;
using Dsl.Generator.Layers;
using Dsl.Generator.Parsing;
using Dsl.Generator.Shapes;
using Dsl.Generator.Shapes.Symbolic;
using Microsoft.CodeAnalysis;

namespace Dsl.Generator;

/// <summary>What the generator adds for one model or block: source (or none) and diagnostics, as equatable data.</summary>
public sealed record GeneratorOutput(string? HintName, GeneratedText? Source, EquatableArray<DiagnosticInfo> Diagnostics)
{
    /// <summary>The model's line in the assembly's catalogue (null for blocks, failed models and models the assembly cannot name).</summary>
    public CatalogItem? Catalog { get; init; }

    /// <summary>Reports the diagnostics, anchored to the compilation's syntax trees, with help links under the documentation base.</summary>
    public static void Report(SourceProductionContext context, EquatableArray<DiagnosticInfo> diagnostics, string documentationUrl, Compilation compilation)
    {
        foreach (var diagnostic in diagnostics)
        {
            context.ReportDiagnostic(diagnostic.ToDiagnostic(compilation, documentationUrl));
        }
    }

    /// <summary>
    /// Adds every model's source (diagnostics are reported separately, see <see cref="Report"/>). Roslyn compares
    /// hint names ignoring case and throws on a clash, which would drop every model: a model seen twice ([Model] on two partial declarations, already the compiler's CS0579) is added
    /// once, and two models whose names differ only in case get a DSL017 instead.
    /// </summary>
    public static void AddAll(SourceProductionContext context, System.Collections.Immutable.ImmutableArray<GeneratorOutput> outputs, bool nullable, string documentationUrl)
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
                        $"its generated file name differs only in case from '{earlier.HintName}'; rename one of the two models").ToDiagnostic(null, documentationUrl));
                }

                continue;
            }

            if (output.HintName is not null && output.Source is not null)
            {
                added[output.HintName] = output;
                context.AddSource(output.HintName, output.Source);
            }
        }

        var catalog = CatalogEmitter.Emit(added.Values.Select(o => o.Catalog).OfType<CatalogItem>().ToList(), ModelPipeline.Version, nullable);
        if (catalog is not null)
        {
            context.AddSource(CatalogEmitter.HintName, catalog);
        }
    }
}

/// <summary>The logic behind each pipeline step: check a declaration, infer its shapes, emit its code.</summary>
public static class ModelPipeline
{
    public static readonly string Version = typeof(ModelPipeline).Assembly.GetName().Version?.ToString() ?? "0.0.0.0";

    /// <summary>The documentation base for help links: the build's <c>DslDocumentationUrl</c>, or the default when it is unset or blank.</summary>
    public static string DocumentationUrl(Microsoft.CodeAnalysis.Diagnostics.AnalyzerConfigOptionsProvider options) =>
        options.GlobalOptions.TryGetValue(DiagnosticDescriptors.DocumentationUrlProperty, out var url) && !string.IsNullOrWhiteSpace(url)
            ? url.Trim()
            : DiagnosticDescriptors.DefaultDocumentationUrl;

    /// <param name="nullable">Whether the consumer's language version has nullable annotations (C# 8 or later).</param>
    public static GeneratorOutput Build(ModelDeclaration model, bool nullable, CancellationToken ct)
    {
        try
        {
            return BuildUnguarded(model, nullable, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return new GeneratorOutput(null, null, new EquatableArray<DiagnosticInfo>(new[] { InternalError(model.ClassName, model.ModelLocation, e) }));
        }
    }

    private static GeneratorOutput BuildUnguarded(ModelDeclaration model, bool nullable, CancellationToken ct)
    {
        var diagnostics = new List<DiagnosticInfo>(model.Diagnostics);
        if (diagnostics.Any(d => d.Id == DiagnosticDescriptors.InternalError.Id))
        {
            return Failed(model, diagnostics, nullable);
        }

        var blocks = model.Blocks.ToDictionary(b => b.FullName);
        var reserved = new BodyStructure.Reserved(model.InheritedMembers, model.UserMembers);
        var structure = BodyStructure.Check(model.Body, model.ClassName, "Model", blocks, reserved);
        diagnostics.AddRange(structure.Diagnostics.Select(d => d.Location is null ? d.At(model.ModelLocation) : d));

        var problem = model.InputShapeProblem
            ?? (model.InputShape.Count == 0
                ? "give one example's shape, without the batch dimension, e.g. [Model(1, 28, 28)] for 28×28 grey images"
                : model.InputShape.Count > 3
                    ? $"the generator supports 1 to 3 dimensions per example (vectors or token ids, sequences or signals, images), but the shape has {model.InputShape.Count}"
                    : model.InputShape.Any(d => d.Name is null && d.Value <= 0)
                        ? $"every dimension must be positive, but the shape is ({string.Join(", ", model.InputShape.Select(d => d.Name is null ? d.Value.ToString() : $"\"{d.Name}\""))})"
                        : null);
        if (problem is not null)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MissingInputShape, model.ModelLocation, model.ClassName, problem));
        }

        var domain = CheckDims(model, diagnostics);
        CheckUserMembers(model, diagnostics);
        CheckClassName(model, diagnostics);
        if (diagnostics.Count == 0)
        {
            ModelSize.Check(model, blocks, diagnostics, ct);
        }

        if (diagnostics.Count > 0)
        {
            return Failed(model, diagnostics, nullable);
        }

        var names = model.InputShape.Where(d => d.Name is not null).Select(d => d.Name!).Distinct().ToList();
        var planner = new BodyPlanner(blocks, domain, names, reserved, diagnostics, ct);
        planner.ReserveClassNames(structure.Taken.Concat(BodyStructure.GeneratedMembers).Concat(reserved.Inherited)
            .Concat(model.UserMembers.Select(m => m.Name)).Concat(new[] { model.ClassName }));
        var swapped = false;
        var signal = model.InputShape.Count == 2 && PreferredLayout(model.Body, blocks, 0, ref swapped) == Layout.Signal;
        var input = new Shape(Shape.LayoutOfRank(model.InputShape.Count, signal),
            model.InputShape.Select(d => d.Name is null ? Dim.Of(d.Value) : domain.Named(d.Name)).ToArray());
        var body = planner.Plan(model.Body, structure, input, "", null);
        if (body is null && diagnostics.Count == 0 && !planner.StoppedAtBlockErrors)
        {
            // Never a model without code and without a word: a planner path that fails silently is a bug.
            diagnostics.Add(InternalError(model.ClassName, model.ModelLocation, new InvalidOperationException("the network could not be planned, and no error says why")));
        }

        if (body is null || diagnostics.Count > 0)
        {
            return Failed(model, diagnostics, nullable);
        }

        var source = ModelEmitter.Emit(model, body, planner.Specialisations, domain, Version, nullable);
        return new GeneratorOutput(model.HintName, source, EquatableArray<DiagnosticInfo>.Empty)
        {
            Catalog = model.IsVisibleToAssembly ? CatalogItem.For(model, body, domain) : null,
        };
    }

    /// <summary>The diagnostics, and a class that still compiles where the declaration allows one (so no CS errors cascade).</summary>
    private static GeneratorOutput Failed(ModelDeclaration model, List<DiagnosticInfo> diagnostics, bool nullable) =>
        model.CanEmitFallback && model.ClassName.Length > 0 && !NoModuleCanBeNamedSo(model)
            ? new GeneratorOutput(model.HintName, ModelEmitter.EmitFallback(model, Version, nullable), diagnostics.ToEquatableArray())
            : new GeneratorOutput(null, null, diagnostics.ToEquatableArray());

    /// <summary>
    /// The layout a rank-2 input must have for the first layout-minded layer (through blocks, and through every
    /// Transpose before it, each of which swaps the layout).
    /// </summary>
    private static Layout? PreferredLayout(BodyDeclaration body, IReadOnlyDictionary<string, BlockDefinition> blocks, int depth, ref bool swapped) =>
        PreferredLayout(body, blocks, depth, ref swapped, new Dictionary<string, (Layout?, bool)>());

    /// <summary>
    /// Each block is scanned once (memoised: its first preferred layout as seen from its own input, and whether it swaps
    /// the layout), so a chain of repeated blocks costs its declaration's size, not 2^depth. A repeated block swaps the
    /// layout when it does and its copy count is odd.
    /// </summary>
    private static Layout? PreferredLayout(BodyDeclaration body, IReadOnlyDictionary<string, BlockDefinition> blocks, int depth, ref bool swapped,
        Dictionary<string, (Layout? First, bool Swaps)> memo)
    {
        foreach (var layer in body.Layers)
        {
            if (layer.IsBlockUse)
            {
                if (depth < BodyPlanner.MaxBlockDepth && layer.BlockTypeName is not null && blocks.TryGetValue(layer.BlockTypeName, out var block))
                {
                    if (!memo.TryGetValue(block.FullName, out var scan))
                    {
                        memo[block.FullName] = (null, false); // a cycle (DSL015) ends here
                        var innerSwapped = false;
                        var first = PreferredLayout(block.Body, blocks, depth + 1, ref innerSwapped, memo);
                        scan = (first, innerSwapped);
                        memo[block.FullName] = scan;
                    }

                    if (scan.First is { } inner)
                    {
                        return Swap(inner, swapped);
                    }

                    if (scan.Swaps && new LayerArguments(layer).Int("Repeat") % 2 == 1)
                    {
                        swapped = !swapped;
                    }
                }

                continue;
            }

            var definition = LayerRegistry.ForKind(layer.Kind);
            if (definition.SwapsLayout)
            {
                swapped = !swapped;
            }
            else if (definition.PreferredInputLayout is { } layout)
            {
                return Swap(layout, swapped);
            }
        }

        return null;
    }

    private static Layout Swap(Layout layout, bool swapped) =>
        !swapped ? layout : layout == Layout.Signal ? Layout.Sequence : layout == Layout.Sequence ? Layout.Signal : layout;

    /// <summary>Checks the [Dim] constraints (DSL018) and returns them as a domain.</summary>
    private static DimDomain CheckDims(ModelDeclaration model, List<DiagnosticInfo> diagnostics)
    {
        var names = new HashSet<string>(model.InputShape.Where(d => d.Name is not null).Select(d => d.Name!));
        var seen = new HashSet<string>();
        var constraints = new List<DimConstraint>();
        foreach (var dim in model.Dims)
        {
            var max = dim.Max;
            var problem = !names.Contains(dim.Name)
                ? names.Count == 0
                    ? $"'{model.ClassName}' has no named dimensions; name one in [Model(...)], e.g. [Model(1, \"H\", \"W\")]"
                    : $"[Model(...)] has no dimension named '{dim.Name}'; its named dimensions are {string.Join(", ", names.OrderBy(n => n, StringComparer.Ordinal))}"
                : !seen.Add(dim.Name)
                    ? $"'{dim.Name}' is constrained twice; give all its constraints in one [Dim]"
                    : dim.Min < 1
                        ? $"Min = {dim.Min}, but every size is at least 1"
                        : dim.MultipleOf < 1
                            ? $"MultipleOf = {dim.MultipleOf} must be at least 1"
                            : max is not null && max < dim.Min
                                ? $"Max = {max} is smaller than Min = {dim.Min}"
                                : !DimDecisions.IsSatisfiable(new DimConstraint(dim.Name, dim.Min, max, dim.MultipleOf))
                                    ? $"no value from {dim.Min} to {max} is a multiple of {dim.MultipleOf}"
                                    : null;
            if (problem is not null)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidDimConstraint, dim.Location, dim.Name, model.ClassName, problem));
                continue;
            }

            constraints.Add(new DimConstraint(dim.Name, dim.Min, max, dim.MultipleOf));
        }

        return new DimDomain(constraints);
    }

    /// <summary>A class named <c>forward</c> cannot override forward, and one named <c>var</c> breaks every <c>var</c>: no fallback class for them.</summary>
    private static bool NoModuleCanBeNamedSo(ModelDeclaration model) =>
        model.ClassName is "forward" or "var" || model.ContainingTypes.Any(c => c.Name == "var");

    /// <summary>
    /// A class named like a member the generated class declares (<c>Summary</c>, <c>forward</c>) would be a CS0542 in
    /// the generated file: a DSL017 on the [Model] instead.
    /// </summary>
    private static void CheckClassName(ModelDeclaration model, List<DiagnosticInfo> diagnostics)
    {
        if (BodyStructure.DeclaredMembers.Contains(model.ClassName))
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedDeclaration, model.ModelLocation, model.ClassName, "model",
                $"the generated module declares a member '{model.ClassName}', and a member cannot have the name of its class; rename the class"));
        }
        else if (model.ClassName == "var" || model.ContainingTypes.Any(c => c.Name == "var"))
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedDeclaration, model.ModelLocation, model.ClassName, "model",
                "a class named 'var' makes every 'var' of the generated code mean that class; rename the class"));
        }
    }

    /// <summary>Members the user wrote that the generated code also defines (DSL022), reported on the user's member.</summary>
    private static void CheckUserMembers(ModelDeclaration model, List<DiagnosticInfo> diagnostics)
    {
        foreach (var member in model.UserMembers)
        {
            string? why = member.Kind == "parameterless constructor"
                ? "the generated module has a public parameterless constructor that creates its layers; move your initialisation into a method, or into a constructor with parameters that calls this()"
                : member.Name == "forward"
                    ? "the generated forward runs the layers; put your own step into a [Module<T>] layer, or into another method"
                    : BodyStructure.GeneratedMembers.Contains(member.Name) && member.Name is not ("ToString" or "Equals" or "GetHashCode" or "Dispose" or "GetType" or "Finalize" or "MemberwiseClone" or "nameof")
                        ? "rename yours"
                        : null;
            if (why is not null)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MemberClash, member.Location, model.ClassName, member.Kind, member.Name, why));
            }
        }
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
            var structure = BodyStructure.Check(block.Body, block.Name, "Block", blocks, new BodyStructure.Reserved(block.InheritedMembers, Array.Empty<UserMember>()));
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
        return new ModelDeclaration("", EquatableArray<ContainingType>.Empty, error.Arguments[0], "", "", EquatableArray<InputDimension>.Empty, null,
            EquatableArray<DimDeclaration>.Empty, error.Location, empty, EquatableArray<BlockDefinition>.Empty, EquatableArray<UserMember>.Empty,
            EquatableArray<string>.Empty, false, new EquatableArray<DiagnosticInfo>(new[] { error }));
    }

    /// <summary>A block whose parsing failed: it carries only the DSL000 error.</summary>
    public static BlockDeclaration FailedBlock(DiagnosticInfo error) =>
        new(error.Arguments[0], error.Location, new BodyDeclaration(EquatableArray<LayerDeclaration>.Empty, EquatableArray<SkipDeclaration>.Empty),
            EquatableArray<BlockDefinition>.Empty, EquatableArray<string>.Empty, new EquatableArray<DiagnosticInfo>(new[] { error }));

    private static DiagnosticInfo InternalError(string name, LocationInfo? location, Exception e) =>
        DiagnosticInfo.Create(DiagnosticDescriptors.InternalError, location, name, $"{e.GetType().Name}: {e.Message}");
}
