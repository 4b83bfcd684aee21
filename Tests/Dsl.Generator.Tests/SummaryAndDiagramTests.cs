using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using Dsl.Generator.Tests.Infrastructure;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Xunit;
using static Dsl.Generator.Tests.DiagnosticChecks;

namespace Dsl.Generator.Tests;

/// <summary>
/// The generated <c>Summary</c>, <c>SummaryExpanded</c> and <c>Diagram</c>, read back from the generated source (the
/// folded summary, a literal) or by running the generated code (the other two, composed from the blocks' parts):
/// columns, folded and expanded blocks, totals that add up, formulas for named dimensions, and a diagram that is
/// valid DOT for every example with node and edge counts checked by hand for a small model. With
/// <c>DSL_WRITE_DIAGRAMS=dir</c>, writes each example model's diagram to <c>dir/Model.dot</c> (docs/diagrams/regenerate.sh).
/// </summary>
public class SummaryAndDiagramTests
{
    private const string Small = """
        [Block]
        [Conv2d(Channels.Same, 3, Padding = 1, Name = "a"), ReLU(Name = "b")]
        [Skip("input", "b")]
        public partial class Res { }

        [Model(4, 8, 8)]
        [Conv2d(8, 1, Name = "stem")]
        [Use<Res>(Repeat = 2, Name = "stage")]
        [Conv2d(8, 1, Name = "head")]
        [Skip("stem", "head", Mode = SkipMode.Concat)]
        public partial class Small { }
        """;

    public static TheoryData<string> ExampleModels()
    {
        var data = new TheoryData<string>();
        foreach (var model in ExampleSources().Keys)
        {
            data.Add(model);
        }

        return data;
    }

    [Fact]
    public void A_small_model_diagram_has_a_node_per_layer_an_edge_per_data_flow_and_a_dashed_edge_per_skip()
    {
        var dot = GeneratedValues.StaticString(Run(Small), "Small", "Diagram");

        // input, stem, stage.0.a, stage.0.b, stage.1.a, stage.1.b, head.
        Assert.Equal(
            new[] { "input", "stem", "stage.0.a", "stage.0.b", "stage.1.a", "stage.1.b", "head" },
            Regex.Matches(dot, "^\\s*\"([^\"]+)\" \\[label=", RegexOptions.Multiline).Select(m => m.Groups[1].Value));
        Assert.Equal(2, Regex.Matches(dot, "subgraph \"cluster_").Count);
        Assert.Contains("subgraph \"cluster_stage.1\" {", dot);
        var edges = Regex.Matches(dot, "^\\s*(\"[^\"]+\" -> \"[^\"]+\")(.*);$", RegexOptions.Multiline)
            .Select(m => (Edge: m.Groups[1].Value, Skip: m.Groups[2].Value.Contains("dashed"), Label: Regex.Match(m.Groups[2].Value, "label=\"([^\"]*)\"").Groups[1].Value))
            .ToList();
        Assert.Equal(
            new[] { "\"input\" -> \"stem\"", "\"stem\" -> \"stage.0.a\"", "\"stage.0.a\" -> \"stage.0.b\"", "\"stage.0.b\" -> \"stage.1.a\"", "\"stage.1.a\" -> \"stage.1.b\"", "\"stage.1.b\" -> \"head\"" },
            edges.Where(e => !e.Skip).Select(e => e.Edge));
        Assert.Equal(
            new[] { ("\"stem\" -> \"stage.0.b\"", "Add"), ("\"stage.0.b\" -> \"stage.1.b\"", "Add"), ("\"stem\" -> \"head\"", "Concat") },
            edges.Where(e => e.Skip).Select(e => (e.Edge, e.Label)));
        Assert.Contains("\"head\" [label=\"head\\nConv2d\\n[N, 8, 8, 8]\\nafter skips: [N, 16, 8, 8]\"];", dot);
        Assert.Contains("\"input\" [label=\"input\\n[N, 4, 8, 8]\", shape=ellipse", dot);
    }

    [Fact]
    public void A_small_model_summary_folds_the_repeated_block_and_the_expanded_one_names_every_layer()
    {
        var run = Run(Small);
        var source = run.GeneratedSource("Sample.Small.g.cs");
        var summary = StaticString(source, "Summary");
        var expanded = GeneratedValues.StaticString(run, "Small", "SummaryExpanded");

        Assert.Matches(new Regex(@"\nLayer\s+Kind\s+Inputs\s+Output shape\s+Params\s+MACs\n"), summary);
        // Per position (64 of them): stem 1·1·4·8, each Res 3·3·8·8, head 1·1·8·8 (its input is stage's output; the concat comes after it).
        Assert.Matches(new Regex(@"\nstem\s+Conv2d\s+input\s+\[N, 8, 8, 8\]\s+40\s+2,048\n"), summary);
        Assert.Matches(new Regex(@"\nstage ×2\s+Res\s+stem\s+\[N, 8, 8, 8\]\s+1,168\s+73,728\n"), summary);
        Assert.Matches(new Regex(@"\nhead\s+Conv2d\s+stage, stem\s+\[N, 8, 8, 8\]\s+72\s+4,096\n"), summary);
        Assert.Matches(new Regex(@"\ncat\(head, stem\)\s+Skip \(Concat\)\s+head, stem\s+\[N, 16, 8, 8\]\s+0\s+0\n"), summary);
        Assert.DoesNotContain("stage.0", summary);
        Assert.DoesNotContain("+=", summary);

        Assert.Matches(new Regex(@"\nstage\.0\s+Res\s+stem\s+\[N, 8, 8, 8\]\s+584\s+36,864\n"), expanded);
        Assert.Matches(new Regex(@"\n  stage\.1\.a\s+Conv2d\s+stage\.0\.b\s+\[N, 8, 8, 8\]\s+584\s+36,864\n"), expanded);
        Assert.Matches(new Regex(@"\n  stage\.1\.b \+ stage\.0\.b\s+Skip \(Add\)\s+stage\.1\.b, stage\.0\.b\s+"), expanded);
        Assert.Matches(new Regex(@"\nhead\s+Conv2d\s+stage\.1\.b, stem\s+"), expanded);

        // 40 + 2·584 + 72 parameters; 2,048 + 2·36,864 + 4,096 MACs; activations: stem, 2·(a, b, merge), head: 8·64 each, the concat 16·64.
        Assert.Contains("\nTotal parameters: 1,280\nTrainable parameters: 1,280\nMultiply-accumulates per example: 79,872\n", summary);
        Assert.Contains("\nParameter memory (float32): 5,120 bytes (5.0 KiB)\n", summary);
        Assert.EndsWith("\nActivation memory per example in training (float32, every layer's and merge's output): 20,480 bytes (20.0 KiB)", summary);
        Assert.Contains("public const long MultiplyAccumulates = 79872;", source);
        Assert.DoesNotContain("MultiplyAccumulatesFor", source);
    }

    [Fact]
    public void A_symbolic_model_has_formulas_and_MultiplyAccumulatesFor()
    {
        var source = Run("""
            [Model(3, "H", "W")]
            [Dim("H", MultipleOf = 2), Dim("W", MultipleOf = 2)]
            [Conv2d(4, 3, Padding = 1, Name = "c"), MaxPool2d(2), Conv2d(5, 1, Name = "fc")]
            public partial class AnySize { }
            """).GeneratedSource("Sample.AnySize.g.cs");
        var summary = StaticString(source, "Summary");

        // c: 3·3·3·4 = 108 per position over H·W; fc: 4·5 = 20 per position over H/2·W/2 = 5·H·W.
        Assert.Matches(new Regex(@"\nc\s+Conv2d\s+input\s+\[N, 4, H, W\]\s+112\s+108·H·W\n"), summary);
        Assert.Matches(new Regex(@"\nfc\s+Conv2d\s+maxpool1\s+\[N, 5, H/2, W/2\]\s+25\s+5·H·W\n"), summary);
        Assert.Contains("\nMultiply-accumulates per example: 113·H·W\n", summary);
        // 4 bytes × (c: 4·H·W, maxpool1: 4·H·W/4, fc: 5·H·W/4) elements.
        Assert.EndsWith(": 25·H·W bytes", summary);
        Assert.DoesNotContain("const long MultiplyAccumulates", source);
        Assert.Contains("public static long MultiplyAccumulatesFor(params long[] example)", source);
        Assert.Contains("return checked(113 * example[1] * example[2]);", source);
    }

    [Fact]
    public void A_projected_skip_counts_its_convolution_and_batch_norm()
    {
        var summary = StaticString(Run("""
            [Model(4, 8, 8)]
            [Conv2d(8, 3, Stride = 2, Padding = 1, Name = "c")]
            [Skip("input", "c", Projection = true)]
            public partial class Projected { }
            """).GeneratedSource("Sample.Projected.g.cs"), "Summary");

        // 1×1 convolution 4·8 per output position (4·4 of them) + batch norm one per element (8·4·4); weights 4·8 + 2·8.
        Assert.Matches(new Regex(@"\nc \+ proj\(input\)\s+Skip \(Add, projected\)\s+c, input\s+\[N, 8, 4, 4\]\s+48\s+640\n"), summary);
    }

    [Fact]
    public void A_formula_groups_thousands_and_writes_repeated_factors_as_powers()
    {
        var summary = StaticString(ExampleSources()["TextClassifier"], "Summary");

        Assert.Contains("Multiply-accumulates per example: 98,624·T + 256·T² + 256", summary);
    }

    [Theory]
    [MemberData(nameof(ExampleModels))]
    public void Every_example_expanded_summary_has_its_columns_aligned_and_a_row_per_layer_of_every_repetition(string model)
    {
        // A model with blocks composes it at run time from each block class's rows, padded to the model's columns.
        var expanded = GeneratedValues.StaticString(ExampleRuns()[model], model, "SummaryExpanded").Split('\n');
        var rules = expanded.Select((l, i) => (l, i)).Where(p => p.l.Length > 0 && p.l.All(c => c == '-')).Select(p => p.i).ToList();
        var header = expanded[1];
        var starts = new[] { "Kind", "Inputs", "Output shape" }.Select(h => header.IndexOf(h, StringComparison.Ordinal)).ToArray();
        var rows = expanded.Skip(rules[0] + 1).Take(rules[1] - rules[0] - 1).ToList();
        Assert.All(rows, row =>
        {
            Assert.Equal(expanded[rules[0]].Length, row.Length); // MACs right-aligned to the rule's end
            Assert.All(starts, start => Assert.True(row[start - 2] == ' ' && row[start - 1] == ' ' && row[start] != ' ', $"{model}: '{row}' is not aligned at column {start}"));
        });

        // Every layer's state_dict name once: the folded summary's plain rows and each repetition's inner rows.
        var names = rows.Select(r => r.Substring(0, starts[0]).Trim()).Where(n => !n.Contains(' ', StringComparison.Ordinal) && !n.Contains('(', StringComparison.Ordinal)).ToList();
        Assert.Equal(names.Count, names.Distinct(StringComparer.Ordinal).Count());
        var folded = StaticString(ExampleSources()[model], "Summary").Split('\n');
        foreach (var line in folded.Where(l => l.Contains(" ×", StringComparison.Ordinal)))
        {
            var use = line.Substring(0, line.IndexOf(" ×", StringComparison.Ordinal));
            var count = int.Parse(Regex.Match(line, " ×(\\d+)").Groups[1].Value, CultureInfo.InvariantCulture);
            Assert.Equal(Enumerable.Range(0, count).Select(r => $"{use}.{r}"), names.Where(n => Regex.IsMatch(n, $"^{Regex.Escape(use)}\\.\\d+$")));
        }
    }

    [Theory]
    [MemberData(nameof(ExampleModels))]
    public void Every_example_summary_adds_up_to_its_totals(string model)
    {
        var source = ExampleSources()[model];
        var summary = StaticString(source, "Summary");
        var lines = summary.Split('\n');
        var rules = lines.Select((l, i) => (l, i)).Where(p => p.l.Length > 0 && p.l.All(c => c == '-')).Select(p => p.i).ToList();
        var header = lines[1];
        var paramsEnd = header.IndexOf("Params", StringComparison.Ordinal) + "Params".Length;
        var rows = lines.Skip(rules[0] + 1).Take(rules[1] - rules[0] - 1).ToList();
        var parameters = rows.Sum(r => long.Parse(Regex.Match(r.Substring(0, paramsEnd), @"[\d,]+$").Value.Replace(",", ""), CultureInfo.InvariantCulture));

        Assert.Contains($"\nTotal parameters: {parameters.ToString("N0", CultureInfo.InvariantCulture)}\n", summary);
        Assert.Contains($"public const long ParameterCount = {parameters};", source);
        Assert.DoesNotContain("+=", summary);
        Assert.DoesNotContain("+=", GeneratedValues.StaticString(ExampleRuns()[model], model, "SummaryExpanded"));
        var macs = Regex.Match(source, @"public const long MultiplyAccumulates = (\d+);");
        if (macs.Success)
        {
            var sum = rows.Sum(r => long.Parse(Regex.Match(r, @"[\d,]+$").Value.Replace(",", ""), CultureInfo.InvariantCulture));
            Assert.Equal(long.Parse(macs.Groups[1].Value, CultureInfo.InvariantCulture), sum);
        }
        else
        {
            Assert.Contains("public static long MultiplyAccumulatesFor(params long[] example)", source);
        }
    }

    [GraphvizTheory]
    [MemberData(nameof(ExampleModels))]
    public void Every_example_diagram_is_valid_dot(string model)
    {
        Assert.True(Graphviz.Installed, "CI=true, but Graphviz's dot is not installed: apt-get install graphviz.");
        var (exitCode, svg, errors) = Graphviz.Render(GeneratedValues.StaticString(ExampleRuns()[model], model, "Diagram"), "svg");

        Assert.True(exitCode == 0, $"dot -Tsvg exited with {exitCode} for {model}: {errors}");
        Assert.Contains("<svg", svg);
    }

    [Theory]
    [MemberData(nameof(ExampleModels))]
    public void The_diagram_in_the_docs_is_the_current_one(string model)
    {
        var target = Environment.GetEnvironmentVariable("DSL_WRITE_DIAGRAMS");
        var diagram = GeneratedValues.StaticString(ExampleRuns()[model], model, "Diagram") + "\n";
        if (!string.IsNullOrEmpty(target))
        {
            Directory.CreateDirectory(target);
            File.WriteAllText(Path.Combine(target, model + ".dot"), diagram);
            return;
        }

        var committed = Path.Combine(ExampleSnapshotTests.RepositoryRoot(), "docs", "diagrams", model + ".dot");
        Assert.True(File.Exists(committed), $"{committed} is missing: run docs/diagrams/regenerate.sh");
        Assert.True(File.ReadAllText(committed).Replace("\r\n", "\n") == diagram, $"{committed} is stale: run docs/diagrams/regenerate.sh");
    }

    /// <summary>The value of a static string property with a literal (raw or not) in generated source.</summary>
    internal static string StaticString(string source, string property)
    {
        var declaration = CSharpSyntaxTree.ParseText(source).GetRoot().DescendantNodes().OfType<PropertyDeclarationSyntax>()
            .Single(p => p.Identifier.ValueText == property && p.Parent is ClassDeclarationSyntax c && c.Parent is not ClassDeclarationSyntax);
        return ConstantText(declaration.ExpressionBody!.Expression);
    }

    /// <summary>The value of a literal, or of literals joined with <c>+</c> (how the generator writes a value of several lines).</summary>
    internal static string ConstantText(ExpressionSyntax expression) => expression switch
    {
        LiteralExpressionSyntax literal => literal.Token.ValueText,
        BinaryExpressionSyntax { RawKind: (int)SyntaxKind.AddExpression } sum => ConstantText(sum.Left) + ConstantText(sum.Right),
        _ => throw new InvalidOperationException($"Not a literal or a sum of literals: {expression}"),
    };

    /// <summary>Every example model's generated source, by model class name (from the hint name <c>Dsl.Examples.Models.UNet.g.cs</c>).</summary>
    private static Dictionary<string, string> ExampleSources() =>
        ExampleRuns().ToDictionary(p => p.Key, p => p.Value.ModelSources.Single(s => ModelName(s.Key) == p.Key).Value, StringComparer.Ordinal);

    /// <summary>The generator's run on each example file, by the name of each model it generates.</summary>
    private static Dictionary<string, GeneratorRun> ExampleRuns()
    {
        lock (CacheLock)
        {
            return cache ??= ExampleSnapshotTests.ListExampleFiles()
                .Select(ExampleSnapshotTests.RunOn)
                .SelectMany(run => run.ModelSources.Keys.Select(hint => (Model: ModelName(hint), Run: run)))
                .ToDictionary(p => p.Model, p => p.Run, StringComparer.Ordinal);
        }
    }

    private static string ModelName(string hint) => hint.Substring(0, hint.Length - ".g.cs".Length).Split('.').Last();

    private static readonly object CacheLock = new();
    private static Dictionary<string, GeneratorRun>? cache;
}
