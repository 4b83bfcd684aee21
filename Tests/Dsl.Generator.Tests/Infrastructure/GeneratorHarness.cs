using System;
using System.Collections;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;
using Xunit.Sdk;

namespace Dsl.Generator.Tests.Infrastructure;

/// <summary>
/// Runs <see cref="ModelGenerator"/> (or a stand-in) in-process on a compilation and checks the results:
/// diagnostics, generated sources, and incrementality (step run reasons and what the pipeline holds on to).
/// Any exception thrown by a generator fails the test: the generator must never throw.
/// </summary>
public static class GeneratorHarness
{
    /// <summary>The file name of the <c>i</c>-th source given to <see cref="CreateCompilation"/>: <c>Model{i}.cs</c>.</summary>
    public static string SourcePath(int index) => $"Model{index.ToString(CultureInfo.InvariantCulture)}.cs";

    /// <summary>The assembly name of compilations made here.</summary>
    public const string AssemblyName = "Dsl.Generator.Tests.Input";

    /// <summary>C# latest.</summary>
    public static CSharpParseOptions ParseOptions { get; } =
        CSharpParseOptions.Default.WithLanguageVersion(LanguageVersion.Latest);

    /// <summary>
    /// A library with nullable enabled; CS1701/CS1702 (assembly version unification) are off, as in the SDK.
    /// </summary>
    public static CSharpCompilationOptions CompilationOptions { get; } =
        new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable)
            .WithSpecificDiagnosticOptions(new Dictionary<string, ReportDiagnostic>
            {
                ["CS1701"] = ReportDiagnostic.Suppress,
                ["CS1702"] = ReportDiagnostic.Suppress,
            });

    private static readonly Lazy<ImmutableArray<MetadataReference>> LazyReferences = new(LoadReferences);

    /// <summary>
    /// What a project using the DSL compiles against: the .NET shared framework (the trusted platform assemblies of this
    /// process that live in the framework directory), <c>Dsl.Attributes</c>, and managed TorchSharp with the assemblies
    /// it references. Test-only assemblies (xunit, Roslyn, the generator, this one) are left out, so generated code that
    /// leaned on them would fail here as it would in a user's project.
    /// </summary>
    public static ImmutableArray<MetadataReference> References => LazyReferences.Value;

    /// <summary>Parses each source as <c>Model0.cs</c>, <c>Model1.cs</c>, … into a compilation (see <see cref="CompilationOptions"/>).</summary>
    public static CSharpCompilation CreateCompilation(params string[] sources) =>
        CSharpCompilation.Create(
            AssemblyName,
            sources.Select((source, i) => Parse(source, SourcePath(i))),
            References,
            CompilationOptions);

    /// <summary>Parses a source with <see cref="ParseOptions"/> under the given file path.</summary>
    public static SyntaxTree Parse(string source, string path) =>
        CSharpSyntaxTree.ParseText(SourceText.From(source, Encoding.UTF8), ParseOptions, path);

    /// <summary>Adds a source as the next <c>Model{n}.cs</c>.</summary>
    public static CSharpCompilation AddSource(CSharpCompilation compilation, string source) =>
        compilation.AddSyntaxTrees(Parse(source, NextSourcePath(compilation)));

    /// <summary>Replaces the text of the tree at <paramref name="path"/> (e.g. <c>Model0.cs</c>), keeping its path.</summary>
    public static CSharpCompilation ReplaceSource(CSharpCompilation compilation, string path, string newSource)
    {
        var old = compilation.SyntaxTrees.SingleOrDefault(t => t.FilePath == path)
            ?? throw new ArgumentException(
                $"No syntax tree '{path}'; the trees are: {string.Join(", ", compilation.SyntaxTrees.Select(t => t.FilePath))}",
                nameof(path));
        return compilation.ReplaceSyntaxTree(old, old.WithChangedText(SourceText.From(newSource, Encoding.UTF8)));
    }

    /// <summary>A driver for <see cref="ModelGenerator"/> that tracks incremental steps.</summary>
    public static GeneratorDriver CreateDriver(CSharpParseOptions? parseOptions = null) =>
        CreateDriver(new ModelGenerator(), parseOptions);

    /// <summary>A driver for any incremental generator (e.g. a stand-in) that tracks incremental steps.</summary>
    public static GeneratorDriver CreateDriver(IIncrementalGenerator generator, CSharpParseOptions? parseOptions = null) =>
        CSharpGeneratorDriver.Create(
            new[] { generator.AsSourceGenerator() },
            additionalTexts: null,
            parseOptions: parseOptions ?? ParseOptions,
            optionsProvider: null,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    /// <summary>Runs <see cref="ModelGenerator"/> on a compilation of the sources.</summary>
    public static GeneratorRun Run(params string[] sources) => Run(CreateCompilation(sources));

    /// <summary>Runs <see cref="ModelGenerator"/> on a compilation.</summary>
    public static GeneratorRun Run(CSharpCompilation compilation) => Run(compilation, new ModelGenerator());

    /// <summary>Runs any incremental generator on a compilation (for stand-ins in the harness's own tests).</summary>
    public static GeneratorRun Run(CSharpCompilation compilation, IIncrementalGenerator generator) =>
        Run(CreateDriver(generator, ParseOptionsOf(compilation)), compilation);

    /// <summary>
    /// Runs a driver (a new one, or <see cref="GeneratorRun.Driver"/> of an earlier run to test incrementality) on a
    /// compilation. Fails the test if any generator threw.
    /// </summary>
    public static GeneratorRun Run(GeneratorDriver driver, CSharpCompilation compilation)
    {
        var next = driver.RunGeneratorsAndUpdateCompilation(compilation, out var output, out var driverDiagnostics);
        var result = next.GetRunResult();
        AssertNoGeneratorExceptions(result, driverDiagnostics);

        var sources = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var generated in result.Results.SelectMany(r => r.GeneratedSources))
        {
            sources.Add(generated.HintName, generated.SourceText.ToString());
        }

        var generatorDiagnostics = Sort(result.Diagnostics.Concat(driverDiagnostics).Distinct());
        var compilationDiagnostics = Sort(output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning));
        return new GeneratorRun(next, result, compilation, output, sources, generatorDiagnostics, compilationDiagnostics);
    }

    /// <summary>
    /// Fails if any output of any run of the tracked step <paramref name="trackingName"/> has a reason outside
    /// <paramref name="allowed"/>, or if no step has that name. The message lists every tracked step's reasons.
    /// </summary>
    /// <example><c>AssertStepReasons(rerun.Result, TrackingNames.Models, IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged)</c></example>
    public static void AssertStepReasons(GeneratorDriverRunResult result, string trackingName, params IncrementalStepRunReason[] allowed)
    {
        if (allowed.Length == 0)
        {
            throw new ArgumentException("Name at least one allowed reason.", nameof(allowed));
        }

        var steps = StepsNamed(result, trackingName);
        if (steps.Count == 0)
        {
            throw new XunitException(
                $"No tracked step is named \"{trackingName}\" (add .WithTrackingName(...) in the pipeline).\n" + DescribeSteps(result));
        }

        var wrong = new List<string>();
        foreach (var (step, run) in steps.Select((s, i) => (s, i)))
        {
            for (var i = 0; i < step.Outputs.Length; i++)
            {
                var reason = step.Outputs[i].Reason;
                if (Array.IndexOf(allowed, reason) < 0)
                {
                    wrong.Add($"  run {run}, output {i}: {reason}  {Abbreviate(step.Outputs[i].Value)}");
                }
            }
        }

        if (wrong.Count > 0)
        {
            throw new XunitException(
                $"Step \"{trackingName}\" has outputs whose reason is not {string.Join(" or ", allowed)}:\n" +
                string.Join("\n", wrong) + "\n\n" + DescribeSteps(result));
        }
    }

    /// <summary>The reason of every output of every run of a tracked step, in order (empty if there is no such step).</summary>
    public static IReadOnlyList<IncrementalStepRunReason> StepReasons(GeneratorDriverRunResult result, string trackingName) =>
        StepsNamed(result, trackingName).SelectMany(s => s.Outputs).Select(o => o.Reason).ToArray();

    /// <summary>
    /// Every tracked step of every generator — the generator's own first, then Roslyn's — each run with each output's
    /// reason and value, for failure messages.
    /// </summary>
    public static string DescribeSteps(GeneratorDriverRunResult result)
    {
        var text = new StringBuilder();
        foreach (var generator in result.Results)
        {
            var all = generator.TrackedSteps
                .Concat(generator.TrackedOutputSteps.Where(p => !generator.TrackedSteps.ContainsKey(p.Key)))
                .OrderBy(p => p.Key, StringComparer.Ordinal)
                .ToList();
            text.Append("Tracked steps of ").Append(generator.Generator.GetGeneratorType().Name).Append(":\n");
            Describe(all.Where(p => !IsRoslynInternalStep(p.Key)));
            text.Append("Roslyn's own steps:\n");
            Describe(all.Where(p => IsRoslynInternalStep(p.Key)));
        }

        return text.ToString();

        void Describe(IEnumerable<KeyValuePair<string, ImmutableArray<IncrementalGeneratorRunStep>>> steps)
        {
            foreach (var pair in steps)
            {
                for (var run = 0; run < pair.Value.Length; run++)
                {
                    var step = pair.Value[run];
                    text.Append("  ").Append(pair.Key).Append(" [run ").Append(run).Append("]:");
                    if (step.Outputs.IsEmpty)
                    {
                        text.Append(" (no outputs)");
                    }

                    text.Append('\n');
                    for (var i = 0; i < step.Outputs.Length; i++)
                    {
                        text.Append("    output ").Append(i).Append(": ").Append(step.Outputs[i].Reason)
                            .Append("  ").Append(Abbreviate(step.Outputs[i].Value)).Append('\n');
                    }
                }
            }
        }
    }

    /// <summary>
    /// Whether a tracking name belongs to a step Roslyn adds itself: the shared inputs (<c>Compilation</c>, …), the
    /// source outputs, and the internals of <c>ForAttributeWithMetadataName</c>. They hold syntax, compilations and
    /// diagnostics by design. <c>result_ForAttributeWithMetadataName</c> is not one of them: it holds the results of
    /// the generator's own transform (when the generator does not rename it with <c>WithTrackingName</c>).
    /// </summary>
    public static bool IsRoslynInternalStep(string trackingName) =>
        trackingName is "Compilation" or "CompilationOptions" or "ParseOptions" or "AdditionalTexts" or "SyntaxTrees"
            or "AnalyzerConfigOptions" or "MetadataReferences" or "SourceOutput" or "ImplementationSourceOutput"
        || trackingName.EndsWith("_ForAttribute", StringComparison.Ordinal)
        || trackingName.EndsWith("_ForAttributeInternal", StringComparison.Ordinal)
        || (trackingName.EndsWith("_ForAttributeWithMetadataName", StringComparison.Ordinal)
            && trackingName != "result_ForAttributeWithMetadataName");

    /// <summary>The names of the generator's own tracked steps in a run (Roslyn's are left out), in ordinal order.</summary>
    public static IReadOnlyList<string> TrackedStepNames(GeneratorDriverRunResult result) =>
        result.Results
            .SelectMany(r => r.TrackedSteps.Keys)
            .Where(name => !IsRoslynInternalStep(name))
            .Distinct()
            .OrderBy(name => name, StringComparer.Ordinal)
            .ToArray();

    /// <summary>
    /// The values of the <c>const string</c> fields of <c>Dsl.Generator.TrackingNames</c> in the generator assembly,
    /// in ordinal order; empty while that class does not exist.
    /// </summary>
    public static IReadOnlyList<string> DeclaredTrackingNames()
    {
        var type = typeof(ModelGenerator).Assembly.GetType("Dsl.Generator.TrackingNames");
        if (type is null)
        {
            return [];
        }

        return type.GetFields(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)
            .Where(f => f.IsLiteral && f.FieldType == typeof(string))
            .Select(f => (string)f.GetRawConstantValue()!)
            .OrderBy(name => name, StringComparer.Ordinal)
            .ToArray();
    }

    /// <summary>
    /// Walks the outputs of tracked steps — every step the generator named, or only <paramref name="trackingNames"/> —
    /// through fields (which include auto-property backing fields), arrays, collections and tuples, and fails if it meets
    /// a <see cref="Compilation"/>, <see cref="ISymbol"/>, <see cref="SyntaxNode"/>, <see cref="SyntaxTree"/>,
    /// <see cref="SemanticModel"/> or <see cref="Location"/>. Such values defeat caching (they differ every
    /// compilation) and keep old compilations alive.
    /// </summary>
    public static void AssertNoForbiddenTypes(GeneratorDriverRunResult result, params string[] trackingNames)
    {
        var found = new List<string>();
        var walked = new List<string>();
        foreach (var generator in result.Results)
        {
            foreach (var name in trackingNames)
            {
                if (!generator.TrackedSteps.ContainsKey(name))
                {
                    throw new XunitException($"No tracked step is named \"{name}\".\n" + DescribeSteps(result));
                }
            }

            foreach (var pair in generator.TrackedSteps.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                var included = trackingNames.Length > 0 ? trackingNames.Contains(pair.Key) : !IsRoslynInternalStep(pair.Key);
                if (!included)
                {
                    continue;
                }

                walked.Add(pair.Key);
                for (var run = 0; run < pair.Value.Length; run++)
                {
                    var outputs = pair.Value[run].Outputs;
                    for (var i = 0; i < outputs.Length; i++)
                    {
                        ObjectGraphWalker.FindForbidden(outputs[i].Value, $"\"{pair.Key}\" run {run} output {i}", found);
                    }
                }
            }
        }

        if (found.Count > 0)
        {
            throw new XunitException(
                "Pipeline outputs hold values that must not be cached (compilations, symbols, syntax, semantic models, " +
                "locations); copy what is needed into equatable records instead:\n" +
                string.Join("\n", found.Select(f => "  " + f)) +
                $"\n(walked steps: {string.Join(", ", walked)})");
        }
    }

    /// <summary>
    /// One block per diagnostic, for readable diagnostic snapshots:
    /// <code>
    /// DSL005 error at Model0.cs(12,2): message
    ///    12 | [Conv2d(16, 3)]
    ///       |  ^^^^^^^^^^^^
    /// </code>
    /// Lines and columns are 1-based. A span over several lines shows up to three of them.
    /// </summary>
    public static string RenderDiagnostics(IEnumerable<Diagnostic> diagnostics)
    {
        var text = new StringBuilder();
        foreach (var diagnostic in diagnostics)
        {
            RenderDiagnostic(diagnostic, text);
        }

        return text.ToString();
    }

    /// <summary>Source text with 1-based line numbers, for failure messages.</summary>
    public static string WithLineNumbers(string source)
    {
        var normalized = Snapshot.NormalizeLineEndings(source);
        var lines = (normalized.EndsWith("\n", StringComparison.Ordinal) ? normalized[..^1] : normalized).Split('\n');
        var width = lines.Length.ToString(CultureInfo.InvariantCulture).Length;
        var text = new StringBuilder();
        for (var i = 0; i < lines.Length; i++)
        {
            text.Append((i + 1).ToString(CultureInfo.InvariantCulture).PadLeft(width)).Append(" | ").Append(lines[i]).Append('\n');
        }

        return text.ToString();
    }

    /// <summary>Sorts diagnostics by file, position, id and message.</summary>
    public static ImmutableArray<Diagnostic> Sort(IEnumerable<Diagnostic> diagnostics) =>
        diagnostics
            .OrderBy(d => d.Location.SourceTree?.FilePath ?? "", StringComparer.Ordinal)
            .ThenBy(d => d.Location.SourceSpan.Start)
            .ThenBy(d => d.Location.SourceSpan.End)
            .ThenBy(d => d.Id, StringComparer.Ordinal)
            .ThenBy(d => d.GetMessage(CultureInfo.InvariantCulture), StringComparer.Ordinal)
            .ToImmutableArray();

    private static void RenderDiagnostic(Diagnostic diagnostic, StringBuilder text)
    {
        var severity = diagnostic.Severity.ToString().ToLowerInvariant();
        var message = diagnostic.GetMessage(CultureInfo.InvariantCulture);
        var location = diagnostic.Location;
        if (!location.IsInSource || location.SourceTree is null)
        {
            text.Append(diagnostic.Id).Append(' ').Append(severity).Append(": ").Append(message).Append('\n');
            return;
        }

        var span = location.GetLineSpan();
        text.Append(diagnostic.Id).Append(' ').Append(severity).Append(" at ")
            .Append(span.Path).Append('(')
            .Append((span.StartLinePosition.Line + 1).ToString(CultureInfo.InvariantCulture)).Append(',')
            .Append((span.StartLinePosition.Character + 1).ToString(CultureInfo.InvariantCulture)).Append("): ")
            .Append(message).Append('\n');

        var source = location.SourceTree.GetText();
        var firstLine = span.StartLinePosition.Line;
        var lastLine = span.EndLinePosition.Line;
        // A span that ends at the very start of a line does not underline that line.
        if (lastLine > firstLine && span.EndLinePosition.Character == 0)
        {
            lastLine--;
        }

        const int maxLines = 3;
        var width = Math.Max((lastLine + 1).ToString(CultureInfo.InvariantCulture).Length, 3);
        for (var line = firstLine; line <= lastLine && line < firstLine + maxLines; line++)
        {
            var lineText = source.Lines[line].ToString();
            var from = line == firstLine ? span.StartLinePosition.Character : 0;
            var to = line == span.EndLinePosition.Line ? span.EndLinePosition.Character : lineText.Length;
            text.Append((line + 1).ToString(CultureInfo.InvariantCulture).PadLeft(width)).Append(" | ").Append(lineText).Append('\n');
            text.Append(' ', width).Append(" | ");
            for (var i = 0; i < from && i < lineText.Length; i++)
            {
                text.Append(lineText[i] == '\t' ? '\t' : ' ');
            }

            text.Append('^', Math.Max(1, to - from)).Append('\n');
        }

        if (lastLine >= firstLine + maxLines)
        {
            text.Append(' ', width).Append(" | ... (")
                .Append((lastLine - firstLine - maxLines + 1).ToString(CultureInfo.InvariantCulture)).Append(" more lines)\n");
        }

        foreach (var additional in diagnostic.AdditionalLocations.Where(l => l.IsInSource))
        {
            var other = additional.GetLineSpan();
            text.Append(' ', width).Append(" = see also ").Append(other.Path).Append('(')
                .Append((other.StartLinePosition.Line + 1).ToString(CultureInfo.InvariantCulture)).Append(',')
                .Append((other.StartLinePosition.Character + 1).ToString(CultureInfo.InvariantCulture)).Append(")\n");
        }
    }

    private static void AssertNoGeneratorExceptions(GeneratorDriverRunResult result, ImmutableArray<Diagnostic> driverDiagnostics)
    {
        var failures = new StringBuilder();
        foreach (var generator in result.Results.Where(r => r.Exception is not null))
        {
            failures.Append(generator.Generator.GetGeneratorType().FullName).Append(" threw:\n")
                .Append(generator.Exception).Append("\n\n");
        }

        var crashDiagnostics = result.Diagnostics.Concat(driverDiagnostics).Where(d => d.Id == "CS8785").Distinct().ToList();
        if (failures.Length == 0 && crashDiagnostics.Count == 0)
        {
            return;
        }

        foreach (var diagnostic in crashDiagnostics)
        {
            failures.Append(diagnostic.Id).Append(": ").Append(diagnostic.GetMessage(CultureInfo.InvariantCulture)).Append('\n');
        }

        throw new XunitException("A source generator threw an exception; the generator must never throw.\n" + failures);
    }

    private static List<IncrementalGeneratorRunStep> StepsNamed(GeneratorDriverRunResult result, string trackingName) =>
        result.Results
            .SelectMany(r => r.TrackedSteps.TryGetValue(trackingName, out var steps) ? steps
                : r.TrackedOutputSteps.TryGetValue(trackingName, out var outputs) ? outputs
                : ImmutableArray<IncrementalGeneratorRunStep>.Empty)
            .ToList();

    internal static string Abbreviate(object? value)
    {
        string text;
        try
        {
            text = value?.ToString() ?? "null";
        }
        catch (Exception e)
        {
            text = $"<{value!.GetType().Name}.ToString() threw {e.GetType().Name}>";
        }

        text = text.Replace("\r", "").Replace('\n', ' ');
        return text.Length <= 160 ? text : text.Substring(0, 157) + "...";
    }

    private static CSharpParseOptions ParseOptionsOf(CSharpCompilation compilation) =>
        compilation.SyntaxTrees.FirstOrDefault()?.Options as CSharpParseOptions ?? ParseOptions;

    private static string NextSourcePath(CSharpCompilation compilation)
    {
        var paths = compilation.SyntaxTrees.Select(t => t.FilePath).ToHashSet(StringComparer.Ordinal);
        var index = 0;
        while (paths.Contains(SourcePath(index)))
        {
            index++;
        }

        return SourcePath(index);
    }

    private static ImmutableArray<MetadataReference> LoadReferences()
    {
        var trusted = ((AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string) ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        var frameworkDirectory = Path.GetDirectoryName(typeof(object).Assembly.Location)
            ?? throw new InvalidOperationException("Cannot locate the shared framework.");
        var byName = trusted
            .GroupBy(Path.GetFileNameWithoutExtension, StringComparer.OrdinalIgnoreCase)
            .ToDictionary(g => g.Key!, g => g.First(), StringComparer.OrdinalIgnoreCase);

        var paths = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var path in trusted)
        {
            if (string.Equals(Path.GetDirectoryName(path), frameworkDirectory, StringComparison.Ordinal))
            {
                paths.Add(path);
            }
        }

        paths.Add(typeof(ModelAttribute).Assembly.Location);
        var torch = typeof(TorchSharp.torch).Assembly;
        paths.Add(torch.Location);
        foreach (var dependency in torch.GetReferencedAssemblies())
        {
            if (dependency.Name is not null && byName.TryGetValue(dependency.Name, out var path))
            {
                paths.Add(path);
            }
        }

        return paths.Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)).ToImmutableArray();
    }
}

/// <summary>The outcome of one generator run: see <see cref="GeneratorHarness.Run(GeneratorDriver, CSharpCompilation)"/>.</summary>
/// <param name="Driver">The driver after the run; pass it to <see cref="Rerun"/> to test incrementality.</param>
/// <param name="Result">The driver's run result (tracked steps, generated sources, diagnostics).</param>
/// <param name="InputCompilation">The compilation the generator ran on.</param>
/// <param name="OutputCompilation">The compilation with the generated sources added.</param>
/// <param name="GeneratedSources">The generated sources by hint name (e.g. <c>Net.g.cs</c>), in ordinal order.</param>
/// <param name="GeneratorDiagnostics">The diagnostics the generator reported, sorted by location.</param>
/// <param name="CompilationDiagnostics">The errors and warnings of <paramref name="OutputCompilation"/>, sorted by location.</param>
public sealed record GeneratorRun(
    GeneratorDriver Driver,
    GeneratorDriverRunResult Result,
    CSharpCompilation InputCompilation,
    Compilation OutputCompilation,
    IReadOnlyDictionary<string, string> GeneratedSources,
    ImmutableArray<Diagnostic> GeneratorDiagnostics,
    ImmutableArray<Diagnostic> CompilationDiagnostics)
{
    /// <summary>The generated sources without the assembly's model catalogue (one file per model).</summary>
    public IReadOnlyDictionary<string, string> ModelSources =>
        GeneratedSources.Where(p => p.Key != Dsl.Generator.Emit.CatalogEmitter.HintName).ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);

    /// <summary>Generator and compilation diagnostics together, sorted by location.</summary>
    public ImmutableArray<Diagnostic> AllDiagnostics =>
        GeneratorHarness.Sort(GeneratorDiagnostics.Concat(CompilationDiagnostics));

    /// <summary>The one generated source whose hint name contains <paramref name="hintNameContains"/> (ordinal).</summary>
    public string GeneratedSource(string hintNameContains)
    {
        var matches = GeneratedSources.Where(p => p.Key.Contains(hintNameContains, StringComparison.Ordinal)).ToList();
        if (matches.Count == 1)
        {
            return matches[0].Value;
        }

        throw new XunitException(
            $"Expected one generated source whose hint name contains \"{hintNameContains}\", found {matches.Count}. " +
            $"Hint names: {(GeneratedSources.Count == 0 ? "(none)" : string.Join(", ", GeneratedSources.Keys))}");
    }

    /// <summary>
    /// Fails if the generator or the output compilation reported an error, listing every diagnostic with its source
    /// line and every generated source.
    /// </summary>
    public void AssertNoErrors() => AssertNone(DiagnosticSeverity.Error, "errors");

    /// <summary>
    /// Fails on any warning or error. Projects using the DSL build with warnings as errors, so generated code must be
    /// warning-free.
    /// </summary>
    public void AssertNoDiagnostics() => AssertNone(DiagnosticSeverity.Warning, "warnings or errors");

    /// <summary>Runs <see cref="Driver"/> again on a changed compilation; its step reasons show what was recomputed.</summary>
    public GeneratorRun Rerun(CSharpCompilation compilation) => GeneratorHarness.Run(Driver, compilation);

    /// <summary>A listing of the generated sources with line numbers.</summary>
    public string DescribeGeneratedSources()
    {
        if (GeneratedSources.Count == 0)
        {
            return "(no generated sources)\n";
        }

        var text = new StringBuilder();
        foreach (var pair in GeneratedSources)
        {
            text.Append("// ---- ").Append(pair.Key).Append(" ----\n").Append(GeneratorHarness.WithLineNumbers(pair.Value));
        }

        return text.ToString();
    }

    private void AssertNone(DiagnosticSeverity atLeast, string what)
    {
        if (!AllDiagnostics.Any(d => d.Severity >= atLeast))
        {
            return;
        }

        throw new XunitException(
            $"Expected no {what}.\n\nGenerator diagnostics:\n" +
            (GeneratorDiagnostics.IsEmpty ? "(none)\n" : GeneratorHarness.RenderDiagnostics(GeneratorDiagnostics)) +
            "\nCompilation diagnostics:\n" +
            (CompilationDiagnostics.IsEmpty ? "(none)\n" : GeneratorHarness.RenderDiagnostics(CompilationDiagnostics)) +
            "\nGenerated sources:\n" + DescribeGeneratedSources());
    }
}
