using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using System.Text;
using Dsl.Generator.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Xunit;
using Xunit.Sdk;

namespace Dsl.Generator.Tests;

/// <summary>
/// Finds generator diagnostics by marker comments in the test sources (<c>// DSL005</c> on the line the error belongs
/// to) and checks their ID, severity, line, underlined text and message.
/// </summary>
internal static class DiagnosticChecks
{
    /// <summary>Prepended to every source under test, which becomes <c>Model0.cs</c>.</summary>
    public const string Prelude = "using Dsl;\n\nnamespace Sample;\n\n";

    /// <summary>A model beside the one under test, in <c>Model1.cs</c>: it must always still be generated.</summary>
    public const string ValidModel = """
        using Dsl;

        namespace Sample;

        [Model(1, 28, 28)]
        [Conv2d(8, 3, Padding = 1), ReLU, GlobalAvgPool, Linear(10)]
        public partial class Valid { }
        """;

    public const string ValidHintName = "Sample.Valid.g.cs";

    /// <summary>Runs the generator on <paramref name="source"/> (after <see cref="Prelude"/>) beside <see cref="ValidModel"/>.</summary>
    public static GeneratorRun Run(string source) => GeneratorHarness.Run(Prelude + source, ValidModel);

    /// <summary>The 1-based line of the only line of <paramref name="path"/> that contains <paramref name="marker"/>.</summary>
    public static int LineOf(GeneratorRun run, string marker, string path = "Model0.cs")
    {
        var lines = Text(run, path).Split('\n');
        var found = Enumerable.Range(0, lines.Length).Where(i => lines[i].Contains(marker, StringComparison.Ordinal)).ToList();
        if (found.Count != 1)
        {
            throw new XunitException(
                $"Expected exactly one line of {path} containing \"{marker}\", found {found.Count}:\n" +
                GeneratorHarness.WithLineNumbers(Text(run, path)));
        }

        return found[0] + 1;
    }

    /// <summary>The 1-based line a diagnostic starts on.</summary>
    public static int Line(Diagnostic diagnostic) => diagnostic.Location.GetLineSpan().StartLinePosition.Line + 1;

    /// <summary>The file a diagnostic is in (<c>Model0.cs</c>, …).</summary>
    public static string FileOf(Diagnostic diagnostic) => diagnostic.Location.GetLineSpan().Path;

    /// <summary>The message, formatted invariantly.</summary>
    public static string Message(Diagnostic diagnostic) => diagnostic.GetMessage(CultureInfo.InvariantCulture);

    /// <summary>The source text a diagnostic underlines.</summary>
    public static string Underlined(GeneratorRun run, Diagnostic diagnostic)
    {
        var text = Text(run, FileOf(diagnostic));
        var span = diagnostic.Location.SourceSpan;
        Assert.True(span.End <= text.Length, $"The span {span} lies outside {FileOf(diagnostic)}.");
        return text.Substring(span.Start, span.Length);
    }

    /// <summary>The only generator diagnostic; fails, showing them all, unless there is exactly one and it has <paramref name="id"/>.</summary>
    public static Diagnostic Single(GeneratorRun run, string id)
    {
        if (run.GeneratorDiagnostics.Length != 1 || run.GeneratorDiagnostics[0].Id != id)
        {
            throw new XunitException($"Expected exactly one generator diagnostic, {id}.\n" + Describe(run));
        }

        return run.GeneratorDiagnostics[0];
    }

    /// <summary>
    /// Checks that a diagnostic is an error on the line of <paramref name="marker"/> in <c>Model0.cs</c> and, when
    /// <paramref name="underlines"/> is given, that it underlines exactly that text (the attribute or argument at fault).
    /// </summary>
    public static void AssertAt(GeneratorRun run, Diagnostic diagnostic, string marker, string? underlines = null)
    {
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.DefaultSeverity);
        Assert.Equal("Model0.cs", FileOf(diagnostic));
        Assert.True(
            LineOf(run, marker) == Line(diagnostic),
            $"Expected {diagnostic.Id} on the line of \"{marker}\" (line {LineOf(run, marker)}), but it is on line {Line(diagnostic)}.\n" +
            Describe(run));
        if (underlines is not null)
        {
            Assert.Equal(underlines, Underlined(run, diagnostic));
        }
    }

    /// <summary>The generator's diagnostics rendered with their source lines (<see cref="GeneratorHarness.RenderDiagnostics"/>).</summary>
    public static string Render(GeneratorRun run) => GeneratorHarness.RenderDiagnostics(run.GeneratorDiagnostics);

    /// <summary>Everything a failure message needs: generator and compiler diagnostics, generated hint names, the sources.</summary>
    public static string Describe(GeneratorRun run)
    {
        var text = new StringBuilder();
        text.Append("Generator diagnostics:\n").Append(run.GeneratorDiagnostics.IsEmpty ? "(none)\n" : Render(run));
        text.Append("Compiler diagnostics:\n")
            .Append(run.CompilationDiagnostics.IsEmpty ? "(none)\n" : GeneratorHarness.RenderDiagnostics(run.CompilationDiagnostics));
        text.Append("Generated: ").Append(run.GeneratedSources.Count == 0 ? "(nothing)" : string.Join(", ", run.GeneratedSources.Keys)).Append('\n');
        foreach (var tree in run.InputCompilation.SyntaxTrees)
        {
            text.Append("---- ").Append(tree.FilePath).Append(" ----\n").Append(GeneratorHarness.WithLineNumbers(tree.ToString()));
        }

        return text.ToString();
    }

    /// <summary>The IDs of the generator's diagnostics, in location order.</summary>
    public static IReadOnlyList<string> Ids(GeneratorRun run) => run.GeneratorDiagnostics.Select(d => d.Id).ToArray();

    private static string Text(GeneratorRun run, string path) =>
        Snapshot.NormalizeLineEndings(
            (run.InputCompilation.SyntaxTrees.SingleOrDefault(t => t.FilePath == path)
                ?? throw new XunitException($"No source {path} in the compilation.")).ToString());

    /// <summary>The generated files that hold a network (not the fallback class of a model with DSL errors).</summary>
    public static IEnumerable<string> BuiltModels(GeneratorRun run) =>
        run.ModelSources.Where(s => !s.Value.Contains(FallbackMarker, StringComparison.Ordinal)).Select(s => s.Key);

    /// <summary>What the fallback class of a model with DSL errors says about itself.</summary>
    public const string FallbackMarker = "Not generated: the layer attributes of this class have DSL errors";

    /// <summary>
    /// Exactly one generator diagnostic, <paramref name="id"/>: an error on the line of <paramref name="marker"/>,
    /// underlining <paramref name="underlines"/>, with the message <paramref name="message"/>; and only the valid model is generated.
    /// </summary>
    public static void ExpectOnly(GeneratorRun run, string id, string marker, string underlines, string message)
    {
        var diagnostic = Single(run, id);
        AssertAt(run, diagnostic, marker, underlines);
        Assert.Equal(message, Message(diagnostic));
        AssertOnlyTheValidModelIsGenerated(run);
    }

    /// <summary>
    /// Only the valid model gets its network; a broken model gets at most the fallback class (base type,
    /// constructor, a forward that throws), so the output compiles without a cascade of CS errors.
    /// </summary>
    public static void AssertOnlyTheValidModelIsGenerated(GeneratorRun run)
    {
        Assert.True(
            BuiltModels(run).SequenceEqual([ValidHintName]),
            $"Expected only {ValidHintName} to be generated (others only as the fallback class).\n" + Describe(run));
        Assert.True(run.CompilationDiagnostics.IsEmpty, "Expected the output compilation to have no errors or warnings.\n" + Describe(run));
    }
}
