using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using Dsl.Fuzzing;
using Dsl.Generator.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace Dsl.Generator.Tests.Fuzz;

/// <summary>
/// Runs thousands of random and mutated declarations (<see cref="DeclarationFuzzer"/>) through the generator, many
/// models per compilation, and checks for every model: the generator never throws (no CS8785, which the harness
/// fails on) and never reports DSL000; the generated code has no compiler error or warning; and a model whose own
/// files compile and that has no DSL error is generated. <c>DSL_FUZZ_CASES</c> (default 700) and
/// <c>DSL_FUZZ_SEED</c> (default 14) run more or other cases; docs/reliability.md#generator has the figures.
/// </summary>
public sealed partial class GeneratorFuzzTests
{
    private const int DefaultCases = 700;
    private const int DefaultSeed = 14;
    private const int CasesPerCompilation = 60;

    private readonly ITestOutputHelper _output;

    public GeneratorFuzzTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public void Random_declarations_never_crash_the_generator_and_every_model_compiles_or_has_a_DSL_error()
    {
        var cases = EnvironmentInt("DSL_FUZZ_CASES", DefaultCases);
        var seed = EnvironmentInt("DSL_FUZZ_SEED", DefaultSeed);
        var clock = Stopwatch.StartNew();
        var fuzzer = new DeclarationFuzzer(seed);
        var all = Enumerable.Range(0, cases).Select(fuzzer.Next).ToList(); // made in order, so a seed always gives the same cases
        var batches = all.Chunk(CasesPerCompilation).Select(b => b.ToList()).ToList();
        var failures = new List<string>();
        var (generated, rejected, leftToCompiler) = (0, 0, 0);
        var stats = new object();
        System.Threading.Tasks.Parallel.ForEach(batches, new System.Threading.Tasks.ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, batch =>
        {
            var found = new List<string>();
            var outcome = RunBatch(batch, found);
            lock (stats)
            {
                failures.AddRange(found);
                generated += outcome.Generated;
                rejected += outcome.Rejected;
                leftToCompiler += outcome.LeftToCompiler;
            }
        });
        failures = failures.Take(10).ToList();

        var summary = $"{cases} cases (seed {seed}) in {clock.Elapsed.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture)} s: {generated} generated, {rejected} with a DSL error, {leftToCompiler} left to the compiler's errors; DSL errors by ID: "
            + string.Join(", ", Histogram.Select(p => $"{p.Key} {p.Value}"));
        _output.WriteLine(summary);
        Console.WriteLine("Fuzz: " + summary);
        if (failures.Count > 0)
        {
            throw new XunitException($"The fuzz test found {failures.Count} failing case(s) ({summary}; reproduce with DSL_FUZZ_SEED={seed}):\n\n" + string.Join("\n\n", failures));
        }
    }

    /// <summary>How often each DSL ID was reported, for the summary line.</summary>
    private static readonly SortedDictionary<string, int> Histogram = new(StringComparer.Ordinal);

    private static (int Generated, int Rejected, int LeftToCompiler) RunBatch(List<FuzzCase> batch, List<string> failures)
    {
        var caseOfPath = new Dictionary<string, FuzzCase>(StringComparer.Ordinal);
        var trees = new List<SyntaxTree>();
        foreach (var c in batch)
        {
            for (var f = 0; f < c.Files.Count; f++)
            {
                var path = $"Case{c.Index.ToString(CultureInfo.InvariantCulture)}_{f.ToString(CultureInfo.InvariantCulture)}.cs";
                caseOfPath[path] = c;
                trees.Add(GeneratorHarness.Parse(c.Files[f], path));
            }
        }

        var compilation = CSharpCompilation.Create(GeneratorHarness.AssemblyName, trees, GeneratorHarness.References, GeneratorHarness.CompilationOptions);
        var run = GeneratorHarness.Run(compilation); // fails on any generator exception (CS8785)

        var dslErrors = new HashSet<int>();
        var userErrors = new HashSet<int>();
        var problems = new Dictionary<int, List<string>>();
        void Problem(int index, string text)
        {
            if (!problems.TryGetValue(index, out var list))
            {
                problems[index] = list = new List<string>();
            }

            list.Add(text);
        }

        foreach (var d in run.GeneratorDiagnostics)
        {
            var index = CaseOf(d, caseOfPath);
            if (index is null)
            {
                failures.Add("A generator diagnostic that belongs to no case:\n" + GeneratorHarness.RenderDiagnostics([d]));
                continue;
            }

            if (d.Id == "DSL000")
            {
                Problem(index.Value, GeneratorHarness.RenderDiagnostics([d]));
            }

            if (d.Severity == DiagnosticSeverity.Error)
            {
                dslErrors.Add(index.Value);
                lock (Histogram)
                {
                    Histogram[d.Id] = Histogram.TryGetValue(d.Id, out var n) ? n + 1 : 1;
                }
            }
        }

        foreach (var d in run.CompilationDiagnostics)
        {
            var path = d.Location.SourceTree?.FilePath ?? "";
            if (caseOfPath.TryGetValue(path, out var own))
            {
                if (d.Severity == DiagnosticSeverity.Error)
                {
                    userErrors.Add(own.Index);
                }

                continue;
            }

            var index = CaseOf(d, caseOfPath);
            if (index is null)
            {
                failures.Add("A compiler diagnostic in generated code that belongs to no case:\n" + GeneratorHarness.RenderDiagnostics([d]));
                continue;
            }

            Problem(index.Value, GeneratorHarness.RenderDiagnostics([d]));
        }

        var (generated, rejected, leftToCompiler) = (0, 0, 0);
        foreach (var c in batch)
        {
            problems.TryGetValue(c.Index, out var list);
            var hint = c.Namespace + ".";
            var built = run.ModelSources.Any(s => s.Key.StartsWith(hint, StringComparison.Ordinal) && !s.Value.Contains(DiagnosticChecks.FallbackMarker, StringComparison.Ordinal));
            if (dslErrors.Contains(c.Index))
            {
                rejected++;
            }
            else if (userErrors.Contains(c.Index))
            {
                leftToCompiler++;
            }
            else if (built)
            {
                generated++;
            }
            else if (!c.HalfTyped)
            {
                Problem(c.Index, "no generated network, no DSL error and no compiler error: the model was dropped silently");
                list = problems[c.Index];
            }

            // Where the case's own code does not compile, its generated code may fail with it; a DSL000 is a failure always.
            var cascade = userErrors.Contains(c.Index) && list is not null && list.All(p => !p.StartsWith("DSL000", StringComparison.Ordinal));
            if (list is not null && !cascade)
            {
                failures.Add(Describe(c, list, run));
            }
        }

        return (generated, rejected, leftToCompiler);
    }

    /// <summary>The case a diagnostic belongs to: by its file (the case's own, or a generated one whose hint name starts with the case's namespace), or by the namespace it names.</summary>
    private static int? CaseOf(Diagnostic d, Dictionary<string, FuzzCase> caseOfPath)
    {
        var tree = d.Location.SourceTree;
        if (tree is not null && caseOfPath.TryGetValue(tree.FilePath, out var own))
        {
            return own.Index;
        }

        if (tree is not null)
        {
            var file = tree.FilePath.Replace('\\', '/').Split('/').Last();
            var m = CaseNamespace().Match(file);
            if (m.Success && !file.StartsWith("Dsl.ModelCatalog", StringComparison.Ordinal))
            {
                return int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
            }

            // The catalogue: the nearest entry at or above the line names its model's namespace.
            var lines = tree.GetText().Lines;
            for (var line = d.Location.GetLineSpan().StartLinePosition.Line; line >= 0; line--)
            {
                var hit = CatalogueEntry().Match(lines[line].ToString());
                if (hit.Success)
                {
                    return int.Parse(hit.Groups[1].Value, CultureInfo.InvariantCulture);
                }
            }
        }

        var named = CatalogueEntry().Match(d.GetMessage(CultureInfo.InvariantCulture));
        return named.Success ? int.Parse(named.Groups[1].Value, CultureInfo.InvariantCulture) : null;
    }

    private static string Describe(FuzzCase c, List<string> problems, GeneratorRun run)
    {
        var text = new StringBuilder($"Case {c.Index} ({c.Namespace}):\n");
        foreach (var p in problems.Take(8))
        {
            text.Append(p).Append('\n');
        }

        text.Append("Generator diagnostics of the case:\n");
        foreach (var d in run.GeneratorDiagnostics.Where(d => d.Location.SourceTree?.FilePath.StartsWith($"Case{c.Index}_", StringComparison.Ordinal) == true))
        {
            text.Append("  ").Append(d.Id).Append(": ").Append(d.GetMessage(CultureInfo.InvariantCulture)).Append('\n');
        }

        for (var f = 0; f < c.Files.Count; f++)
        {
            text.Append($"---- Case{c.Index}_{f}.cs ----\n").Append(GeneratorHarness.WithLineNumbers(c.Files[f]));
        }

        return text.ToString();
    }

    private static int EnvironmentInt(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value > 0 ? value : fallback;

    [GeneratedRegex(@"^F(\d+)[.\-_]")]
    private static partial Regex CaseNamespace();

    [GeneratedRegex(@"\bF(\d+)\b")]
    private static partial Regex CatalogueEntry();
}
