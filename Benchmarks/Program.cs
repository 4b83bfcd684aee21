using System;
using System.Linq;
using BenchmarkDotNet.Running;
using Dsl.Benchmarks;

// All BenchmarkDotNet suites: dotnet run -c Release --project Benchmarks -- --filter '*'
// Interleaved A/B of the forward pass (robust to a shared machine's drift): dotnet run -c Release --project Benchmarks -- ab [rounds]
// Interleaved A/B of Trainer.Fit against the hand-written loop (one epoch each): dotnet run -c Release --project Benchmarks -- ab-train [rounds]
// The generator's time and allocations over projects of 1 to 500 models, in-process: dotnet run -c Release --project Benchmarks -- generator [--quick]
// Generated vs hand-written TorchSharp vs PyTorch eager, interleaved: dotnet run -c Release --project Benchmarks -- side-by-side [--quick] [--in-place | --phases | --fused]
// The data pipeline's share of a training epoch: dotnet run -c Release --project Benchmarks -- data-loading [--quick]
// Resident memory without dispose scopes, and per training step against the compile-time estimate: dotnet run -c Release --project Benchmarks -- memory [--quick]
if (args.Length > 0 && args[0] == "generator")
{
    Environment.ExitCode = GeneratorTiming.Run(args);
    return;
}

if (args.Length > 0 && args[0] == "data-loading")
{
    Environment.ExitCode = DataLoadingBenchmark.Run(args);
    return;
}

if (args.Length > 0 && args[0] == "memory")
{
    Environment.ExitCode = MemoryBenchmark.Run(args);
    return;
}

if (args.Length > 0 && args[0] == "side-by-side")
{
    Environment.ExitCode = SideBySide.Run(args);
    return;
}

if (args.Length > 0 && args[0] == "ab-train")
{
    var rounds = args.Length > 1 && int.TryParse(args[1], out var r) ? r : 20;
    var bench = new TrainingBenchmarks();
    bench.Setup();
    bench.HandWrittenLoop();
    bench.TrainerFit();
    var baseline = new double[rounds];
    var trainer = new double[rounds];
    var watch = new System.Diagnostics.Stopwatch();
    for (var i = 0; i < rounds; i++)
    {
        for (var side = 0; side < 2; side++)
        {
            var runTrainer = (i + side) % 2 == 0;
            watch.Restart();
            _ = runTrainer ? bench.TrainerFit() : bench.HandWrittenLoop();
            (runTrainer ? trainer : baseline)[i] = watch.Elapsed.TotalMilliseconds;
        }
    }

    bench.Cleanup();
    static double MedianOf(double[] xs) => xs.OrderBy(x => x).ElementAt(xs.Length / 2);
    Console.WriteLine($"hand-written loop (baseline): median {MedianOf(baseline):F1} ms per epoch over {rounds} rounds");
    Console.WriteLine($"Trainer.Fit:                  median {MedianOf(trainer):F1} ms");
    Console.WriteLine($"ratio of medians (Trainer.Fit / baseline): {MedianOf(trainer) / MedianOf(baseline):F3}");
    Console.WriteLine($"median of per-round ratios: {MedianOf(Enumerable.Range(0, rounds).Select(i => trainer[i] / baseline[i]).ToArray()):F3}");
    return;
}

if (args.Length > 0 && args[0] == "ab")
{
    var rounds = args.Length > 1 && int.TryParse(args[1], out var r) ? r : 400;
    var bench = new ForwardBenchmarks();
    bench.Setup();
    for (var i = 0; i < 50; i++)
    {
        bench.HandWritten();
        bench.Generated();
    }

    var baseline = new double[rounds];
    var generated = new double[rounds];
    var watch = new System.Diagnostics.Stopwatch();
    for (var i = 0; i < rounds; i++)
    {
        // Alternate which goes first, so neither side always runs on a warmer cache.
        for (var side = 0; side < 2; side++)
        {
            var runGenerated = (i + side) % 2 == 0;
            watch.Restart();
            _ = runGenerated ? bench.Generated() : bench.HandWritten();
            (runGenerated ? generated : baseline)[i] = watch.Elapsed.TotalMilliseconds;
        }
    }

    bench.Cleanup();
    static double Median(double[] xs) => xs.OrderBy(x => x).ElementAt(xs.Length / 2);
    Console.WriteLine($"hand-written (baseline): median {Median(baseline):F3} ms over {rounds} rounds");
    Console.WriteLine($"generated:               median {Median(generated):F3} ms");
    Console.WriteLine($"ratio of medians (generated / baseline): {Median(generated) / Median(baseline):F3}");
    var pairwise = Enumerable.Range(0, rounds).Select(i => generated[i] / baseline[i]).ToArray();
    Console.WriteLine($"median of per-round ratios: {Median(pairwise):F3}");
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);

/// <summary>Entry point type for BenchmarkSwitcher.</summary>
public partial class Program;
