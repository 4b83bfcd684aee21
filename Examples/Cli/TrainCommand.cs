using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using Dsl.Runtime.Checkpoints;
using Dsl.Runtime.Data;
using Dsl.Runtime.Devices;
using Dsl.Runtime.Reporting;
using Dsl.Runtime.Training;
using Spectre.Console;

namespace Dsl.Examples.Cli;

/// <summary><c>train &lt;Model&gt;</c>: trains an example classifier on Fashion-MNIST and writes everything to <c>--out</c>.</summary>
internal static class TrainCommand
{
    public const string Usage =
        "train <Model> [--epochs N] [--batch-size B] [--lr X] [--data DIR|embedded] [--device cpu|cuda|cuda:N] [--seed S] [--out DIR] [--resume] " +
        "[--optimizer sgd|adam|adamw] [--schedule onecycle|cosine|step|constant] [--warmup STEPS] [--weight-decay X] [--momentum X] " +
        "[--clip NORM] [--patience EPOCHS] [--label-smoothing X] [--no-augment] [--grad-every K] [--limit N]";

    private static readonly string[] Flags = { "resume", "no-augment" };

    private static readonly Dictionary<string, OptimizerKind> OptimizerNames = new()
    {
        ["sgd"] = OptimizerKind.Sgd, ["adam"] = OptimizerKind.Adam, ["adamw"] = OptimizerKind.AdamW,
    };

    private static readonly Dictionary<string, ScheduleKind> ScheduleNames = new()
    {
        ["onecycle"] = ScheduleKind.OneCycle, ["cosine"] = ScheduleKind.Cosine, ["step"] = ScheduleKind.Step, ["constant"] = ScheduleKind.Constant,
    };

    /// <summary>The recipe the README's main job uses: SGD with Nesterov momentum, one-cycle, light augmentation.</summary>
    public static TrainerOptions DefaultOptions => new()
    {
        Epochs = 15,
        BatchSize = 128,
        LearningRate = 0.1,
        Optimizer = OptimizerKind.Sgd,
        Momentum = 0.9,
        Nesterov = true,
        WeightDecay = 5e-4,
        Schedule = ScheduleKind.OneCycle,
        Augmentation = new Augmentation(CropPadding: 2, HorizontalFlip: true),
        Normalization = FashionMnistStatistics,
        GradientLogEvery = 50,
    };

    /// <summary>Mean and standard deviation of the 60,000 Fashion-MNIST training images (pixels scaled to 0..1): fixed, so
    /// weights evaluate the same whichever subset trained them, and plain weight files need no normalisation stored beside them.</summary>
    public static Normalization FashionMnistStatistics { get; } = new(0.2860, 0.3530);

    public static int Run(IReadOnlyList<string> args, IAnsiConsole console, CancellationToken cancellation)
    {
        var arguments = new Arguments(args, Flags);
        if (arguments.Positional.Count < 1)
        {
            throw new UsageException("train needs a model name");
        }

        var example = Cli.FindClassifier(arguments.Positional[0]);
        var options = ReadOptions(arguments);
        var dataDirectory = arguments.Text("data");
        var deviceSpec = arguments.Text("device");
        var output = Path.GetFullPath(arguments.Text("out") ?? Path.Combine("runs", example.Name));
        var resume = arguments.Flag("resume");
        var limit = arguments.Int("limit", 1);
        arguments.EnsureAllUsed(1);

        var device = DeviceChoice.Resolve(deviceSpec);
        var checkpointDirectory = Path.Combine(output, "checkpoints");
        if (!resume && Directory.Exists(checkpointDirectory) && Directory.EnumerateFiles(checkpointDirectory, "*.ckpt").Any())
        {
            throw new UsageException($"{output} already holds checkpoints of a run: pass --resume to continue it, or --out to start a new one elsewhere");
        }

        using var data = Cli.LoadData(dataDirectory);
        var (train, test) = limit is { } n ? (data.Train.Subset(0, Math.Min(n, data.Train.Count)), data.Test.Subset(0, Math.Min(n, data.Test.Count))) : (data.Train, data.Test);
        try
        {
            Trainer.Seed(options.Seed);
            using var model = example.Create();
            using var trainer = new Trainer(model, options, device, checkpointDirectory, example.Name);
            trainer.Warning += message => console.MarkupLineInterpolated($"[yellow]warning:[/] {message}");
            if (resume)
            {
                var from = trainer.Resume();
                console.WriteLine(from is null
                    ? $"no checkpoint in {checkpointDirectory}: starting a new run"
                    : $"resuming from {from} (epoch {trainer.History.Count}, step {trainer.Step:N0})");
            }

            console.WriteLine($"{example.Name}: {example.ParameterCount:N0} parameters, {Describe(trainer.Options)}");
            console.WriteLine($"data: {data.Source}{(limit is null ? "" : $", limited to {train.Count:N0} / {test.Count:N0}")}; device: {DeviceChoice.Describe(device)}; output: {output}");

            var result = TrainingProgressView.Run(console, trainer, train, test, cancellation);
            RunOutputs.Write(output, example.Name, trainer, result, data.Source, device);

            if (result.Reason == StopReason.Interrupted)
            {
                var again = args.Contains("--resume") ? args : args.Append("--resume");
                console.WriteLine($"interrupted at step {result.Steps:N0}; checkpoint {result.LastCheckpoint}. " +
                    $"Continue with: train {string.Join(" ", again.Select(a => a.Contains(' ') ? $"\"{a}\"" : a))}");
                return 130;
            }

            if (result.Reason == StopReason.Diverged)
            {
                throw new InvalidOperationException(
                    $"training diverged: the loss of epoch {result.History.Count} is {result.Final?.TrainLoss}; lower --lr or pass --clip 1 (the last good checkpoint is kept in {checkpointDirectory})");
            }

            var final = result.Final;
            var accuracy = final?.TestAccuracy is { } a ? a.ToString("P2", CultureInfo.InvariantCulture) : "n/a";
            var loss = final?.TestLoss is { } l ? l.ToString("F4", CultureInfo.InvariantCulture) : "n/a";
            var stopped = result.Reason == StopReason.EarlyStopped ? " (stopped early)" : "";
            console.WriteLine($"{example.Name}: test accuracy {accuracy} (loss {loss}) on {test.Count:N0} test images after {result.History.Count} epochs{stopped}, " +
                $"{result.History.Sum(h => h.Seconds):F0} s of training; output in {output}");
            return 0;
        }
        finally
        {
            if (limit is not null)
            {
                train.Dispose();
                test.Dispose();
            }
        }
    }

    private static TrainerOptions ReadOptions(Arguments arguments)
    {
        var defaults = DefaultOptions;
        var augment = !arguments.Flag("no-augment");
        return defaults with
        {
            Epochs = arguments.Int("epochs", 1) ?? defaults.Epochs,
            BatchSize = arguments.Int("batch-size", 1) ?? defaults.BatchSize,
            LearningRate = arguments.Double("lr") ?? defaults.LearningRate,
            Seed = arguments.Long("seed") ?? defaults.Seed,
            Optimizer = arguments.Choice("optimizer", OptimizerNames) ?? defaults.Optimizer,
            Schedule = arguments.Choice("schedule", ScheduleNames) ?? defaults.Schedule,
            WarmupSteps = arguments.Int("warmup", 0) ?? defaults.WarmupSteps,
            WeightDecay = arguments.Double("weight-decay", 0, inclusive: true) ?? defaults.WeightDecay,
            Momentum = arguments.Double("momentum", 0, inclusive: true) is { } m
                ? (m < 1 ? m : throw new UsageException($"--momentum must be below 1, not {m}"))
                : defaults.Momentum,
            ClipGradientNorm = arguments.Double("clip") ?? defaults.ClipGradientNorm,
            EarlyStoppingPatience = arguments.Int("patience", 1) ?? defaults.EarlyStoppingPatience,
            LabelSmoothing = arguments.Double("label-smoothing", 0, inclusive: true) is { } s
                ? (s < 1 ? s : throw new UsageException($"--label-smoothing must be below 1, not {s}"))
                : defaults.LabelSmoothing,
            GradientLogEvery = arguments.Int("grad-every", 0) ?? defaults.GradientLogEvery,
            Augmentation = augment ? defaults.Augmentation : Augmentation.None,
        };
    }

    private static string Describe(TrainerOptions o) =>
        $"{o.Epochs} epochs, batch {o.BatchSize}, {o.Optimizer} lr {o.LearningRate.ToString(CultureInfo.InvariantCulture)} ({o.Schedule}" +
        $"{(o.WarmupSteps > 0 ? $", {o.WarmupSteps} warm-up steps" : "")}), seed {o.Seed}";
}
