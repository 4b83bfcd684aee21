using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.RegularExpressions;
using Dsl.Fuzzing;
using Microsoft.CodeAnalysis;
using TorchSharp;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Dsl.Runtime.Tests.Fuzz;

/// <summary>
/// The runtime half of the generator fuzz test (Tests/Dsl.Generator.Tests/Fuzz): the valid models among
/// <see cref="DeclarationFuzzer"/>'s random declarations (skips of every mode, blocks used and repeated, images,
/// signals, vectors and sequences) are compiled in-process and run, and every layer that is a module gets its
/// input and output shapes compared with the compile-time summary's rows; the output with <c>OutputShape</c>.
/// </summary>
/// <remarks>
/// A symbolic model (one with [Dim]) is also compiled as a fixed-size twin, its sizes written into [Model] at an
/// allowed value, so its summary has numbers; the symbolic original must give the twin's shapes through
/// <c>OutputShapeFor</c> and at run time. Layers that are a TorchSharp function call (ReLU, pools, merges) are
/// checked through the input of the next module, which is their output. <c>DSL_FUZZ_SEED</c> and
/// <c>DSL_FUZZ_RUNTIME_CASES</c> (default 240 declarations, about half of them valid) run others.
/// </remarks>
public sealed partial class FuzzedDeclarationRuntimeTests
{
    private const int DefaultSeed = 14;
    private const int DefaultCases = 240;
    private const int TwinOffset = 100_000;
    private const long Batch = 2;

    private readonly ITestOutputHelper output;

    public FuzzedDeclarationRuntimeTests(ITestOutputHelper output) => this.output = output;

    [Fact]
    public void Every_module_layer_of_valid_fuzzed_models_has_the_inferred_shapes_at_run_time()
    {
        var seed = EnvironmentInt("DSL_FUZZ_SEED", DefaultSeed);
        var count = EnvironmentInt("DSL_FUZZ_RUNTIME_CASES", DefaultCases);
        var fuzzer = new DeclarationFuzzer(seed);
        var cases = Enumerable.Range(0, count).Select(fuzzer.Next).Where(c => !c.HalfTyped).ToList();

        // The fixed-size twins of the symbolic cases, as their own cases.
        var files = new Dictionary<int, IReadOnlyList<string>>();
        var namespaces = new Dictionary<int, string>();
        foreach (var c in cases)
        {
            files[c.Index] = c.Files;
            namespaces[c.Index] = c.Namespace;
            if (Twin(c) is { } twin)
            {
                files[c.Index + TwinOffset] = twin;
                namespaces[c.Index + TwinOffset] = "F" + (c.Index + TwinOffset).ToString(CultureInfo.InvariantCulture) + c.Namespace[c.Namespace.IndexOf('.') is var dot && dot >= 0 ? dot.. : c.Namespace.Length..];
            }
        }

        // Keep the cases that compile with no DSL error: drop the failing ones until what is left compiles (a dropped
        // case's model leaves the catalogue, so a second round may be needed).
        var kept = files.Keys.ToHashSet();
        var rejected = 0;
        List<SyntaxTree> trees = new();
        for (var round = 0; ; round++)
        {
            trees = kept.OrderBy(i => i).SelectMany(i => files[i].Select((text, f) => InProcessGenerator.Parse(text, $"Case{i}_{f}.cs"))).ToList();
            var (compiled, generatorDiagnostics) = InProcessGenerator.Generate(trees, $"FuzzRuntime{seed}");
            var bad = generatorDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)
                .Concat(compiled.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error))
                .Select(CaseOf).Where(i => i is not null).Select(i => i!.Value).ToHashSet();
            if (bad.Count == 0)
            {
                break;
            }

            Assert.True(round < 5, "the valid cases do not converge to a compiling set");
            rejected += bad.Count(i => i < TwinOffset && kept.Contains(i));
            kept.ExceptWith(bad);
        }

        using var loaded = InProcessGenerator.Run(trees, $"FuzzRuntime{seed}");
        var failures = new List<string>();
        var (models, modules, rows, symbolic) = (0, 0, 0, 0);
        foreach (var index in kept.Where(i => i < TwinOffset).OrderBy(i => i))
        {
            foreach (var type in ModelTypes(loaded, namespaces[index]))
            {
                var where = $"case {index} ({namespaces[index]}.{type.Name})";
                try
                {
                    var model = new LoadedModel(type);
                    var fixedSize = model.InputShape.All(d => d > 0);
                    if (fixedSize)
                    {
                        var (checkedModules, checkedRows) = CheckLayerShapes(model, where, failures);
                        modules += checkedModules;
                        rows += checkedRows;
                        models++;
                        continue;
                    }

                    var twinType = kept.Contains(index + TwinOffset)
                        ? ModelTypes(loaded, namespaces[index + TwinOffset]).SingleOrDefault(t => t.Name == type.Name)
                        : null;
                    if (twinType is null)
                    {
                        failures.Add($"{where}: symbolic, but its fixed-size twin was rejected or not generated");
                        continue;
                    }

                    var twin = new LoadedModel(twinType);
                    var (twinModules, twinRows) = CheckLayerShapes(twin, where + " as its fixed-size twin", failures);
                    modules += twinModules;
                    rows += twinRows;
                    CheckSymbolicAgainstTwin(model, twin, where, failures);
                    models++;
                    symbolic++;
                }
                catch (Exception e)
                {
                    failures.Add($"{where}: the check threw {e.GetType().Name}: {e.Message.Split('\n')[0]}");
                }
            }
        }

        output.WriteLine($"seed {seed}: {cases.Count} whole declarations of {count}, {rejected} of them rejected (a DSL or compiler error); "
            + $"{models} models run ({symbolic} symbolic, with their twins), {modules} module layers' input and output shapes checked against {rows} summary rows");
        Assert.True(models >= 20, $"only {models} valid models to run: the sample is too small to mean anything");
        Assert.True(failures.Count == 0, $"{failures.Count} failure(s):\n\n" + string.Join("\n\n", failures.Take(10)));
    }

    /// <summary>
    /// Runs the model once with hooks on every top-level module (the last one of a repeated block's list): each one's
    /// input must have the summary's shape of the value it reads, its output the shape of its own row.
    /// </summary>
    private static (int Modules, int Rows) CheckLayerShapes(LoadedModel model, string where, List<string> failures)
    {
        var table = SummaryRows.Parse(model.Summary);
        var inputShape = new[] { Batch }.Concat(model.InputShape).ToArray();
        using var scope = NewDisposeScope();
        using var net = model.Create();
        net.eval();
        var seen = new List<string>();
        var removers = new List<Action>();
        foreach (var (name, child) in net.named_children())
        {
            var module = child is TorchSharp.Modules.ModuleList<nn.Module<Tensor, Tensor>> list ? list[list.Count - 1] : child as nn.Module<Tensor, Tensor>;
            if (module is null || !table.TryGetRow(name, out var row))
            {
                continue;
            }

            var expectedIn = row.FirstInput == "input" ? inputShape : table.ValueShape(row.FirstInput);
            var repeated = child is TorchSharp.Modules.ModuleList<nn.Module<Tensor, Tensor>> { Count: > 1 };
            var pre = module.register_forward_pre_hook((_, x) =>
            {
                if (!repeated && expectedIn is not null && !expectedIn.SequenceEqual(x.shape))
                {
                    failures.Add($"{where}: '{name}' reads [{string.Join(", ", x.shape)}], the summary says '{row.FirstInput}' is {SummaryRows.Show(expectedIn)}\n{model.Summary}");
                }

                return x;
            });
            var post = module.register_forward_hook((_, _, y) =>
            {
                seen.Add(name);
                if (!row.Shape.SequenceEqual(y.shape))
                {
                    failures.Add($"{where}: '{name}' gives [{string.Join(", ", y.shape)}], the summary says {SummaryRows.Show(row.Shape)}\n{model.Summary}");
                }

                return y;
            });
            removers.Add(() => { pre.remove(); post.remove(); });
        }

        using (no_grad())
        {
            using var x = table.FirstKind == "Embedding" ? zeros(inputShape, ScalarType.Int64) : randn(inputShape);
            using var y = net.call(x);
            var expected = new[] { Batch }.Concat(model.OutputShape).ToArray();
            if (!expected.SequenceEqual(y.shape))
            {
                failures.Add($"{where}: the output is [{string.Join(", ", y.shape)}], OutputShape says {SummaryRows.Show(expected)}");
            }
        }

        foreach (var remove in removers)
        {
            remove();
        }

        return (seen.Count, table.Count);
    }

    /// <summary>The symbolic model at the twin's sizes: OutputShapeFor and the runtime output equal the twin's OutputShape.</summary>
    private static void CheckSymbolicAgainstTwin(LoadedModel model, LoadedModel twin, string where, List<string> failures)
    {
        var example = twin.InputShape;
        var inferred = model.OutputShapeFor(example);
        if (!inferred.SequenceEqual(twin.OutputShape))
        {
            failures.Add($"{where}: OutputShapeFor([{string.Join(", ", example)}]) is [{string.Join(", ", inferred)}], the twin's OutputShape [{string.Join(", ", twin.OutputShape)}]");
        }

        using var scope = NewDisposeScope();
        using var net = model.Create();
        net.eval();
        using (no_grad())
        {
            var shape = new[] { Batch }.Concat(example).ToArray();
            using var x = SummaryRows.Parse(model.Summary).FirstKind == "Embedding" ? zeros(shape, ScalarType.Int64) : randn(shape);
            using var y = net.call(x);
            if (!new[] { Batch }.Concat(twin.OutputShape).SequenceEqual(y.shape))
            {
                failures.Add($"{where}: at [{string.Join(", ", example)}] the symbolic model gives [{string.Join(", ", y.shape)}], its twin's OutputShape [{string.Join(", ", twin.OutputShape)}]");
            }
        }
    }

    /// <summary>
    /// The case's files with every symbolic size written into [Model] (the smallest allowed value from 12 up, by its
    /// [Dim]) and the [Dim]s removed, in namespace F(index + 100000); null when the case has no [Dim].
    /// </summary>
    private static IReadOnlyList<string>? Twin(FuzzCase c)
    {
        var all = string.Join("\n", c.Files);
        if (!all.Contains("[Dim(", StringComparison.Ordinal))
        {
            return null;
        }

        var sizes = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (Match dim in DimAttribute().Matches(all))
        {
            long Arg(string key, long fallback) => Regex.Match(dim.Value, key + @"\s*=\s*(\d+)") is { Success: true } m ? long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : fallback;
            var (min, max, multiple) = (Arg("Min", 1), Arg("Max", long.MaxValue), Math.Max(1, Arg("MultipleOf", 1)));
            var value = Math.Max(min, 12);
            value += (multiple - (value % multiple)) % multiple;
            if (value > max)
            {
                return null;
            }

            sizes[dim.Groups["name"].Value] = value;
        }

        var index = c.Index.ToString(CultureInfo.InvariantCulture);
        var twinIndex = (c.Index + TwinOffset).ToString(CultureInfo.InvariantCulture);
        return c.Files.Select(text =>
        {
            text = DimAttribute().Replace(text, "");
            text = ModelAttribute().Replace(text, m => QuotedName().Replace(m.Value, q => sizes.TryGetValue(q.Groups[1].Value, out var v) ? v.ToString(CultureInfo.InvariantCulture) : "12"));
            return text.Replace("namespace F" + index, "namespace F" + twinIndex, StringComparison.Ordinal);
        }).ToList();
    }

    /// <summary>The generated model classes of one case's namespace (a block's class gets no generated code; [Model] is not kept in metadata).</summary>
    private static IEnumerable<Type> ModelTypes(InProcessGenerator loaded, string ns) =>
        loaded.Assembly.GetTypes().Where(t => t.Namespace == ns && t.DeclaringType is null
            && t.GetProperty("Summary", System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static) is not null
            && typeof(nn.Module<Tensor, Tensor>).IsAssignableFrom(t));

    /// <summary>The case a diagnostic belongs to: by its file (Case{i}_{f}.cs, or generated under the case's namespace F{i}).</summary>
    private static int? CaseOf(Diagnostic d)
    {
        var file = (d.Location.SourceTree?.FilePath ?? "").Replace('\\', '/').Split('/').Last();
        var own = OwnFile().Match(file);
        if (own.Success)
        {
            return int.Parse(own.Groups[1].Value, CultureInfo.InvariantCulture);
        }

        var generated = GeneratedFile().Match(file);
        if (generated.Success)
        {
            return int.Parse(generated.Groups[1].Value, CultureInfo.InvariantCulture);
        }

        var named = NamedCase().Match(d.GetMessage(CultureInfo.InvariantCulture) + " " + (d.Location.SourceTree?.GetText().GetSubText(d.Location.SourceSpan).ToString() ?? ""));
        return named.Success ? int.Parse(named.Groups[1].Value, CultureInfo.InvariantCulture) : null;
    }

    private static int EnvironmentInt(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value > 0 ? value : fallback;

    [GeneratedRegex(@"\[Dim\(""(?<name>[^""]+)""[^\]]*\)\]\n?")]
    private static partial Regex DimAttribute();

    [GeneratedRegex(@"\[Model\([^\]]*\)\]")]
    private static partial Regex ModelAttribute();

    [GeneratedRegex(@"""([^""]*)""")]
    private static partial Regex QuotedName();

    [GeneratedRegex(@"^Case(\d+)_\d+\.cs$")]
    private static partial Regex OwnFile();

    [GeneratedRegex(@"^F(\d+)[.\-_]")]
    private static partial Regex GeneratedFile();

    [GeneratedRegex(@"\bF(\d+)\b")]
    private static partial Regex NamedCase();
}

/// <summary>The rows of a compile-time summary table, by the header's column positions.</summary>
internal sealed class SummaryRows
{
    private readonly Dictionary<string, Row> byName = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long[]> mergedShape = new(StringComparer.Ordinal);

    public sealed record Row(string Name, string Kind, string FirstInput, long[] Shape);

    public int Count { get; private set; }

    public string FirstKind { get; private set; } = "";

    public static SummaryRows Parse(string summary)
    {
        var lines = summary.Split('\n');
        var header = lines[1];
        int Column(string title) => header.IndexOf(title, StringComparison.Ordinal);
        var (kind, inputs, shape, parameters) = (Column("Kind"), Column("Inputs"), Column("Output shape"), Column("Params"));
        var table = new SummaryRows();
        foreach (var line in lines.Skip(3).TakeWhile(l => !l.StartsWith("---", StringComparison.Ordinal)))
        {
            string Cell(int from, int to) => line.Substring(from, Math.Min(to, line.Length) - from).Trim();
            table.Count++;
            if (line.StartsWith(' '))
            {
                continue; // a layer inside a repeated block's repetition: not a top-level module
            }

            var name = Regex.Replace(Cell(0, kind), @" ×\d+$", "");
            var rowKind = Cell(kind, inputs);
            // Params may be right-aligned into the shape column's padding: the shape ends at its closing bracket.
            var shapeText = line.Substring(shape);
            shapeText = shapeText[..(shapeText.IndexOf(']') + 1)];
            var row = new Row(name, rowKind, Cell(inputs, shape).Split(", ")[0], ParseShape(shapeText));
            if (table.Count == 1)
            {
                table.FirstKind = rowKind;
            }

            if (rowKind.StartsWith("Skip (", StringComparison.Ordinal) || rowKind.StartsWith("Merge", StringComparison.Ordinal))
            {
                table.mergedShape[row.FirstInput] = row.Shape; // what later layers read under the target's name
            }
            else
            {
                table.byName[name] = row;
            }
        }

        return table;
    }

    public bool TryGetRow(string name, out Row row) => byName.TryGetValue(name, out row!);

    /// <summary>The shape later layers read under <paramref name="name"/>: after its merges, if it has any; null if unknown.</summary>
    public long[]? ValueShape(string name) =>
        mergedShape.TryGetValue(name, out var merged) ? merged : byName.TryGetValue(name, out var row) ? row.Shape : null;

    public static string Show(long[] shape) => "[" + string.Join(", ", shape) + "]";

    private static long[] ParseShape(string text) =>
        text.Trim('[', ']').Split(", ").Select(p => p == "N" ? 2L : long.TryParse(p, NumberStyles.Integer, CultureInfo.InvariantCulture, out var d) ? d : -1L).ToArray(); // -1: a named size
}
