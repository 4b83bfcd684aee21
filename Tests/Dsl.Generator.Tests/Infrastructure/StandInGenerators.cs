using System;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace Dsl.Generator.Tests.Infrastructure;

// Small generators that stand in for ModelGenerator in the harness's own tests (the real one is still growing).

/// <summary>Where a diagnostic goes, without holding the syntax tree.</summary>
internal sealed record LocationInfo(string Path, TextSpan Span, LinePositionSpan LineSpan)
{
    public static LocationInfo From(Location location) =>
        new(location.SourceTree?.FilePath ?? "", location.SourceSpan, location.GetLineSpan().Span);

    public Location ToLocation() => Location.Create(Path, Span, LineSpan);
}

/// <summary>A cache-friendly model: strings and a location record only.</summary>
internal sealed record ModelName(string Name, LocationInfo Location);

/// <summary>
/// For every class marked <c>[Dsl.Model]</c>: tracked step <c>Models</c> (a <see cref="ModelName"/>), tracked step
/// <c>Texts</c> (the generated text), a source <c>&lt;Name&gt;.g.cs</c> with a static <c>Describe()</c>, and a warning
/// DSL900 on classes whose name starts with <c>Bad</c>.
/// </summary>
internal sealed class ModelNamesGenerator : IIncrementalGenerator
{
#pragma warning disable RS2008 // Release tracking is for shipped analyzers, not test stand-ins.
    public static readonly DiagnosticDescriptor BadName = new(
        "DSL900", "Bad name", "The model name '{0}' starts with Bad", "Test", DiagnosticSeverity.Warning, isEnabledByDefault: true);
#pragma warning restore RS2008

    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var models = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                "Dsl.ModelAttribute",
                static (node, _) => node is ClassDeclarationSyntax,
                static (ctx, _) => new ModelName(
                    ctx.TargetSymbol.Name,
                    LocationInfo.From(((ClassDeclarationSyntax)ctx.TargetNode).Identifier.GetLocation())))
            .WithTrackingName("Models");

        var texts = models
            .Select(static (model, _) => (model.Name, Text: $"partial class {model.Name}\n{{\n    public static string Describe() => \"{model.Name}\";\n}}\n"))
            .WithTrackingName("Texts");

        context.RegisterSourceOutput(models, static (spc, model) =>
        {
            if (model.Name.StartsWith("Bad", StringComparison.Ordinal))
            {
                spc.ReportDiagnostic(Diagnostic.Create(BadName, model.Location.ToLocation(), model.Name));
            }
        });
        context.RegisterSourceOutput(texts, static (spc, pair) => spc.AddSource(pair.Name + ".g.cs", pair.Text));
    }
}

/// <summary>A model that wrongly keeps the symbol and, nested in a tuple inside an array, a location.</summary>
internal sealed record LeakyModel(string Name, ISymbol Symbol);

/// <summary>Keeps Roslyn objects in its pipeline: tracked steps <c>Leaky</c> (a symbol) and <c>LeakyLocations</c>.</summary>
internal sealed class LeakyGenerator : IIncrementalGenerator
{
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var leaky = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                "Dsl.ModelAttribute",
                static (node, _) => node is ClassDeclarationSyntax,
                static (ctx, _) => new LeakyModel(ctx.TargetSymbol.Name, ctx.TargetSymbol))
            .WithTrackingName("Leaky");

        var locations = leaky
            .Select(static (model, _) => (model.Name, Where: ImmutableArray.Create(("first", model.Symbol.Locations.First()))))
            .WithTrackingName("LeakyLocations");

        context.RegisterSourceOutput(locations, static (_, _) => { });
    }
}

/// <summary>Throws while producing its output.</summary>
internal sealed class ThrowingGenerator : IIncrementalGenerator
{
    public const string Message = "boom from the stand-in generator";

    public void Initialize(IncrementalGeneratorInitializationContext context) =>
        context.RegisterSourceOutput(context.CompilationProvider, static (_, _) => throw new InvalidOperationException(Message));
}

/// <summary>Adds one fixed source (which may not compile) as <c>Fixed.g.cs</c>.</summary>
internal sealed class FixedSourceGenerator(string source) : IIncrementalGenerator
{
    public void Initialize(IncrementalGeneratorInitializationContext context) =>
        context.RegisterPostInitializationOutput(ctx => ctx.AddSource("Fixed.g.cs", source));
}
