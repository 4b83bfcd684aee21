using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Text.RegularExpressions;
using Dsl.Generator.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Xunit;

namespace Dsl.Generator.Tests;

/// <summary>
/// The generated code compiles for consumers of both TorchSharp targets at their default language versions:
/// netstandard2.0 (C# 7.3, no nullable annotations) and net8.0 (C# 12, nullable enabled), with every warning an error
/// and every warning wave on. The generator reads the version from the parse options its output is parsed with.
/// </summary>
public class LanguageVersionTests
{
    /// <summary>The consumer's C# for the generated code: the driver parses the output with it.</summary>
    public static TheoryData<string, string> ExampleFilesAndVersions()
    {
        var data = new TheoryData<string, string>();
        foreach (var file in ExampleSnapshotTests.ListExampleFiles())
        {
            data.Add(file, "7.3");
            data.Add(file, "12");
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(ExampleFilesAndVersions))]
    public void Every_example_compiles_without_any_warning_at_the_targets_default_language_version(string exampleFile, string version)
    {
        var run = RunAt(version, File.ReadAllText(Path.Combine(ExampleSnapshotTests.RepositoryRoot(), exampleFile)), exampleFile);

        AssertNoDiagnosticsBut73FeaturesOfTheUsersSource(run, exampleFile);
        Assert.NotEmpty(run.ModelSources);
        Assert.Contains(Dsl.Generator.Emit.CatalogEmitter.HintName, run.GeneratedSources.Keys);
        Assert.All(run.GeneratedSources.Values, source =>
        {
            Assert.DoesNotContain("\"\"\"", source, StringComparison.Ordinal);
            Assert.Equal(version != "7.3", source.Contains("#nullable enable", StringComparison.Ordinal));
        });
    }

    /// <summary>A user module's checked call (no example has one), which C# 7.3 consumers cannot declare but whose code is 7.3 too.</summary>
    [Theory]
    [InlineData("7.3")]
    [InlineData("12")]
    public void A_user_module_layer_compiles_without_warnings(string version)
    {
        var run = RunAt(version, """
            using Dsl;
            using TorchSharp;
            namespace Sample
            {
                public sealed class Identity : torch.nn.Module<torch.Tensor, torch.Tensor>
                {
                    public Identity() : base(nameof(Identity)) { }

                    public override torch.Tensor forward(torch.Tensor x) => x.alias();
                }

                [Model(6)]
                [Module<Identity>, Linear(3)]
                public partial class WithModule { }
            }
            """, GeneratorHarness.SourcePath(0));

        AssertNoDiagnosticsBut73FeaturesOfTheUsersSource(run, GeneratorHarness.SourcePath(0));
        Assert.Contains(" CheckedCall(", run.GeneratedSource("Sample.WithModule.g.cs"), StringComparison.Ordinal);
    }

    /// <summary>After a DSL error the stand-in class (which keeps the consumer free of CS errors) is C# 7.3 too.</summary>
    [Theory]
    [InlineData("7.3")]
    [InlineData("12")]
    public void A_model_with_errors_still_gets_a_stand_in_that_compiles_without_warnings(string version)
    {
        var run = RunAt(version, """
            using Dsl;
            namespace Sample
            {
                [Model(1, 8, 8)]
                [Conv2d(4, 9)]
                public partial class Broken { }
            }
            """, GeneratorHarness.SourcePath(0));

        Assert.NotEmpty(run.GeneratorDiagnostics);
        Assert.All(run.GeneratorDiagnostics, d => Assert.StartsWith("DSL", d.Id, StringComparison.Ordinal));
        AssertNoDiagnosticsBut73FeaturesOfTheUsersSource(run, GeneratorHarness.SourcePath(0), generatorDiagnosticsExpected: true);
        Assert.DoesNotContain("\"\"\"", run.GeneratedSource("Sample.Broken.g.cs"), StringComparison.Ordinal);
    }

    /// <summary>
    /// A consumer whose whole project is C# 7.3 (a netstandard2.0 library's default): its own models use no generic
    /// attribute, and every helper the generator can emit (GroupNorm, attention, positions, Highway, ReZero and
    /// LayerScale with DropPath, alignment, a user module) compiles with no diagnostic at all.
    /// </summary>
    [Fact]
    public void A_csharp_7_3_project_gets_every_helper_without_any_warning()
    {
        const string source = """
            using Dsl;
            namespace Sample
            {
                [Model(16)]
                [Embedding(100, 32, Name = "embed"), PositionalEmbedding(16)]
                [LayerNorm(Name = "ln1"), MultiHeadAttention(4, Name = "attn")]
                [Skip("embed", "attn", Scale = SkipScale.Scalar, DropPath = 0.1)]
                [Linear(32, Name = "fc")]
                [Skip("attn", "fc", Scale = SkipScale.PerChannel)]
                [Flatten, Linear(4)]
                public partial class Sequence { }

                [Model(3, 9, 9)]
                [Conv2d(8, 3, Name = "enc"), GroupNorm(2), ReLU(Name = "act")]
                [MaxPool2d(2), Upsample(2, Name = "up")]
                [Skip("act", "up", Mode = SkipMode.Concat, Align = SkipAlign.Crop)]
                [Conv2d(16, 1, Name = "mix")]
                [Skip("up", "mix", Mode = SkipMode.Highway)]
                [GlobalAvgPool]
                public partial class Image { }
            }
            """;
        var options = CSharpParseOptions.Default.WithLanguageVersion(LanguageVersion.CSharp7_3);
        var compilation = CSharpCompilation.Create(
            GeneratorHarness.AssemblyName,
            new[] { CSharpSyntaxTree.ParseText(source, options, GeneratorHarness.SourcePath(0)) },
            GeneratorHarness.References,
            GeneratorHarness.CompilationOptions.WithNullableContextOptions(NullableContextOptions.Disable)
                .WithGeneralDiagnosticOption(ReportDiagnostic.Error).WithWarningLevel(9999));

        var run = GeneratorHarness.Run(compilation);

        run.AssertNoDiagnostics();
        var code = string.Concat(run.GeneratedSources.Values);
        foreach (var helper in new[] { "WithAffineIdentity", "SelfAttention", "AddPositions", "ResidualAdd", "AlignCentre", "HighwayMerge" })
        {
            Assert.Contains($" {helper}(", code, StringComparison.Ordinal);
        }
    }

    /// <summary>
    /// The Summary is a table of lines written as one literal per line: its value (what the compiler makes of the
    /// literals) is the table of the class's XML remarks, line for line, with no trailing newline.
    /// </summary>
    [Theory]
    [InlineData("7.3")]
    [InlineData("12")]
    public void The_summary_value_is_the_table_of_the_remarks(string version)
    {
        var file = ExampleSnapshotTests.ListExampleFiles().Single(f => f.EndsWith("/ResNet.cs", StringComparison.Ordinal));
        var run = RunAt(version, File.ReadAllText(Path.Combine(ExampleSnapshotTests.RepositoryRoot(), file)), file);
        var hint = run.ModelSources.Keys.Single(h => h.EndsWith(".ResNet20.g.cs", StringComparison.Ordinal));
        var tree = run.OutputCompilation.SyntaxTrees.Single(t => t.FilePath.EndsWith(hint, StringComparison.Ordinal));
        var property = tree.GetRoot().DescendantNodes().OfType<PropertyDeclarationSyntax>().Single(p => p.Identifier.ValueText == "Summary");
        var constant = run.OutputCompilation.GetSemanticModel(tree).GetConstantValue(property.ExpressionBody!.Expression);

        var remarks = Regex.Match(tree.ToString(), "/// <code>\n(.*?)\n *?/// </code>", RegexOptions.Singleline).Groups[1].Value;
        var table = string.Join("\n", remarks.Split('\n').Select(line => WebUtility.HtmlDecode(Regex.Replace(line, "^ *///( |$)", ""))));
        Assert.True(constant.HasValue);
        Assert.Equal(table, (string)constant.Value!);
        Assert.Equal(table, SummaryAndDiagramTests.StaticString(run.GeneratedSources[hint], "Summary"));
        Assert.StartsWith("ResNet20: [N, 1, 28, 28] -> [N, 10]\nLayer", table, StringComparison.Ordinal);
    }

    /// <summary>
    /// Runs the generator with the consumer's parse options at <paramref name="version"/> (its output is parsed with
    /// them) and compiles that output with the consumer's source parsed at the same version (a compilation has one
    /// language version): nullable enabled from C# 8 on (C# 7.3 cannot enable it), warnings as errors, every warning
    /// wave. The generator reads the source at the latest version, as the examples use C# 11's generic attributes.
    /// </summary>
    private static GeneratorRun RunAt(string version, string source, string path)
    {
        var languageVersion = version == "7.3" ? LanguageVersion.CSharp7_3 : LanguageVersion.CSharp12;
        var parseOptions = CSharpParseOptions.Default.WithLanguageVersion(languageVersion);
        var options = GeneratorHarness.CompilationOptions
            .WithNullableContextOptions(languageVersion >= LanguageVersion.CSharp8 ? NullableContextOptions.Enable : NullableContextOptions.Disable)
            .WithGeneralDiagnosticOption(ReportDiagnostic.Error)
            .WithWarningLevel(9999);
        var input = CSharpCompilation.Create(GeneratorHarness.AssemblyName, new[] { GeneratorHarness.Parse(source, path) }, GeneratorHarness.References, options);
        var driver = GeneratorHarness.CreateDriver(parseOptions).RunGenerators(input);
        var result = driver.GetRunResult();
        Assert.All(result.Results, r => Assert.Null(r.Exception));

        var generated = result.Results.SelectMany(r => r.GeneratedSources).ToList();
        Assert.NotEmpty(generated);
        // The generated trees really are parsed at that version (else this test would test nothing).
        Assert.All(generated, g => Assert.Equal(languageVersion, ((CSharpParseOptions)g.SyntaxTree.Options).LanguageVersion));
        var output = CSharpCompilation.Create(
            GeneratorHarness.AssemblyName,
            new[] { CSharpSyntaxTree.ParseText(source, parseOptions, path) }.Concat(generated.Select(g => g.SyntaxTree)),
            GeneratorHarness.References,
            options);
        return new GeneratorRun(driver, result, input, output,
            generated.ToDictionary(g => g.HintName, g => g.SourceText.ToString(), StringComparer.Ordinal),
            GeneratorHarness.Sort(result.Diagnostics),
            GeneratorHarness.Sort(output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning)));
    }

    /// <summary>
    /// Fails on any warning or error but one kind: in the consumer's own source at C# 7.3, the features it lacks. The
    /// examples use file-scoped namespaces and C# 11's generic attributes (<c>[Use&lt;T&gt;]</c>), which a C# 7.3
    /// consumer cannot write; the subject here is the generated code, which must have no diagnostic at all.
    /// </summary>
    private static void AssertNoDiagnosticsBut73FeaturesOfTheUsersSource(GeneratorRun run, string userPath, bool generatorDiagnosticsExpected = false)
    {
        var unexpected = run.CompilationDiagnostics
            .Where(d => !(d.Location.SourceTree?.FilePath == userPath && d.GetMessage(CultureInfo.InvariantCulture).Contains("is not available in C# 7.3", StringComparison.Ordinal)))
            .ToList();
        if (unexpected.Count == 0 && (generatorDiagnosticsExpected || run.GeneratorDiagnostics.IsEmpty))
        {
            return;
        }

        throw new Xunit.Sdk.XunitException(
            "Expected no warnings or errors.\n\nGenerator diagnostics:\n" + GeneratorHarness.RenderDiagnostics(run.GeneratorDiagnostics) +
            "\nCompilation diagnostics:\n" + GeneratorHarness.RenderDiagnostics(unexpected.ToImmutableArray()) +
            "\nGenerated sources:\n" + run.DescribeGeneratedSources());
    }
}
