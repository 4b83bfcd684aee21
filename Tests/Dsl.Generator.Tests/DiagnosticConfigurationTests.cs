using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Dsl.Generator.Diagnostics;
using Dsl.Generator.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Xunit;

namespace Dsl.Generator.Tests;

/// <summary>
/// What a build configures about the generator's diagnostics, through the inputs the compiler really gives it: the
/// help links' base (build property DslDocumentationUrl, which the SDK writes into its generated global analyzer
/// config as <c>build_property.DslDocumentationUrl</c>) and each ID's severity (<c>dotnet_diagnostic.DSLnnn.severity</c>
/// in .editorconfig, which the compiler turns into the compilation's syntax-tree options; the generator driver filters
/// every generator diagnostic through them, as the command-line compiler does).
/// </summary>
public class DiagnosticConfigurationTests
{
    private const string Directory = "/src";

    private const string NotPartial = """
        using Dsl;

        namespace Sample;

        [Model(4)]
        [Linear(2)]
        public class NotPartial { }
        """;

    private const string BadConcat = """
        using Dsl;

        namespace Sample;

        [Model(1, 28, 28)]
        [Conv2d(8, 3, Padding = 1, Name = "enc")]
        [MaxPool2d(2, Name = "pool")]
        [Skip("enc", "pool", Mode = SkipMode.Concat)]
        public partial class BadConcat { }
        """;

    [Fact]
    public void Without_DslDocumentationUrl_the_help_link_is_the_default_absolute_one()
    {
        var run = Run(Config(), NotPartial);

        var diagnostic = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal("DSL002", diagnostic.Id);
        Assert.Equal("https://github.com/dsl-dotnet/dsl/blob/main/docs/diagnostics.md#dsl002", diagnostic.Descriptor.HelpLinkUri);
        Assert.Equal(DiagnosticDescriptors.NotPartial.HelpLinkUri, diagnostic.Descriptor.HelpLinkUri);
    }

    [Fact]
    public void DslDocumentationUrl_is_the_base_of_every_reported_help_link()
    {
        var run = Run(Config(global: "build_property.DslDocumentationUrl = https://docs.example.com/dsl/diagnostics.html"), NotPartial, BadConcat);

        Assert.Equal(["DSL002", "DSL006"], run.GeneratorDiagnostics.Select(d => d.Id).Order());
        Assert.All(run.GeneratorDiagnostics, d =>
            Assert.Equal("https://docs.example.com/dsl/diagnostics.html#" + d.Id.ToLowerInvariant(), d.Descriptor.HelpLinkUri));
        // Only the link differs: a code fix still sees the descriptor's ID and the diagnostic's properties.
        var concat = run.GeneratorDiagnostics.Single(d => d.Id == "DSL006");
        Assert.Equal(DiagnosticDescriptors.ConcatShapeMismatch.MessageFormat.ToString(), concat.Descriptor.MessageFormat.ToString());
        Assert.Equal("Crop,Pad", concat.Properties["Align"]);
    }

    [Fact]
    public void A_blank_DslDocumentationUrl_keeps_the_default()
    {
        var run = Run(Config(global: "build_property.DslDocumentationUrl = "), NotPartial);

        Assert.Equal(DiagnosticDescriptors.NotPartial.HelpLinkUri, Assert.Single(run.GeneratorDiagnostics).Descriptor.HelpLinkUri);
    }

    [Fact]
    public void Changing_DslDocumentationUrl_changes_the_links_and_rebuilds_no_model()
    {
        var compilation = Compilation(NotPartial, BadConcat);
        var first = GeneratorHarness.Run(Driver(Config()), compilation);

        var driver = first.Driver.WithUpdatedAnalyzerConfigOptions(
            new ConfigOptionsProvider(Config(global: "build_property.DslDocumentationUrl = https://example.org/d")));
        var second = GeneratorHarness.Run(driver, compilation);

        Assert.All(second.GeneratorDiagnostics, d => Assert.StartsWith("https://example.org/d#dsl", d.Descriptor.HelpLinkUri, System.StringComparison.Ordinal));
        GeneratorHarness.AssertStepReasons(second.Result, TrackingNames.ModelDeclarations, IncrementalStepRunReason.Cached);
        GeneratorHarness.AssertStepReasons(second.Result, TrackingNames.ModelOutputs, IncrementalStepRunReason.Cached);
        GeneratorHarness.AssertStepReasons(second.Result, TrackingNames.DocumentationUrl, IncrementalStepRunReason.Modified);

        var third = GeneratorHarness.Run(second.Driver, compilation.Clone());
        GeneratorHarness.AssertStepReasons(third.Result, TrackingNames.DocumentationUrl, IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged);
    }

    [Theory]
    [InlineData("none", null)]
    [InlineData("silent", null)]
    [InlineData("suggestion", DiagnosticSeverity.Info)]
    [InlineData("warning", DiagnosticSeverity.Warning)]
    [InlineData("error", DiagnosticSeverity.Error)]
    public void Editorconfig_sets_the_severity_of_a_diagnostic_in_its_file(string severity, DiagnosticSeverity? expected)
    {
        var config = Config(editorconfig: $"[*.cs]\ndotnet_diagnostic.DSL006.severity = {severity}\n");

        var run = Run(config, NotPartial, BadConcat);

        // DSL002 is untouched; DSL006 has the configured severity, or is gone (a silent diagnostic is hidden from the build).
        Assert.Equal(DiagnosticSeverity.Error, run.GeneratorDiagnostics.Single(d => d.Id == "DSL002").Severity);
        var concat = run.GeneratorDiagnostics.Where(d => d.Id == "DSL006" && d.Severity > DiagnosticSeverity.Hidden).ToList();
        if (expected is null)
        {
            Assert.Empty(concat);
        }
        else
        {
            Assert.Equal(expected, Assert.Single(concat).Severity);
        }
    }

    [Fact]
    public void Editorconfig_applies_per_file()
    {
        // Only the second file (BadConcat, Model1.cs) is configured: DSL002 in Model0.cs stays an error.
        var run = Run(Config(editorconfig: "[Model1.cs]\ndotnet_diagnostic.DSL002.severity = none\ndotnet_diagnostic.DSL006.severity = warning\n"),
            NotPartial, BadConcat);

        Assert.Equal(
            [("DSL002", DiagnosticSeverity.Error), ("DSL006", DiagnosticSeverity.Warning)],
            run.GeneratorDiagnostics.Select(d => (d.Id, d.Severity)).OrderBy(p => p.Id));
    }

    [Fact]
    public void A_global_analyzer_config_sets_the_severity_too()
    {
        var run = Run(Config(global: "dotnet_diagnostic.DSL002.severity = warning"), NotPartial);

        Assert.Equal(DiagnosticSeverity.Warning, Assert.Single(run.GeneratorDiagnostics).Severity);
    }

    [Theory]
    [MemberData(nameof(DocsTests.Ids), MemberType = typeof(DocsTests))]
    public void Every_descriptor_is_configurable_also_with_another_documentation_url(string id)
    {
        var descriptor = DiagnosticDescriptors.ById[id];
        var moved = DiagnosticDescriptors.WithDocumentationUrl(descriptor, "https://example.org/d");

        Assert.DoesNotContain(WellKnownDiagnosticTags.NotConfigurable, descriptor.CustomTags);
        Assert.DoesNotContain(WellKnownDiagnosticTags.Compiler, descriptor.CustomTags);
        Assert.Equal(
            (descriptor.Id, descriptor.DefaultSeverity, descriptor.IsEnabledByDefault, descriptor.Category, descriptor.Title.ToString()),
            (moved.Id, moved.DefaultSeverity, moved.IsEnabledByDefault, moved.Category, moved.Title.ToString()));
        Assert.Equal(descriptor.CustomTags, moved.CustomTags);
        Assert.Equal("https://example.org/d#" + id.ToLowerInvariant(), moved.HelpLinkUri);
    }

    // ---- The compiler's inputs, built as the compiler builds them ----------------------------------------------

    /// <summary>
    /// An .editorconfig in <see cref="Directory"/> and a global analyzer config (as the SDK generates from the build's
    /// CompilerVisibleProperty items), parsed by Roslyn's own <see cref="AnalyzerConfigSet"/>.
    /// </summary>
    private static AnalyzerConfigSet Config(string editorconfig = "", string global = "") =>
        AnalyzerConfigSet.Create(new[]
        {
            AnalyzerConfig.Parse("root = true\n" + editorconfig, Directory + "/.editorconfig"),
            AnalyzerConfig.Parse("is_global = true\n" + global + "\n", Directory + "/obj/Sample.GeneratedMSBuildEditorConfig.editorconfig"),
        });

    private static CSharpCompilation Compilation(params string[] sources) =>
        CSharpCompilation.Create(
            GeneratorHarness.AssemblyName,
            sources.Select((source, i) => GeneratorHarness.Parse(source, $"{Directory}/{GeneratorHarness.SourcePath(i)}")),
            GeneratorHarness.References,
            GeneratorHarness.CompilationOptions);

    private static GeneratorDriver Driver(AnalyzerConfigSet config) =>
        CSharpGeneratorDriver.Create(
            new[] { new ModelGenerator().AsSourceGenerator() },
            additionalTexts: null,
            parseOptions: GeneratorHarness.ParseOptions,
            optionsProvider: new ConfigOptionsProvider(config),
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    /// <summary>Runs the generator with the config's options, on a compilation whose severities come from the same config.</summary>
    private static GeneratorRun Run(AnalyzerConfigSet config, params string[] sources)
    {
        var compilation = Compilation(sources);
        compilation = compilation.WithOptions(compilation.Options.WithSyntaxTreeOptionsProvider(new Severities(config)));
        return GeneratorHarness.Run(Driver(config), compilation);
    }

    private sealed class ConfigOptions(ImmutableDictionary<string, string> values) : AnalyzerConfigOptions
    {
        public override bool TryGetValue(string key, out string value) => values.TryGetValue(key, out value!);
    }

    private sealed class ConfigOptionsProvider(AnalyzerConfigSet config) : AnalyzerConfigOptionsProvider
    {
        public override AnalyzerConfigOptions GlobalOptions => new ConfigOptions(config.GlobalConfigOptions.AnalyzerOptions);

        public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => new ConfigOptions(config.GetOptionsForSourcePath(tree.FilePath).AnalyzerOptions);

        public override AnalyzerConfigOptions GetOptions(AdditionalText textFile) => new ConfigOptions(config.GetOptionsForSourcePath(textFile.Path).AnalyzerOptions);
    }

    /// <summary>What the compiler's own provider does: a tree's <c>dotnet_diagnostic.*.severity</c>, then the global config's.</summary>
    private sealed class Severities(AnalyzerConfigSet config) : SyntaxTreeOptionsProvider
    {
        public override GeneratedKind IsGenerated(SyntaxTree tree, CancellationToken cancellationToken) => GeneratedKind.Unknown;

        public override bool TryGetDiagnosticValue(SyntaxTree tree, string diagnosticId, CancellationToken cancellationToken, out ReportDiagnostic severity) =>
            config.GetOptionsForSourcePath(tree.FilePath).TreeOptions.TryGetValue(diagnosticId, out severity);

        public override bool TryGetGlobalDiagnosticValue(string diagnosticId, CancellationToken cancellationToken, out ReportDiagnostic severity) =>
            config.GlobalConfigOptions.TreeOptions.TryGetValue(diagnosticId, out severity);
    }
}
