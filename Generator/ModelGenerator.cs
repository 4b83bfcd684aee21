using Dsl.Generator.Parsing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Dsl.Generator;

/// <summary>
/// The incremental generator. Pipeline: [Model]/[Block] classes → equatable declarations (Parsing) →
/// structure and shape checks (Graph, Shapes) → generated source and diagnostics (Emit), see <see cref="ModelPipeline"/>.
/// Only equatable values flow between steps, so an edit to one model leaves every other model's output cached.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class ModelGenerator : IIncrementalGenerator
{
    /// <inheritdoc />
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        // The generated text is parsed with the project's parse options, so its language version decides what the
        // generated code may use: C# 7.3 (netstandard2.0's default) has no nullable annotations. A bool, so it is equatable.
        var nullable = context.ParseOptionsProvider
            .Select(static (options, _) => options is CSharpParseOptions { LanguageVersion: >= LanguageVersion.CSharp8 })
            .WithTrackingName(TrackingNames.NullableAnnotations);

        // A string: an unchanged build property leaves every step below it cached.
        var documentationUrl = context.AnalyzerConfigOptionsProvider
            .Select(static (options, _) => ModelPipeline.DocumentationUrl(options))
            .WithTrackingName(TrackingNames.DocumentationUrl);

        var models = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                LayerCatalog.ModelAttribute,
                static (node, _) => node is ClassDeclarationSyntax or RecordDeclarationSyntax,
                static (ctx, ct) => ModelPipeline.Guard(ctx, () => DeclarationParser.ParseModel(ctx, ct), ModelPipeline.FailedModel))
            .Where(static m => m is not null)
            .WithTrackingName(TrackingNames.ModelDeclarations)
            .Combine(nullable)
            .Select(static (pair, ct) => ModelPipeline.Build(pair.Left!, pair.Right, ct))
            .WithTrackingName(TrackingNames.ModelOutputs);

        // Collected so hint names can be checked against each other (see AddAll); each model's output stays cached above.
        context.RegisterSourceOutput(models.Collect().Combine(nullable).Combine(documentationUrl),
            static (spc, pair) => GeneratorOutput.AddAll(spc, pair.Left.Left, pair.Left.Right, pair.Right));
        ReportDiagnostics(context, models, documentationUrl);

        var blocks = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                LayerCatalog.BlockAttribute,
                static (node, _) => node is ClassDeclarationSyntax,
                static (ctx, ct) => ModelPipeline.Guard(ctx, () => DeclarationParser.ParseBlock(ctx, ct), ModelPipeline.FailedBlock))
            .Where(static b => b is not null)
            .WithTrackingName(TrackingNames.BlockDeclarations)
            .Select(static (b, ct) => ModelPipeline.CheckBlock(b!, ct))
            .WithTrackingName(TrackingNames.BlockDiagnostics);

        ReportDiagnostics(context, blocks, documentationUrl);
    }

    /// <summary>
    /// Diagnostics are paired with the compilation only at the very end (reporting nothing for outputs without any), so
    /// they can be anchored to syntax trees (what IDEs underline) without making any cached step depend on the compilation.
    /// </summary>
    private static void ReportDiagnostics(IncrementalGeneratorInitializationContext context, IncrementalValuesProvider<GeneratorOutput> outputs,
        IncrementalValueProvider<string> documentationUrl)
    {
        var diagnostics = outputs
            .Select(static (o, _) => o.Diagnostics)
            .Combine(documentationUrl)
            .Combine(context.CompilationProvider);
        context.RegisterSourceOutput(diagnostics, static (spc, pair) => GeneratorOutput.Report(spc, pair.Left.Left, pair.Left.Right, pair.Right));
    }
}
