using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using Dsl.Runtime.Tests.Models;
using Microsoft.CodeAnalysis;
using TorchSharp;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Dsl.Runtime.Tests.Fuzz;

/// <summary>
/// The property behind symbolic dimensions, tested on random models: whatever the generator accepts runs at every size
/// its [Dim] constraints allow, and every layer's inferred shape is the shape TorchSharp produces; whatever it rejects
/// because a size may drop below 1 (DSL007) really breaks at the counterexample it names.
/// </summary>
/// <remarks>
/// Each random chain over <c>[Model(C, "H", "W")]</c> or <c>[Model(C, "L")]</c> (random [Dim] constraints; Conv, pools,
/// transposed convolutions, Upsample, BatchNorm, ReLU, adaptive and global pools, Flatten + Linear where sizes are fixed)
/// is emitted once per prefix (its first k layers), all in one compilation, which <c>ModelGenerator</c> runs on in-process.
/// The fixed seed runs <see cref="DefaultModels"/> chains; <c>DSL_FUZZ_SEEDS=1,2,3</c> or <c>DSL_FUZZ_SEEDS=1-50</c> runs
/// those seeds instead, and <c>DSL_FUZZ_MODELS=n</c> sets the chains per seed; <c>DSL_FUZZ_TRACE=file</c> logs each run
/// before it starts (to find the model behind a native crash).
/// </remarks>
public sealed class RandomSymbolicModelTests
{
    public const int DefaultSeed = 20_250_611;
    public const int DefaultModels = 40;
    private const long Batch = 2;

    private static readonly Regex LayerOf = new(@"^Layer '(?<layer>l\d+)' \((?<kind>\w+)\)", RegexOptions.CultureInvariant);
    private static readonly Regex Counterexample = new(@"For (?<example>[A-Za-z_]\w* = -?\d+(?:, [A-Za-z_]\w* = -?\d+)*) it is (?<value>-?\d+)", RegexOptions.CultureInvariant);

    private readonly ITestOutputHelper output;

    public RandomSymbolicModelTests(ITestOutputHelper output) => this.output = output;

    public static IEnumerable<object[]> Seeds()
    {
        var text = Environment.GetEnvironmentVariable("DSL_FUZZ_SEEDS");
        if (string.IsNullOrWhiteSpace(text))
        {
            yield return new object[] { DefaultSeed };
            yield break;
        }

        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var range = part.Split('-', 2);
            if (range.Length == 2 && range[0].Length > 0)
            {
                for (var s = int.Parse(range[0], CultureInfo.InvariantCulture); s <= int.Parse(range[1], CultureInfo.InvariantCulture); s++)
                {
                    yield return new object[] { s };
                }
            }
            else
            {
                yield return new object[] { int.Parse(part, CultureInfo.InvariantCulture) };
            }
        }
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Accepted_random_models_run_with_the_inferred_shapes_and_rejected_ones_really_break(int seed)
    {
        var models = int.TryParse(Environment.GetEnvironmentVariable("DSL_FUZZ_MODELS"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n > 0
            ? n
            : DefaultModels;
        var rng = new Random(seed);
        var chains = Enumerable.Range(0, models).Select(i => RandomChains.Next(rng, i)).ToList();
        var source = new StringBuilder("using Dsl;\n\nnamespace Fuzz;\n\n");
        foreach (var chain in chains)
        {
            for (var k = 1; k <= chain.Layers.Count; k++)
            {
                source.Append(chain.Source(k));
            }
        }

        var clock = Stopwatch.StartNew();
        using var loaded = InProcessGenerator.Run(source.ToString(), $"Fuzz{seed}");
        var generated = clock.Elapsed;

        var stats = new Stats();
        var failures = new List<string>();
        foreach (var chain in chains)
        {
            var chainClock = Stopwatch.StartNew();
            try
            {
                CheckChain(chain, loaded, new Random(unchecked((seed * 7919) + chain.Index)), stats, failures);
            }
            catch (Exception e)
            {
                failures.Add($"{chain.Describe()}\n  the check itself threw: {e}");
            }

            stats.ChainSeconds.Add((chain.Index, chainClock.Elapsed.TotalSeconds));
        }

        output.WriteLine($"seed {seed}: {chains.Count} random chains, {stats.Accepted + stats.Rejected} models (every prefix of each chain)");
        output.WriteLine($"  accepted {stats.Accepted} models, run at {stats.SizesRun} sizes ({stats.ChainsFullyAccepted} chains accepted whole)");
        output.WriteLine($"  rejected {stats.Rejected} models with DSL007, each confirmed by TorchSharp at the named size "
            + $"({stats.RejectedWithCounterexample} with a counterexample, {stats.Rejected - stats.RejectedWithCounterexample} at a fixed size; "
            + $"{stats.RejectionsByThrow} where TorchSharp throws, {stats.RejectionsBySize} where the size is below 1: a transposed convolution, by PyTorch's formula)");
        output.WriteLine($"  generate + compile + load {generated.TotalSeconds:0.0} s ({loaded.Timing}), run {(clock.Elapsed - generated).TotalSeconds:0.0} s");
        foreach (var (index, seconds) in stats.ChainSeconds.OrderByDescending(p => p.Seconds).Take(5))
        {
            output.WriteLine($"  slowest: chain {index} {seconds:0.00} s {chains[index].Describe()}");
        }
        Assert.True(stats.Accepted > 0 && stats.Rejected > 0, "the random models should include both accepted and rejected ones");
        Assert.True(failures.Count == 0, $"{failures.Count} failure(s) for seed {seed}:\n\n" + string.Join("\n\n", failures.Take(15)));
    }

    private static void CheckChain(FuzzChain chain, InProcessGenerator loaded, Random rng, Stats stats, List<string> failures)
    {
        int? failingLayer = null; // 0-based index of the layer the first rejected prefix names
        var lastAccepted = 0;
        for (var k = 1; k <= chain.Layers.Count; k++)
        {
            var name = chain.ClassName(k);
            var diagnostics = loaded.DiagnosticsByClass.TryGetValue(name, out var list) ? list : new List<Diagnostic>();
            if (diagnostics.Count == 0)
            {
                if (failingLayer is not null)
                {
                    failures.Add($"{chain.Describe()}\n  prefix {k} is accepted although the shorter prefix was rejected at layer {FuzzChain.LayerName(failingLayer.Value)}");
                    continue;
                }

                stats.Accepted++;
                lastAccepted = k;
                var type = loaded.Assembly.GetType("Fuzz." + name);
                if (type is null)
                {
                    failures.Add($"{chain.Describe()}\n  no generated class {name}");
                    continue;
                }

                CheckAccepted(chain, k, new LoadedModel(type), rng, stats, failures, checkConstraints: k == 1);
                continue;
            }

            stats.Rejected++;
            CheckRejected(chain, k, diagnostics, ref failingLayer, lastAccepted, stats, failures);
        }

        if (lastAccepted == chain.Layers.Count)
        {
            stats.ChainsFullyAccepted++;
        }
    }

    /// <summary>At three allowed sizes: OutputShapeFor answers, forward runs, and the runtime shape is [N] + OutputShapeFor.</summary>
    private static void CheckAccepted(FuzzChain chain, int length, LoadedModel model, Random rng, Stats stats, List<string> failures, bool checkConstraints)
    {
        using var scope = NewDisposeScope();
        using var net = model.Create();
        net.eval();
        var counted = ModuleFacts.ParameterCount(net);
        if (counted != model.ParameterCount)
        {
            failures.Add($"{chain.Describe()}\n  prefix {length}: ParameterCount is {model.ParameterCount}, the module has {counted}");
        }

        foreach (var values in SizesFor(chain, rng))
        {
            var example = chain.Example(values);
            var where = $"{chain.Describe()}\n  prefix {length} ({chain.ClassName(length)}) at [{string.Join(", ", example)}]";
            long[] inferred;
            try
            {
                inferred = model.OutputShapeFor(example);
            }
            catch (Exception e)
            {
                failures.Add($"{where}: OutputShapeFor threw {e.GetType().Name}: {e.Message}");
                continue;
            }

            long[] actual;
            try
            {
                FuzzTrace.Write($"forward {where}");
                using (no_grad())
                using (var input = randn(new[] { Batch }.Concat(example).ToArray()))
                using (var y = net.call(input))
                {
                    actual = y.shape;
                }
            }
            catch (Exception e)
            {
                failures.Add($"{where}: forward threw {e.GetType().Name}: {e.Message.Split('\n')[0]}\n  inferred [N, {string.Join(", ", inferred)}]");
                continue;
            }

            stats.SizesRun++;
            var expected = new[] { Batch }.Concat(inferred).ToArray();
            if (!expected.SequenceEqual(actual))
            {
                failures.Add($"{where}: runtime shape [{string.Join(", ", actual)}], inferred [{string.Join(", ", expected)}]\n{model.Summary}");
                continue;
            }

            if (length == chain.Layers.Count)
            {
                // The whole chain against an independent interpreter of the same layers (TorchSharp calls written directly).
                var (failedAt, what, shape) = chain.Interpret(example, length, Batch);
                if (failedAt is not null || !shape.SequenceEqual(actual))
                {
                    failures.Add($"{where}: the interpreter gives {(failedAt is null ? $"[{string.Join(", ", shape)}]" : $"a failure at {FuzzChain.LayerName(failedAt.Value)}: {what}")}, the generated module [{string.Join(", ", actual)}]");
                }
            }
        }

        if (checkConstraints)
        {
            CheckOutsideConstraints(chain, model, net, failures);
        }
    }

    /// <summary>Just outside each [Dim] (below Min, not a multiple, above Max): OutputShapeFor and forward throw ArgumentException naming the dimension.</summary>
    private static void CheckOutsideConstraints(FuzzChain chain, LoadedModel model, nn.Module<Tensor, Tensor> net, List<string> failures)
    {
        foreach (var dim in chain.Dims)
        {
            var bad = new List<(long Value, string Constraint)>();
            if (dim.Min > 1)
            {
                bad.Add((dim.Min - 1, $"Min = {dim.Min}"));
            }

            if (dim.MultipleOf > 1 && dim.Smallest + 1 <= (dim.Max ?? long.MaxValue))
            {
                bad.Add((dim.Smallest + 1, $"MultipleOf = {dim.MultipleOf}"));
            }

            if (dim.Max is { } max)
            {
                bad.Add((max + 1 + ((dim.MultipleOf - ((max + 1) % dim.MultipleOf)) % dim.MultipleOf), $"Max = {max}")); // a multiple above Max
            }

            foreach (var (value, constraint) in bad)
            {
                var values = chain.Dims.ToDictionary(d => d.Name, d => d.Name == dim.Name ? value : d.Smallest);
                var example = chain.Example(values);
                var where = $"{chain.Describe()}\n  {chain.ClassName(1)} at [{string.Join(", ", example)}] ({dim.Name} = {value} breaks {constraint})";
                foreach (var (what, call) in new (string, Action)[]
                {
                    ("OutputShapeFor", () => model.OutputShapeFor(example)),
                    ("forward", () =>
                    {
                        using var input = randn(new[] { Batch }.Concat(example).ToArray());
                        net.call(input).Dispose();
                    }),
                })
                {
                    try
                    {
                        call();
                        failures.Add($"{where}: {what} accepted it");
                    }
                    catch (ArgumentException e)
                    {
                        if (!Regex.IsMatch(e.Message, $@"\b{dim.Name}\b") || !e.Message.Contains(constraint, StringComparison.Ordinal)
                            || !Regex.IsMatch(e.Message, $@"\b{value}\b"))
                        {
                            failures.Add($"{where}: {what}'s message does not name {dim.Name}, {value} and {constraint}: {e.Message}");
                        }
                    }
                    catch (Exception e)
                    {
                        failures.Add($"{where}: {what} threw {e.GetType().Name}, not ArgumentException: {e.Message.Split('\n')[0]}");
                    }
                }
            }
        }
    }

    /// <summary>
    /// A DSL007 rejection: it names a layer of the prefix; the prefix without that layer was accepted; its counterexample
    /// is an allowed size where the size is below 1; and TorchSharp, running the layers at that size, fails at that layer.
    /// </summary>
    private static void CheckRejected(FuzzChain chain, int length, List<Diagnostic> diagnostics, ref int? failingLayer, int lastAccepted, Stats stats, List<string> failures)
    {
        var where = $"{chain.Describe()}\n  prefix {length} ({chain.ClassName(length)})";
        var messages = diagnostics.Select(d => $"{d.Id}: {d.GetMessage(CultureInfo.InvariantCulture)}").ToList();
        if (diagnostics.Any(d => d.Id != "DSL007"))
        {
            failures.Add($"{where}: unexpected diagnostics:\n    " + string.Join("\n    ", messages));
            return;
        }

        var message = diagnostics[0].GetMessage(CultureInfo.InvariantCulture);
        var layer = LayerOf.Match(message);
        if (!layer.Success)
        {
            failures.Add($"{where}: the DSL007 message names no layer: {message}");
            return;
        }

        var index = int.Parse(layer.Groups["layer"].Value.Substring(1), CultureInfo.InvariantCulture) - 1;
        if (failingLayer is null)
        {
            failingLayer = index;
            if (index != length - 1 || lastAccepted != length - 1)
            {
                failures.Add($"{where}: the first rejected prefix names layer {layer.Groups["layer"].Value}, not its last layer (the prefixes up to {lastAccepted} were accepted): {message}");
            }
        }
        else if (index != failingLayer)
        {
            failures.Add($"{where}: names layer {layer.Groups["layer"].Value}, the shorter prefix {FuzzChain.LayerName(failingLayer.Value)}: {message}");
        }

        var values = chain.Dims.ToDictionary(d => d.Name, d => d.Smallest);
        var counterexample = Counterexample.Match(message);
        if (counterexample.Success)
        {
            stats.RejectedWithCounterexample++;
            foreach (var pair in counterexample.Groups["example"].Value.Split(", "))
            {
                var parts = pair.Split(" = ");
                var dim = chain.Dims.SingleOrDefault(d => d.Name == parts[0]);
                var value = long.Parse(parts[1], CultureInfo.InvariantCulture);
                if (dim is null || !dim.Allows(value))
                {
                    failures.Add($"{where}: the counterexample {pair} is not an allowed size ({dim?.Attribute() ?? "no such dimension"}): {message}");
                    return;
                }

                values[dim.Name] = value;
            }

            if (long.Parse(counterexample.Groups["value"].Value, CultureInfo.InvariantCulture) > 0)
            {
                failures.Add($"{where}: the counterexample's size is positive: {message}");
            }
        }

        var example = chain.Example(values);
        var (failedAt, what, _) = chain.Interpret(example, index + 1, Batch);
        if (failedAt is null)
        {
            failures.Add($"{where}: rejected, but TorchSharp runs it at [{string.Join(", ", example)}]: {message}");
        }
        else if (failedAt != index)
        {
            failures.Add($"{where}: rejected at {layer.Groups["layer"].Value}, but at [{string.Join(", ", example)}] TorchSharp already fails at {FuzzChain.LayerName(failedAt.Value)} ({what}), which the generator accepted: {message}");
        }
        else if (what.StartsWith("size", StringComparison.Ordinal))
        {
            stats.RejectionsBySize++;
        }
        else
        {
            stats.RejectionsByThrow++;
        }
    }

    /// <summary>Three allowed sizes: every dimension at its smallest, a random one, a large one.</summary>
    private static IEnumerable<IReadOnlyDictionary<string, long>> SizesFor(FuzzChain chain, Random rng)
    {
        yield return chain.Dims.ToDictionary(d => d.Name, d => d.Smallest);
        yield return chain.Dims.ToDictionary(d => d.Name, d =>
        {
            var steps = (d.LargestUpTo(chain.LargeCap) - d.Smallest) / d.MultipleOf;
            return d.Smallest + (d.MultipleOf * rng.NextInt64(0, steps + 1));
        });
        yield return chain.Dims.ToDictionary(d => d.Name, d => d.LargestUpTo(chain.LargeCap));
    }

    private sealed class Stats
    {
        public int Accepted;
        public int Rejected;
        public int RejectedWithCounterexample;
        public int RejectionsByThrow;
        public int RejectionsBySize;
        public int SizesRun;
        public int ChainsFullyAccepted;
        public List<(int Index, double Seconds)> ChainSeconds = new();
    }
}
