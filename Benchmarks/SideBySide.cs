using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dsl.Examples.Models;
using Dsl.Runtime.Memory;
using Dsl.Runtime.Tests.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Dsl.Benchmarks;

/// <summary>
/// Generated TorchSharp, hand-written TorchSharp and PyTorch eager in one interleaved run: the same model (PyTorch
/// runs the generator's own export of it), batch, threads, data, loss and optimiser; in each round the three run one
/// after the other, in an order that rotates, so a shared machine's drift falls on all of them alike.
/// </summary>
/// <remarks>
/// <c>dotnet run -c Release --project Benchmarks -- side-by-side [--quick] [--rounds R] [--steps S] [--threads T]
/// [--models ResNet20,ResNet56,UNet,TinyTransformer] [--out FILE.md]</c>. PyTorch is Debian's <c>python3-torch</c> under
/// /usr/bin/python3 with OpenBLAS (<c>sudo apt-get install --no-install-recommends python3-torch libopenblas0-pthread</c>);
/// this command installs nothing, and warns when PyTorch runs on Netlib's reference BLAS instead.
/// Both processes get the same glibc malloc thresholds (<see cref="GlibcAllocator"/>, and GLIBC_TUNABLES for Python).
/// </remarks>
internal static class SideBySide
{
    private const string Interpreter = "/usr/bin/python3";

    /// <summary>Debian's PyTorch with OpenBLAS: without it, <c>libblas.so.3</c> is Netlib's reference implementation.</summary>
    private const string InstallPyTorch = "sudo apt-get install --no-install-recommends python3-torch libopenblas0-pthread";

    private sealed record Row(string Name, int Batch, Func<nn.Module<Tensor, Tensor>> Generated, Func<nn.Module<Tensor, Tensor>> HandWritten,
        string PyTorchSource, long[] Input, bool Tokens, int Vocab, string Task, int Classes, long Macs, string? PythonClass = null)
    {
        /// <summary>The class the PyTorch source defines: the model's own name, unless given.</summary>
        public string PyTorchClass => PythonClass ?? Name;
    }

    private static readonly Row[] Rows =
    [
        new("ResNet20", 128, () => new ResNet20(), () => new HandWrittenResNet(3), ResNet20.PyTorchSource, ResNet20.InputShape, false, 0, "classify", 10, ResNet20.MultiplyAccumulates),
        new("ResNet56", 128, () => new ResNet56(), () => new HandWrittenResNet(9), ResNet56.PyTorchSource, ResNet56.InputShape, false, 0, "classify", 10, ResNet56.MultiplyAccumulates),
        new("UNet", 64, () => new UNet(), () => new HandWrittenUNet(), UNet.PyTorchSource, UNet.InputShape, false, 0, "dense", 0, UNet.MultiplyAccumulates),
        // One convolution and BatchNorm as in ResNet-20's first stage, the same TorchSharp code on both C# sides: libtorch
        // 2.10 against PyTorch 1.13 on the op that dominates the ResNets, with no generated code involved.
        new("Conv3x3+BN (16 ch, 28×28)", 128, ConvBn, ConvBn, ConvBnPython, new long[] { 16, 28, 28 }, false, 0, "dense", 0, 16 * 16 * 9 * 28 * 28, "ConvBn"),
        new("TinyTransformer", 128, () => new TinyTransformer(), () => new HandWrittenTinyTransformer(), TinyTransformer.PyTorchSource, TinyTransformer.InputShape, true, 100, "classify", 4, TinyTransformer.MultiplyAccumulates),
    ];

    private static nn.Module<Tensor, Tensor> ConvBn() =>
        nn.Sequential(("conv", nn.Conv2d(16, 16, 3, padding: 1, bias: false)), ("bn", nn.BatchNorm2d(16)));

    private const string ConvBnPython = """
        import torch.nn as nn


        class ConvBn(nn.Module):
            def __init__(self):
                super().__init__()
                self.conv = nn.Conv2d(16, 16, 3, padding=1, bias=False)
                self.bn = nn.BatchNorm2d(16)

            def forward(self, x):
                return self.bn(self.conv(x))
        """;

    public static int Run(string[] args)
    {
        if (args.Contains("--in-place"))
        {
            return InPlace(args);
        }

        if (args.Contains("--phases"))
        {
            return Phases(args);
        }

        if (args.Contains("--fused"))
        {
            return Fused(args);
        }

        var (rounds, steps, threads) = Settings.Read(args, rounds: (2, 3), steps: (8, 30));
        var outFile = CommandLine.Text(args, "--out");
        if (SelectRows(args, "side-by-side", Rows.Select(r => r.Name)) is not { } rows)
        {
            return 2;
        }

        using var python = StartBothSides(threads, "dsl-side-by-side-", out var work, out var fixedMalloc);
        var lines = new List<string>
        {
            $"Generated vs hand-written TorchSharp vs PyTorch eager, interleaved: {rounds} rounds of {steps} steps each (after {Warmup(steps)} warm-up steps), {threads} threads, CPU.",
            $"TorchSharp {typeof(torch).Assembly.GetName().Version} (libtorch {__version__}), {python.Version}; machine: {Environment.ProcessorCount} cores; glibc malloc thresholds fixed: {(fixedMalloc ? "yes, both sides" : "no")}.",
            $"Each side starts after a {SettleMilliseconds} ms pause (--settle-ms), so the other process's OpenMP threads have stopped spinning.",
            $"Each cell: median ms per step over all rounds (range of the per-round medians). Ratios: generated / PyTorch and hand-written / PyTorch, of the medians.",
            "",
            "| Model | batch | mode | generated | hand-written | PyTorch eager | generated / PyTorch | hand-written / PyTorch |",
            "|---|---:|---|---:|---:|---:|---:|---:|",
        };
        var clock = Stopwatch.StartNew();
        var roofline = new List<string>();
        foreach (var row in rows)
        {
            python.Load(row, work);
            manual_seed(0);
            using var generated = row.Generated();
            using var handWritten = row.HandWritten();
            var (generatedCount, handCount) = (Parameters(generated), Parameters(handWritten));
            if (generatedCount != handCount)
            {
                throw new InvalidOperationException($"{row.Name}: the hand-written network has {handCount} parameters, the generated one {generatedCount}");
            }

            using var x = Input(row);
            using var target = Target(row, generated, x);
            foreach (var mode in new[] { "train", "inference" })
            {
                var sides = new (string Name, Func<int, double[]> Run)[]
                {
                    ("generated", n => TorchSide(generated, x, target, row.Task, mode, n)),
                    ("hand-written", n => TorchSide(handWritten, x, target, row.Task, mode, n)),
                    ("PyTorch", n => python.Run(row.Name, mode, n)),
                };
                var (perRound, all) = Interleave(sides, rounds, steps);

                string Cell(string name) => $"{Statistics.Median(all[name]):0.0} ({perRound[name].Min():0.0}–{perRound[name].Max():0.0})";
                var py = Statistics.Median(all["PyTorch"]);
                var line = $"| {row.Name} | {row.Batch} | {mode} | {Cell("generated")} | {Cell("hand-written")} | {Cell("PyTorch")} | **{Statistics.Median(all["generated"]) / py:0.00}** | {Statistics.Median(all["hand-written"]) / py:0.00} |";
                lines.Add(line);
                // Training ≈ 3 forward passes of arithmetic (forward, and backward for inputs and for weights); 2 FLOP per MAC.
                var flops = 2.0 * row.Macs * row.Batch * (mode == "train" ? 3 : 1);
                roofline.Add($"| {row.Name} | {mode} | {flops / 1e9:0.00} | {flops / (Statistics.Median(all["generated"]) / 1000) / 1e9:0.0} | {flops / (py / 1000) / 1e9:0.0} |");
                Console.Error.WriteLine($"side-by-side: {row.Name} {mode} done ({clock.Elapsed.TotalSeconds:0} s)");
            }
        }

        var (matmul, convolution) = Peaks(threads);
        lines.Add("");
        lines.Add($"Roofline: libtorch's float32 matmul (2048², {threads} threads) ran at {matmul:0.0} GFLOP/s and a 3×3 convolution (batch 128, 32→32 channels, 14×14) at {convolution:0.0} GFLOP/s here; each step's arithmetic from the compile-time MAC count (2 FLOP per MAC, training 3× a forward pass):");
        lines.Add("");
        lines.Add("| Model | mode | GFLOP per step | generated GFLOP/s | PyTorch GFLOP/s |");
        lines.Add("|---|---|---:|---:|---:|");
        lines.AddRange(roofline);
        lines.Add("");
        lines.Add($"Wall time {clock.Elapsed.TotalMinutes:0.0} min. Command: dotnet run -c Release --project Benchmarks -- side-by-side {string.Join(' ', args.Skip(1))}".TrimEnd());
        var text = string.Join("\n", lines) + "\n";
        Console.Write(text);
        if (outFile is not null)
        {
            File.WriteAllText(outFile, text);
        }

        work.Delete(recursive: true);
        return 0;
    }

    /// <summary>
    /// The hand-written ResNet with every ReLU and residual add in place against the same network out of place
    /// (same weights; the gradients of one step compared first), interleaved: is the change worth making in the generator?
    /// </summary>
    private static int InPlace(string[] args)
    {
        var (rounds, steps, threads) = Settings.Read(args, rounds: (2, 5), steps: (8, 20));
        GlibcAllocator.UseFixedThresholds();
        set_num_threads(threads);
        var lines = new List<string>
        {
            $"In-place ReLU and residual add against out of place, hand-written ResNet, interleaved: {rounds} rounds of {steps} steps, {threads} threads, batch 128, CPU.",
            "",
            "| Model | mode | out of place (ms) | in place (ms) | in place / out of place | largest gradient difference after one step |",
            "|---|---|---:|---:|---:|---:|",
        };
        foreach (var (name, n) in new[] { ("ResNet20", 3), ("ResNet56", 9) })
        {
            manual_seed(0);
            using var outOfPlace = new HandWrittenResNet(n);
            using var inPlace = new HandWrittenResNet(n, inPlace: true);
            inPlace.load_state_dict(outOfPlace.state_dict());
            using var x = randn(128, 1, 28, 28);
            using var target = randint(0, 10, new long[] { 128 }, dtype: ScalarType.Int64);
            var difference = GradientDifference(outOfPlace, inPlace, x, target);
            foreach (var mode in new[] { "train", "inference" })
            {
                var a = new List<double>();
                var b = new List<double>();
                TorchSide(outOfPlace, x, target, "classify", mode, Warmup(steps));
                TorchSide(inPlace, x, target, "classify", mode, Warmup(steps));
                for (var round = 0; round < rounds; round++)
                {
                    var first = round % 2 == 0;
                    (first ? a : b).AddRange(TorchSide(first ? outOfPlace : inPlace, x, target, "classify", mode, steps));
                    (first ? b : a).AddRange(TorchSide(first ? inPlace : outOfPlace, x, target, "classify", mode, steps));
                }

                lines.Add($"| {name} | {mode} | {Statistics.Median(a):0.0} | {Statistics.Median(b):0.0} | **{Statistics.Median(b) / Statistics.Median(a):0.00}** | {(mode == "train" ? difference.ToString("0.0e0", CultureInfo.InvariantCulture) : "")} |");
                Console.Error.WriteLine($"side-by-side --in-place: {name} {mode} done");
            }
        }

        lines.Add("");
        lines.Add($"Command: dotnet run -c Release --project Benchmarks -- side-by-side {string.Join(' ', args.Skip(1))}".TrimEnd());
        Console.Write(string.Join("\n", lines) + "\n");
        return 0;
    }

    /// <summary>
    /// Inference of the generated network as it is, of a copy after <c>fuse()</c> (the BatchNorms that follow a
    /// convolution folded into it; same weights, outputs compared first) and of PyTorch eager, interleaved.
    /// </summary>
    private static int Fused(string[] args)
    {
        var (rounds, steps, threads) = Settings.Read(args, rounds: (2, 5), steps: (8, 30));
        if (SelectRows(args, "side-by-side --fused", new[] { "ResNet20", "ResNet56" }) is not { } rows)
        {
            return 2;
        }

        using var python = StartBothSides(threads, "dsl-side-by-side-", out var work, out _);
        var lines = new List<string>
        {
            $"Inference: generated, generated after fuse(), PyTorch eager (eval, no folding), interleaved: {rounds} rounds of {steps} steps each, {threads} threads, CPU; {python.Version}.",
            "Each cell: median ms per batch over all rounds (range of the per-round medians).",
            "",
            "| Model | batch | generated | generated, fused | PyTorch eager | fused / generated | fused / PyTorch | largest output difference, fused against not |",
            "|---|---:|---:|---:|---:|---:|---:|---:|",
        };
        foreach (var row in rows)
        {
            python.Load(row, work);
            manual_seed(0);
            using var generated = row.Generated();
            using var fused = row.Generated();
            using var x = Input(row);
            using var target = Target(row, generated, x);
            // Trained statistics, not the initial ones (mean 0, variance 1 would fold into almost nothing): a few
            // training steps, then the same weights and statistics in the copy that is fused.
            TorchSide(generated, x, target, row.Task, "train", 3);
            fused.load_state_dict(generated.state_dict());
            generated.eval();
            fused.eval();
            (fused.GetType().GetMethod("fuse") ?? throw new InvalidOperationException($"{row.Name} has no fuse()")).Invoke(fused, null);
            double difference;
            using (no_grad())
            using (var scope = NewDisposeScope())
            {
                var (a, b) = (generated.call(x), fused.call(x));
                difference = ((a - b).abs().max() / a.abs().max()).item<float>();
            }

            var sides = new (string Name, Func<int, double[]> Run)[]
            {
                ("generated", n => TorchSide(generated, x, target, row.Task, "inference", n)),
                ("fused", n => TorchSide(fused, x, target, row.Task, "inference", n)),
                ("PyTorch", n => python.Run(row.Name, "inference", n)),
            };
            var (perRound, all) = Interleave(sides, rounds, steps);

            string Cell(string name) => $"{Statistics.Median(all[name]):0.0} ({perRound[name].Min():0.0}–{perRound[name].Max():0.0})";
            var (g, f, py) = (Statistics.Median(all["generated"]), Statistics.Median(all["fused"]), Statistics.Median(all["PyTorch"]));
            lines.Add($"| {row.Name} | {row.Batch} | {Cell("generated")} | {Cell("fused")} | {Cell("PyTorch")} | **{f / g:0.00}** | **{f / py:0.00}** | {difference.ToString("0.0e0", CultureInfo.InvariantCulture)} (relative to the largest output) |");
            Console.Error.WriteLine($"side-by-side --fused: {row.Name} done");
        }

        lines.Add("");
        lines.Add($"Command: dotnet run -c Release --project Benchmarks -- side-by-side {string.Join(' ', args.Skip(1))}".TrimEnd());
        Console.Write(string.Join("\n", lines) + "\n");
        work.Delete(recursive: true);
        return 0;
    }

    /// <summary>
    /// A training step of the generated module and of PyTorch eager split into phases, interleaved by round
    /// (<see cref="StepPhases"/>): which phase holds the gap between the two.
    /// </summary>
    private static int Phases(string[] args)
    {
        var (rounds, steps, threads) = Settings.Read(args, rounds: (2, 3), steps: (6, 20));
        if (SelectRows(args, "side-by-side --phases", new[] { "ResNet20", "ResNet56" }) is not { } rows)
        {
            return 2;
        }

        using var python = StartBothSides(threads, "dsl-phases-", out var work, out _);
        var lines = new List<string>
        {
            $"A training step by phase, generated TorchSharp against PyTorch eager, interleaved: {rounds} rounds of {steps} steps, {threads} threads, CPU, SGD with momentum.",
            $"TorchSharp {typeof(torch).Assembly.GetName().Version} (libtorch {__version__}), {python.Version}. Forward hooks on every leaf module split the forward pass by layer kind",
            "(the hooks' own cost falls in the forward rows); \"other\" is the forward pass outside modules: functional activations, merges, pooling. Median ms per step over all rounds.",
        };
        foreach (var row in rows)
        {
            python.Load(row, work);
            manual_seed(0);
            using var generated = row.Generated();
            using var x = Input(row);
            using var target = Target(row, generated, x);
            var ours = new List<Dictionary<string, double>>();
            var theirs = new List<Dictionary<string, double>>();
            StepPhases.Measure(generated, x, target, row.Task, Warmup(steps));
            python.Phases(row.Name, Warmup(steps));
            for (var round = 0; round < rounds; round++)
            {
                for (var k = 0; k < 2; k++)
                {
                    Settle();
                    if ((round + k) % 2 == 0)
                    {
                        ours.AddRange(StepPhases.Measure(generated, x, target, row.Task, steps));
                    }
                    else
                    {
                        theirs.AddRange(python.Phases(row.Name, steps));
                    }
                }
            }

            static double Median(List<Dictionary<string, double>> steps, string phase) =>
                Statistics.Median(steps.Select(s => s.GetValueOrDefault(phase)).ToList());
            var phases = StepPhases.Order.Concat(ours.Concat(theirs).SelectMany(s => s.Keys).Where(k => k.StartsWith("forward: ", StringComparison.Ordinal)).Distinct().OrderBy(k => k, StringComparer.Ordinal)).ToList();
            static double Total(List<Dictionary<string, double>> steps) => Statistics.Median(steps.Select(s => StepPhases.Order.Sum(p => s[p])).ToList());
            lines.Add("");
            lines.Add($"{row.Name}, batch {row.Batch}:");
            lines.Add("");
            lines.Add("| Phase | generated (ms) | PyTorch eager (ms) | generated / PyTorch |");
            lines.Add("|---|---:|---:|---:|");
            foreach (var phase in phases)
            {
                var (a, b) = (Median(ours, phase), Median(theirs, phase));
                var label = phase.StartsWith("forward: ", StringComparison.Ordinal) ? "  " + phase : phase;
                lines.Add($"| {label} | {a:0.0} | {b:0.0} | {(b > 0.05 ? (a / b).ToString("0.00", CultureInfo.InvariantCulture) : "")} |");
            }

            var (ta, tb) = (Total(ours), Total(theirs));
            lines.Add($"| whole step | {ta:0.0} | {tb:0.0} | **{ta / tb:0.00}** |");
            Console.Error.WriteLine($"side-by-side --phases: {row.Name} done");
        }

        lines.Add("");
        lines.Add($"Command: dotnet run -c Release --project Benchmarks -- side-by-side {string.Join(' ', args.Skip(1))}".TrimEnd());
        var text = string.Join("\n", lines) + "\n";
        Console.Write(text);
        if (CommandLine.Text(args, "--out") is { } outFile)
        {
            File.WriteAllText(outFile, text);
        }

        work.Delete(recursive: true);
        return 0;
    }

    /// <summary>
    /// The rows <c>--models</c> names (all of <paramref name="defaults"/> without it) and the <c>--settle-ms</c> pause;
    /// null, with one line on stderr, when a name is unknown or PyTorch is not installed.
    /// </summary>
    private static List<Row>? SelectRows(string[] args, string command, IEnumerable<string> defaults)
    {
        SettleMilliseconds = CommandLine.Text(args, "--settle-ms") is { } settle ? int.Parse(settle, CultureInfo.InvariantCulture) : 1000;
        var only = CommandLine.Text(args, "--models")?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? defaults.ToArray();
        var rows = Rows.Where(r => only.Contains(r.Name, StringComparer.OrdinalIgnoreCase)).ToList();
        if (rows.Count == 0)
        {
            Console.Error.WriteLine($"{command}: no such model; the rows are {string.Join(", ", Rows.Select(r => r.Name))}");
            return null;
        }

        if (!File.Exists(Interpreter))
        {
            Console.Error.WriteLine($"{command}: {Interpreter} is missing; install Debian's PyTorch: {InstallPyTorch}");
            return null;
        }

        return rows;
    }

    /// <summary>The row's random batch: token ids or values, batch first.</summary>
    private static Tensor Input(Row row)
    {
        var shape = new[] { (long)row.Batch }.Concat(row.Input).ToArray();
        return row.Tokens ? randint(0, row.Vocab, shape, dtype: ScalarType.Int64) : randn(shape);
    }

    /// <summary>A target of the loss the row's task takes: class ids, or random values shaped like the network's output.</summary>
    private static Tensor Target(Row row, nn.Module<Tensor, Tensor> net, Tensor x)
    {
        if (row.Task == "classify")
        {
            return randint(0, row.Classes, new long[] { row.Batch }, dtype: ScalarType.Int64);
        }

        using var noGrad = no_grad();
        using var y = net.call(x);
        return randn(y.shape);
    }

    /// <summary>One training step's gradients of the two networks (same weights, same batch): the largest absolute difference.</summary>
    private static double GradientDifference(nn.Module<Tensor, Tensor> a, nn.Module<Tensor, Tensor> b, Tensor x, Tensor target)
    {
        foreach (var net in new[] { a, b })
        {
            net.train();
            net.zero_grad();
            using var scope = NewDisposeScope();
            nn.functional.cross_entropy(net.call(x), target).backward();
        }

        using var differences = NewDisposeScope();
        return a.parameters().Zip(b.parameters()).Max(p => (p.First.grad! - p.Second.grad!).abs().max().item<float>());
    }

    /// <summary>Steps on the TorchSharp side, each timed alone: a training step is what the Python side does.</summary>
    private static double[] TorchSide(nn.Module<Tensor, Tensor> net, Tensor x, Tensor target, string task, string mode, int steps)
    {
        var times = new double[steps];
        var clock = new Stopwatch();
        if (mode == "train")
        {
            net.train();
            using var optimizer = optim.SGD(net.parameters(), 0.01, momentum: 0.9);
            for (var i = 0; i < steps; i++)
            {
                clock.Restart();
                using (var scope = NewDisposeScope())
                {
                    optimizer.zero_grad();
                    var output = net.call(x);
                    var loss = task == "classify" ? nn.functional.cross_entropy(output, target) : nn.functional.mse_loss(output, target);
                    loss.backward();
                    optimizer.step();
                    _ = loss.item<float>();
                }

                times[i] = clock.Elapsed.TotalMilliseconds;
            }
        }
        else
        {
            net.eval();
            using var noGrad = no_grad();
            for (var i = 0; i < steps; i++)
            {
                clock.Restart();
                net.call(x).Dispose();
                times[i] = clock.Elapsed.TotalMilliseconds;
            }
        }

        return times;
    }

    /// <summary>What libtorch reaches on this machine: a large matmul and a typical convolution, GFLOP/s (median of 10).</summary>
    private static (double Matmul, double Convolution) Peaks(int threads)
    {
        set_num_threads(threads);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        const long n = 2048;
        var a = randn(n, n);
        var b = randn(n, n);
        var x = randn(128, 32, 14, 14);
        var w = randn(32, 32, 3, 3);
        double Rate(Action op, double flop)
        {
            op();
            var times = new List<double>();
            for (var i = 0; i < 10; i++)
            {
                var clock = Stopwatch.StartNew();
                op();
                times.Add(clock.Elapsed.TotalSeconds);
            }

            return flop / Statistics.Median(times) / 1e9;
        }

        return (Rate(() => a.mm(b).Dispose(), 2.0 * n * n * n),
                Rate(() => nn.functional.conv2d(x, w, padding: new long[] { 1, 1 }).Dispose(), 2.0 * 128 * 32 * 32 * 9 * 14 * 14));
    }

    /// <summary><c>--rounds</c>, <c>--steps</c> and <c>--threads</c>, each mode with its own defaults for <c>--quick</c> and without.</summary>
    private readonly record struct Settings(int Rounds, int Steps, int Threads)
    {
        public static Settings Read(string[] args, (int Quick, int Full) rounds, (int Quick, int Full) steps)
        {
            var quick = args.Contains("--quick");
            return new Settings(
                CommandLine.Option(args, "--rounds", quick ? rounds.Quick : rounds.Full),
                CommandLine.Option(args, "--steps", quick ? steps.Quick : steps.Full),
                CommandLine.Option(args, "--threads", 2));
        }
    }

    /// <summary>
    /// The set-up of every mode that runs PyTorch beside TorchSharp: glibc's malloc thresholds fixed and the thread
    /// count set on both sides, a scratch folder for the Python sources, and the Python child process.
    /// </summary>
    private static PythonSide StartBothSides(int threads, string folderPrefix, out DirectoryInfo work, out bool fixedMalloc)
    {
        fixedMalloc = GlibcAllocator.UseFixedThresholds();
        set_num_threads(threads);
        work = Directory.CreateTempSubdirectory(folderPrefix);
        return new PythonSide(threads, fixedMalloc);
    }

    /// <summary>
    /// Warm-up steps for every side, then rounds in which each side runs its steps in turn, the order rotating by round
    /// (so no side always follows the same one), after a pause each: each side's per-round medians and all its times.
    /// </summary>
    private static (Dictionary<string, List<double>> PerRound, Dictionary<string, List<double>> All) Interleave(
        (string Name, Func<int, double[]> Run)[] sides, int rounds, int steps)
    {
        foreach (var side in sides)
        {
            side.Run(Warmup(steps));
        }

        var perRound = sides.ToDictionary(s => s.Name, _ => new List<double>());
        var all = sides.ToDictionary(s => s.Name, _ => new List<double>());
        for (var round = 0; round < rounds; round++)
        {
            for (var k = 0; k < sides.Length; k++)
            {
                var side = sides[(round + k) % sides.Length];
                Settle();
                var times = side.Run(steps);
                perRound[side.Name].Add(Statistics.Median(times));
                all[side.Name].AddRange(times);
            }
        }

        return (perRound, all);
    }

    private static int Warmup(int steps) => Math.Max(3, steps / 5);

    /// <summary>
    /// A pause before each side's steps. libtorch's OpenMP workers keep spinning for a while after their last parallel
    /// region; without the pause, the process that just ran takes cores from the one that runs next, and a model whose
    /// 30 steps last less than that (the Transformer block: 2 ms a step) measures mostly the other process's spinning.
    /// </summary>
    private static void Settle() => System.Threading.Thread.Sleep(SettleMilliseconds);

    private static int SettleMilliseconds = 1000;

    private static long Parameters(nn.Module module) => module.parameters().Sum(p => p.numel());

    /// <summary>Benchmarks/PyTorch/side_by_side.py as a child process, one JSON command per line.</summary>
    private sealed class PythonSide : IDisposable
    {
        private readonly Process process;

        public PythonSide(int threads, bool fixedMalloc)
        {
            var script = Path.Combine(AppContext.BaseDirectory, "PyTorch", "side_by_side.py");
            var start = new ProcessStartInfo(Interpreter) { RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false };
            start.ArgumentList.Add(script);
            start.ArgumentList.Add("--threads");
            start.ArgumentList.Add(threads.ToString(CultureInfo.InvariantCulture));
            start.Environment["OMP_NUM_THREADS"] = threads.ToString(CultureInfo.InvariantCulture);
            start.Environment["PYTHONNOUSERSITE"] = "1";
            if (fixedMalloc)
            {
                start.Environment["GLIBC_TUNABLES"] = "glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=268435456";
            }

            process = Process.Start(start) ?? throw new InvalidOperationException("could not start " + Interpreter);
            var ready = Read();
            var blas = (string?)ready["blas"] ?? "not reported";
            var gflops = (double?)ready["matmul_gflops"] ?? 0;
            // Debian's libblas.so.3 falls back to Netlib's reference BLAS without OpenBLAS: about 2.5 GFLOP/s here
            // against 116 (OpenBLAS has dozens per core with AVX2, so 10 on any core count means a reference BLAS).
            Version = $"PyTorch {ready["torch"]} (oneDNN {((bool)ready["mkldnn"]! ? "on" : "off")}, BLAS {blas}: matmul {gflops:0.0} GFLOP/s, {ready["threads"]} threads)";
            if (gflops < 10)
            {
                Console.Error.WriteLine($"warning: PyTorch's matmul runs at {gflops:0.0} GFLOP/s ({blas}): a reference BLAS, about 40 times slower than OpenBLAS, under its Linear layers and transposed convolutions. For a fair comparison: {InstallPyTorch}");
            }
        }

        public string Version { get; }

        /// <summary>Writes the row's PyTorch source into <paramref name="work"/> and has the Python side load it.</summary>
        public void Load(Row row, DirectoryInfo work)
        {
            var source = Path.Combine(work.FullName, row.PyTorchClass + ".py");
            File.WriteAllText(source, row.PyTorchSource);
            Load(row, source);
        }

        private void Load(Row row, string source) => Send(new JsonObject
        {
            ["op"] = "load", ["name"] = row.Name, ["class"] = row.PyTorchClass, ["source"] = source, ["input"] = new JsonArray(row.Input.Select(d => (JsonNode)d).ToArray()),
            ["batch"] = row.Batch, ["tokens"] = row.Tokens, ["vocab"] = row.Vocab, ["task"] = row.Task, ["classes"] = row.Classes,
        });

        public List<Dictionary<string, double>> Phases(string name, int steps) =>
            Send(new JsonObject { ["op"] = "phases", ["name"] = name, ["steps"] = steps })["phases"]!.AsArray()
                .Select(step => step!.AsObject().ToDictionary(p => p.Key, p => (double)p.Value!)).ToList();

        public double[] Run(string name, string mode, int steps) =>
            Send(new JsonObject { ["op"] = "run", ["name"] = name, ["mode"] = mode, ["steps"] = steps })["ms"]!.AsArray().Select(v => (double)v!).ToArray();

        public void Dispose()
        {
            try
            {
                process.StandardInput.WriteLine("{\"op\": \"quit\"}");
                process.WaitForExit(5000);
            }
            finally
            {
                process.Dispose();
            }
        }

        private JsonObject Send(JsonObject command)
        {
            process.StandardInput.WriteLine(command.ToJsonString());
            var answer = Read();
            return answer["error"] is { } error ? throw new InvalidOperationException("the PyTorch side failed: " + error) : answer;
        }

        private JsonObject Read()
        {
            var line = process.StandardOutput.ReadLine() ?? throw new InvalidOperationException($"the PyTorch side exited (code {(process.HasExited ? process.ExitCode : -1)})");
            return JsonNode.Parse(line)!.AsObject();
        }
    }
}
