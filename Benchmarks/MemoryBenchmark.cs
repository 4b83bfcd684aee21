using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Text.RegularExpressions;
using Dsl.Runtime;
using Dsl.Runtime.Tests;
using TorchSharp;
using static TorchSharp.torch;

namespace Dsl.Benchmarks;

/// <summary>
/// Resident memory, measured in child processes (one per measurement, so that nothing one leaves behind is counted in
/// another): (1) over 1,000 inference calls without a dispose scope, the generated ResNet-20 against the hand-written one
/// with dispose scopes and the hand-written one without any; (2) the peak of a training step of each fixed-size example
/// model above its steady state, against the compile-time activation-memory estimate of its summary.
/// The inference processes keep glibc's malloc settings and also count live tensors (which no allocator setting
/// blurs); the training ones run with a malloc that returns what is freed (<see cref="ReturningMalloc"/>).
/// </summary>
internal static partial class MemoryBenchmark
{
    private const string Usage = "memory [--quick] [--calls N] [--batch B] [--steps S] [--threads T] [--models A,B] [--cap-mib M] [--out FILE]";

    public static int Run(string[] args)
    {
        if (CommandLine.Text(args, "--child") is { } child)
        {
            return child == "inference" ? InferenceChild(args) : TrainingChild(args);
        }

        var quick = args.Contains("--quick");
        var calls = CommandLine.Option(args, "--calls", 1000);
        var batch = CommandLine.Option(args, "--batch", 32);
        var steps = CommandLine.Option(args, "--steps", quick ? 3 : 5);
        var threads = CommandLine.Option(args, "--threads", 2);
        var cap = CommandLine.Option(args, "--cap-mib", 4096);
        var only = CommandLine.Text(args, "--models")?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var catalog = Catalog();
        var models = catalog
            .Where(e => !e.TakesTokenIds && e.InputShape.All(d => d > 0) && e.InputShape.Length is 2 or 3)
            .Where(e => only is null ? !quick || QuickModels.Contains(e.Name) : only.Contains(e.Name, StringComparer.OrdinalIgnoreCase))
            .Select(e => e.Name)
            .ToList();
        if (models.Count == 0)
        {
            Console.Error.WriteLine($"memory: no such fixed-size model; usage: {Usage}");
            return 2;
        }

        var clock = Stopwatch.StartNew();
        var lines = new List<string>
        {
            "## Memory",
            "",
            $"Command: `dotnet run -c Release --project Benchmarks -- {string.Join(' ', args)}`; {threads} threads, CPU, TorchSharp {typeof(torch).Assembly.GetName().Version} (libtorch {__version__}),",
            $"{Environment.ProcessorCount} cores, {DateTime.UtcNow:yyyy-MM-dd}. Every measurement is its own process.",
            "",
            $"### {calls:N0} inference calls without a dispose scope (batch {batch}, ResNet-20, `no_grad`, outputs never disposed)",
            "",
            "Resident set (VmRSS) after the first call and then every tenth of the calls, and in brackets the live tensors (TorchSharp's `DisposeScopeManager.Statistics.ThreadTotalLiveCount`): " +
            "what the calls left behind. These processes keep glibc's own malloc settings, as an inference application has them.",
            "",
        };

        var sides = new[] { ("generated ResNet20", "generated"), ("hand-written, a dispose scope per forward", "scoped"), ("hand-written, no dispose scope", "naive") };
        var samples = new List<(string Label, JsonElement Result)>();
        foreach (var (label, side) in sides)
        {
            Console.Error.WriteLine($"memory: inference, {label}");
            samples.Add((label, Child(["--child", "inference", "--side", side, "--calls", Text(calls), "--batch", Text(batch), "--threads", Text(threads), "--cap-mib", Text(cap)])));
        }

        var marks = samples.SelectMany(s => s.Result.GetProperty("samples").EnumerateArray().Select(p => p[0].GetInt32())).Distinct().Order().ToList();
        lines.Add("| calls | " + string.Join(" | ", samples.Select(s => s.Label)) + " |");
        lines.Add("|---:|" + string.Concat(samples.Select(_ => "---:|")));
        foreach (var mark in marks)
        {
            lines.Add($"| {mark:N0} | " + string.Join(" | ", samples.Select(s => At(s.Result, mark))) + " |");
        }

        lines.Add("| growth | " + string.Join(" | ", samples.Select(s => Growth(s.Result))) + " |");
        lines.Add($"| stopped at the {cap:N0} MiB cap (--cap-mib) | " + string.Join(" | ", samples.Select(s => s.Result.GetProperty("stoppedAt").GetInt32() is var n && n > 0 ? $"call {n:N0}" : "no")) + " |");
        lines.Add("| garbage collections (gen 0 / gen 2) | " + string.Join(" | ", samples.Select(s => $"{s.Result.GetProperty("gen0").GetInt32()} / {s.Result.GetProperty("gen2").GetInt32()}")) + " |");
        lines.Add("");
        lines.Add($"### Peak of a training step against the compile-time estimate (batch {batch}, SGD with momentum, {steps} steps after one warm-up step, glibc set to return every block of 64 KiB or more when it is freed)");
        lines.Add("");
        lines.Add("Estimate: the summary's activation memory per example (every layer's and merge's output, float32) × the batch. " +
                  "Measured: the resident set's peak (VmHWM) during the steps above the resident set before them (model, gradients, momentum and the warm-up's caches already allocated).");
        lines.Add("");
        lines.Add("| Model | parameters | activation estimate | measured step peak | measured / estimate |");
        lines.Add("|---|---:|---:|---:|---:|");
        foreach (var model in models)
        {
            Console.Error.WriteLine($"memory: training step, {model}");
            var result = Child(["--child", "train", "--model", model, "--batch", Text(batch), "--steps", Text(steps), "--threads", Text(threads)], ReturningMalloc);
            var estimate = result.GetProperty("estimate").GetInt64();
            var peak = result.GetProperty("peak").GetInt64() - result.GetProperty("baseline").GetInt64();
            lines.Add($"| {model} | {result.GetProperty("parameters").GetInt64():N0} | {MiB(estimate)} | {MiB(peak)} | {(double)peak / estimate:F2} |");
        }

        lines.Add("");
        lines.Add($"Wall time: {clock.Elapsed.TotalSeconds:F0} s.");
        var text = string.Join('\n', lines) + "\n";
        Console.WriteLine(text);
        if (CommandLine.Text(args, "--out") is { } outFile)
        {
            File.WriteAllText(outFile, text);
        }

        return 0;
    }

    /// <summary>
    /// glibc settings under which every block of 64 KiB or more is its own mapping, unmapped when freed, and the heap is
    /// trimmed past 128 KiB free: the resident set then follows the live tensors, instead of keeping what malloc
    /// retains for reuse (with the trainer's 32 MB mmap threshold and 256 MB trim threshold, a step reuses the
    /// warm-up's retained heap and its peak hardly shows).
    /// </summary>
    private static readonly Dictionary<string, string> ReturningMalloc = new()
    {
        ["MALLOC_MMAP_THRESHOLD_"] = "65536",
        ["MALLOC_TRIM_THRESHOLD_"] = "131072",
    };

    /// <summary>The models <c>--quick</c> measures: a ResNet, a DenseNet, a U-Net and a 1-D forecaster.</summary>
    private static readonly string[] QuickModels = ["ResNet20", "DenseNetBC", "UNet", "ForecastResNet1d"];

    private static IReadOnlyList<Dsl.ModelCatalogEntry> Catalog() =>
        DslApp.CatalogOf(typeof(Dsl.Examples.Models.ResNet20).Assembly) ?? throw new InvalidOperationException("Dsl.Examples has no model catalogue");

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string MiB(long bytes) => $"{bytes / 1048576.0:N1} MiB";

    private static string At(JsonElement result, int call) =>
        result.GetProperty("samples").EnumerateArray().FirstOrDefault(p => p[0].GetInt32() == call) is { ValueKind: JsonValueKind.Array } sample
            ? $"{MiB(sample[1].GetInt64())} ({sample[2].GetInt64():N0})"
            : "";

    private static string Growth(JsonElement result)
    {
        var all = result.GetProperty("samples").EnumerateArray().Select(s => s[1].GetInt64()).ToList();
        return $"{(all[^1] - all[0]) / 1048576.0:+0.0;-0.0} MiB";
    }

    /// <summary>Runs this program again with <paramref name="arguments"/> and returns the JSON object it prints last.</summary>
    private static JsonElement Child(string[] arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        var self = Environment.ProcessPath ?? throw new InvalidOperationException("no process path");
        var start = new ProcessStartInfo(self) { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            start.ArgumentList.Add(typeof(MemoryBenchmark).Assembly.Location);
        }

        start.ArgumentList.Add("memory");
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("the child did not start");
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        var last = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault();
        if (process.ExitCode != 0 || last is null)
        {
            throw new InvalidOperationException($"memory {string.Join(' ', arguments)} exited with {process.ExitCode}: {output}");
        }

        return JsonDocument.Parse(last).RootElement.Clone();
    }

    private static int InferenceChild(string[] args)
    {
        var side = CommandLine.Text(args, "--side");
        var calls = CommandLine.Option(args, "--calls", 1000);
        var batch = CommandLine.Option(args, "--batch", 32);
        set_num_threads(CommandLine.Option(args, "--threads", 2)); // glibc's own malloc settings, as an inference application has them
        manual_seed(0);
        nn.Module<Tensor, Tensor> model = side switch
        {
            "generated" => new Dsl.Examples.Models.ResNet20(),
            "scoped" => new HandWrittenResNet(3),
            "naive" => new HandWrittenResNet(3, disposeScopes: false),
            _ => throw new ArgumentException($"--side takes generated, scoped or naive, not '{side}'"),
        };
        model.eval();
        using var x = randn(batch, 1, 28, 28);
        using var noGrad = no_grad();
        var samples = new List<long[]>();
        var (gen0, gen2) = (GC.CollectionCount(0), GC.CollectionCount(2));
        var cap = CommandLine.Option(args, "--cap-mib", 4096) * 1048576L;
        var stoppedAt = 0;
        for (var call = 1; call <= calls; call++)
        {
            model.call(x); // as a caller without a dispose scope writes it: the output is never disposed
            var rss = Resident(PeakResidentMemory.Current());
            if (call == 1 || call % Math.Max(1, calls / 10) == 0)
            {
                samples.Add([call, rss, DisposeScopeManager.Statistics.ThreadTotalLiveCount]);
            }

            if (rss > cap)
            {
                // Past the cap the machine would run out of memory (the kernel killed a first run at 24 GiB).
                stoppedAt = call;
                samples.Add([call, rss, DisposeScopeManager.Statistics.ThreadTotalLiveCount]);
                break;
            }
        }

        Console.WriteLine(JsonSerializer.Serialize(new { samples, stoppedAt, gen0 = GC.CollectionCount(0) - gen0, gen2 = GC.CollectionCount(2) - gen2 }));
        return 0;
    }

    private static int TrainingChild(string[] args)
    {
        var name = CommandLine.Text(args, "--model");
        var batch = CommandLine.Option(args, "--batch", 32);
        var steps = CommandLine.Option(args, "--steps", 5);
        set_num_threads(CommandLine.Option(args, "--threads", 2));
        var entry = Catalog().FirstOrDefault(e => e.Name == name) ?? throw new ArgumentException($"no model '{name}'");
        manual_seed(0);
        using var model = (nn.Module<Tensor, Tensor>)entry.Create();
        model.train();
        using var optimizer = optim.SGD(model.parameters(), 0.01, momentum: 0.9);
        using var x = randn(new[] { (long)batch }.Concat(entry.InputShape).ToArray());
        var classes = entry.OutputShape.Length == 1 && entry.InputShape.Length == 3 ? entry.OutputShape[0] : 0;
        using var target = classes > 0 ? randint(0, classes, new long[] { batch }, dtype: ScalarType.Int64) : randn(new[] { (long)batch }.Concat(entry.OutputShape).ToArray());

        void Step()
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            var y = model.call(x);
            var loss = classes > 0 ? nn.functional.cross_entropy(y, target) : nn.functional.mse_loss(y, target);
            loss.backward();
            optimizer.step();
        }

        Step(); // gradients, momentum buffers and libtorch's caches exist from here on
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var baseline = Resident(PeakResidentMemory.Current());
        // Resets VmHWM to the current resident set; without it the peak would include the warm-up step's.
        if (!PeakResidentMemory.TryReset())
        {
            throw new PlatformNotSupportedException("the memory benchmark could not reset the peak resident set (/proc/self/clear_refs): the peak would include the warm-up step");
        }

        for (var i = 0; i < steps; i++)
        {
            Step();
        }

        var peak = Resident(PeakResidentMemory.Read());
        var estimate = ActivationBytesPerExample(entry.Summary) * batch;
        Console.WriteLine(JsonSerializer.Serialize(new { baseline, peak, estimate, parameters = entry.ParameterCount }));
        return 0;
    }

    /// <summary>The summary's "Activation memory per example in training (…): N bytes".</summary>
    private static long ActivationBytesPerExample(string summary)
    {
        var match = ActivationLine().Match(summary);
        return match.Success
            ? long.Parse(match.Groups[1].Value, NumberStyles.AllowThousands, CultureInfo.InvariantCulture)
            : throw new InvalidOperationException("the summary states no activation memory");
    }

    [GeneratedRegex(@"Activation memory per example in training \([^)]*\): ([\d,]+) bytes")]
    private static partial Regex ActivationLine();

    private static long Resident(long? bytes) =>
        bytes ?? throw new PlatformNotSupportedException("the memory benchmark reads /proc/self/status, which only Linux has");
}
