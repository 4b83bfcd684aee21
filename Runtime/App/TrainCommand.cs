using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using Dsl.Runtime.Data;
using Dsl.Runtime.Devices;
using Dsl.Runtime.IO;
using Dsl.Runtime.Training;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Dsl.Runtime.App;

/// <summary>
/// <c>train &lt;Model&gt;</c>: picks the task and data from the model and the options, splits a seeded, class-stratified
/// validation set off the training data, monitors it for early stopping and the best checkpoint, and evaluates the
/// test set once at the end, with the best (or last) weights. Everything goes to <c>--out</c>.
/// </summary>
internal sealed class TrainCommand : Command<TrainCommand.Settings>
{
    internal sealed class Settings : ModelSettings
    {
        [CommandOption("--epochs <N>"), Description("Passes over the training data [[15]]; with --resume, extends a finished run to N epochs")]
        public string? Epochs { get; init; }

        [CommandOption("--batch-size <B>"), Description("Examples per step [[128]]")]
        public string? BatchSize { get; init; }

        [CommandOption("--lr <X>"), Description("Peak learning rate [[0.1]]")]
        public string? LearningRate { get; init; }

        [CommandOption("--task <TASK>"), Description("classification, regression or tokens (token classification) [[from the model's shapes]]")]
        public string? Task { get; init; }

        [CommandOption("--data <SOURCE>"), Description("Image models: a folder with the four Fashion-MNIST IDX files, or embedded (the subset in the Dsl.Datasets package) [[the first found of /usr/share/datasets/fashion-mnist, ~/.cache/dsl/fashion-mnist, embedded]]; token models: synthetic; signal models: synthetic or a file of numbers")]
        public string? Data { get; init; }

        [CommandOption("--validation <FRACTION>"), Description("Fraction of the training data held out for validation, stratified by class and seeded [[0.1]]; 0: none")]
        public string? Validation { get; init; }

        [CommandOption("--test-weights <WHICH>"), Description("Weights the test set is evaluated with at the end: best (by --monitor) or last [[best]]")]
        public string? TestWeights { get; init; }

        [CommandOption("--monitor <METRIC>"), Description("What early stopping and the best checkpoint watch: validation_loss, validation_accuracy, validation_mse, ... [[validation_loss]]")]
        public string? Monitor { get; init; }

        [CommandOption("--device <DEVICE>"), Description("cpu, cuda or cuda:N [[CUDA when available]]")]
        public string? Device { get; init; }

        [CommandOption("--seed <S>"), Description("Seed of the weights, data order, augmentation, dropout and the validation split [[42]]")]
        public string? Seed { get; init; }

        [CommandOption("--out <DIR>"), Description("Output folder [[runs/<Model>]]")]
        public string? Out { get; init; }

        [CommandOption("--resume"), Description("Continue the run in --out exactly where it stopped")]
        public bool Resume { get; init; }

        [CommandOption("--optimizer <NAME>"), Description("sgd, adam or adamw [[sgd, Nesterov momentum]]")]
        public string? Optimizer { get; init; }

        [CommandOption("--schedule <NAME>"), Description("onecycle, cosine, step or constant [[onecycle]]")]
        public string? Schedule { get; init; }

        [CommandOption("--warmup <STEPS>"), Description("Steps of linear warm-up [[0]]")]
        public string? Warmup { get; init; }

        [CommandOption("--weight-decay <X>"), Description("Weight decay [[5e-4; 0.01 with adamw]]")]
        public string? WeightDecay { get; init; }

        [CommandOption("--momentum <X>"), Description("SGD momentum [[0.9]]")]
        public string? Momentum { get; init; }

        [CommandOption("--clip <NORM>"), Description("Clip the global gradient norm")]
        public string? Clip { get; init; }

        [CommandOption("--patience <EPOCHS>"), Description("Stop when --monitor has not improved for that many epochs")]
        public string? Patience { get; init; }

        [CommandOption("--label-smoothing <X>"), Description("Label smoothing of the cross-entropy [[0]]")]
        public string? LabelSmoothing { get; init; }

        [CommandOption("--no-augment"), Description("No random crop and flip of training images")]
        public bool NoAugment { get; init; }

        [CommandOption("--grad-every <K>"), Description("Record per-layer gradient norms every K steps; 0: never [[50]]")]
        public string? GradEvery { get; init; }

        [CommandOption("--checkpoint-every <STEPS>"), Description("Inside an epoch, also write last.ckpt every STEPS steps (every epoch always ends with a checkpoint)")]
        public string? CheckpointEvery { get; init; }

        [CommandOption("--checkpoint-minutes <M>"), Description("Inside an epoch, write last.ckpt once M minutes passed without a checkpoint; 0: never [[5]]")]
        public string? CheckpointMinutes { get; init; }

        [CommandOption("--keep <N>"), Description("Epoch checkpoints kept [[3]]")]
        public string? Keep { get; init; }

        [CommandOption("--window <L>"), Description("Signal models with a named length: values per input window [[64]]")]
        public string? Window { get; init; }

        [CommandOption("--limit <N>"), Description("Use only the first N training and N test examples (quick trials)")]
        public string? Limit { get; init; }
    }

    private static readonly Dictionary<string, OptimizerKind> OptimizerNames = new()
    {
        ["sgd"] = OptimizerKind.Sgd, ["adam"] = OptimizerKind.Adam, ["adamw"] = OptimizerKind.AdamW,
    };

    private static readonly Dictionary<string, ScheduleKind> ScheduleNames = new()
    {
        ["onecycle"] = ScheduleKind.OneCycle, ["cosine"] = ScheduleKind.Cosine, ["step"] = ScheduleKind.Step, ["constant"] = ScheduleKind.Constant,
    };

    private static readonly Dictionary<string, TrainingTask> TaskNames = new()
    {
        ["classification"] = TrainingTask.Classification, ["regression"] = TrainingTask.Regression, ["tokens"] = TrainingTask.TokenClassification,
    };

    private static readonly Dictionary<string, bool> TestWeightNames = new() { ["best"] = true, ["last"] = false };

    /// <summary>The recipe of the README's main job: SGD with Nesterov momentum, one-cycle, light augmentation for images.</summary>
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
        GradientLogEvery = 50,
    };

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellation)
    {
        var app = AppContext.Of(context);
        var console = app.Console;
        var entry = app.Find(settings.Model, "train");
        var task = Usage.Choice(settings.Task, "task", TaskNames) ?? TrainingData.DefaultTask(entry);
        var monitor = settings.Monitor ?? "validation_loss";
        var mode = monitor.Contains("loss") || monitor.Contains("mse") || monitor.Contains("mae") ? MonitorMode.Min : MonitorMode.Max;
        var options = ReadOptions(settings) with { Task = task, EarlyStoppingMonitor = monitor, EarlyStoppingMode = mode };
        var validationFraction = Usage.Double(settings.Validation, "validation", 0, inclusive: true, below: 1) ?? 0.1;
        var bestForTest = Usage.Choice(settings.TestWeights, "test-weights", TestWeightNames) ?? true;
        var limit = Usage.Int(settings.Limit, "limit", 1);
        var window = Usage.Int(settings.Window, "window", 1);
        var checkpointSteps = Usage.Int(settings.CheckpointEvery, "checkpoint-every", 1) ?? 0;
        var checkpointMinutes = Usage.Double(settings.CheckpointMinutes, "checkpoint-minutes", 0, inclusive: true, below: 1e6) ?? CheckpointCallback.DefaultSeconds / 60;
        var keep = Usage.Int(settings.Keep, "keep", 1) ?? 3;
        var output = Path.GetFullPath(settings.Out ?? Path.Combine("runs", entry.Name));
        var device = DeviceChoice.Resolve(settings.Device);
        var checkpointDirectory = Path.Combine(output, "checkpoints");
        // A checkpoint holds the weights and up to two optimizer moments (float32); the rotation keeps `keep` epoch
        // files beside last.ckpt, best.ckpt and a temporary one; the reports and the exported weights add a few more.
        RunOutputs.CheckWritable(output, (entry.ParameterCount * 4L * 3 * (keep + 4)) + (entry.ParameterCount * 4L * 2) + 16_000_000);
        // A run killed mid-write leaves its temporary files (a checkpoint's size each): removed on the next start.
        AtomicFile.RemoveStaleTemporaries(output);
        AtomicFile.RemoveStaleTemporaries(checkpointDirectory);
        if (!settings.Resume && Directory.Exists(checkpointDirectory) && Directory.EnumerateFiles(checkpointDirectory, "*.ckpt").Any())
        {
            throw new UsageException($"{output} already holds checkpoints of a run: pass --resume to continue it, or --out to start a new one elsewhere");
        }

        Trainer.Seed(options.Seed);
        using var model = ModelFacts.Create(entry);
        using var data = TrainingData.Load(entry, model, task, settings.Data, options.Seed, window, limit);
        options = options with
        {
            Normalization = data.Normalization,
            Augmentation = settings.NoAugment ? Augmentation.None : data.Augmentation,
        };

        using var trainer = new Trainer(model, options, device, null, entry.Name);
        trainer.Warning += message => console.MarkupLineInterpolated($"[yellow]warning:[/] {message}");
        var checkpoints = new CheckpointCallback(checkpointDirectory, 1, keep, monitor, mode, checkpointSteps, checkpointMinutes * 60.0);
        trainer.Callbacks.Add(checkpoints);
        var rates = new LearningRateMonitor(10);
        trainer.Callbacks.Add(rates);
        trainer.Callbacks.Add(new MetricsLoggerCallback(output));
        string? resumedFrom = null;
        if (settings.Resume)
        {
            // --lr and --epochs are set again below, with a warning of their own: the trainer's "keeps the checkpoint's" would contradict it.
            var setAfterwards = new List<string>();
            if (settings.LearningRate is not null)
            {
                setAfterwards.Add(nameof(TrainerOptions.LearningRate));
            }

            if (settings.Epochs is not null)
            {
                setAfterwards.Add(nameof(TrainerOptions.Epochs));
            }

            resumedFrom = ResumeInto(trainer, setAfterwards, checkpointDirectory, console);
            if (resumedFrom is not null && settings.LearningRate is not null && options.LearningRate != trainer.Options.LearningRate)
            {
                console.MarkupLineInterpolated($"[yellow]warning:[/] --lr {options.LearningRate.ToString(CultureInfo.InvariantCulture)} replaces the checkpoint's {trainer.Options.LearningRate.ToString(CultureInfo.InvariantCulture)} for the rest of the run (the schedule keeps its shape and position)");
                trainer.OverrideLearningRate(options.LearningRate);
            }
            if (resumedFrom is not null && settings.Epochs is not null && options.Epochs != trainer.Options.Epochs)
            {
                console.WriteLine($"extending the run from {trainer.Options.Epochs} to {options.Epochs} epochs");
                trainer.ExtendTo(options.Epochs);
            }
        }

        // The validation split comes from the training data only, with the run's seed, so a resumed run gets the same one.
        var (train, validation) = validationFraction > 0 ? data.Train.SplitValidation(validationFraction, trainer.Options.Seed) : (data.Train, null);
        try
        {
            console.WriteLine($"{entry.Name}: {entry.ParameterCount:N0} parameters, {Describe(trainer.Options)}");
            console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"data: {data.Source}; {train.Count:N0} train / {validation?.Count ?? 0:N0} validation / {data.Test.Count:N0} test {data.Examples}; device: {DeviceChoice.Describe(device)}; output: {output}"));

            var result = TrainingProgressView.Run(console, trainer, train, validation, cancellation);
            if (result.Reason == StopReason.Interrupted)
            {
                RunOutputs.Write(output, entry.Name, trainer, result, data, device, test: null, null, rates, (train.Count, validation?.Count ?? 0));
                console.WriteLine($"interrupted at step {result.Steps:N0}; checkpoint {result.LastCheckpoint}. " +
                    $"Continue with: {string.Join(" ", Again(context))}");
                return 130;
            }

            if (result.Reason == StopReason.Diverged)
            {
                RunOutputs.Write(output, entry.Name, trainer, result, data, device, test: null, null, rates, (train.Count, validation?.Count ?? 0));
                throw new InvalidOperationException(DivergedMessage(result, trainer, context));
            }

            // The test set, once, at the end: with the best checkpoint's weights unless the last were asked for.
            var weights = "last";
            if (bestForTest && File.Exists(checkpoints.BestPath) && checkpoints.State.BestEpoch > 0 && checkpoints.State.BestEpoch != result.History.Count)
            {
                trainer.LoadWeights(checkpoints.BestPath);
                weights = $"best (epoch {checkpoints.State.BestEpoch})";
            }
            else if (bestForTest && checkpoints.State.BestEpoch > 0)
            {
                weights = $"best (epoch {checkpoints.State.BestEpoch}, the last)";
            }

            var test = trainer.Evaluate(data.Test);
            RunOutputs.Write(output, entry.Name, trainer, result, data, device, test, weights, rates, (train.Count, validation?.Count ?? 0));
            var stopped = result.Reason == StopReason.EarlyStopped ? " (stopped early)" : "";
            console.WriteLine($"{entry.Name}: test {Headline(task, test)} on {test.Count:N0} test {data.Examples} after {result.History.Count} epochs{stopped}, " +
                $"{weights} weights, {result.History.Sum(h => h.Seconds):F0} s of training; output in {output}");
            return 0;
        }
        finally
        {
            if (validation is not null)
            {
                train.Dispose();
                validation.Dispose();
            }
        }
    }

    /// <summary>"accuracy 90.25 % (loss 0.2660)", "mse 0.0123 (psnr 19.1 dB)", ...</summary>
    internal static string Headline(TrainingTask task, EvaluationResult test) => task switch
    {
        TrainingTask.Classification => string.Create(CultureInfo.InvariantCulture, $"accuracy {test.Accuracy:P2} (loss {test.Loss:F4})"),
        TrainingTask.TokenClassification => string.Create(CultureInfo.InvariantCulture,
            $"token accuracy {test.Accuracy:P2}, sequence accuracy {test.Metrics.GetValueOrDefault("sequence_accuracy"):P2} (loss {test.Loss:F4})"),
        _ => string.Create(CultureInfo.InvariantCulture, $"mse {test.Metrics.GetValueOrDefault("mse"):G4}, mae {test.Metrics.GetValueOrDefault("mae"):G4}") +
            (test.Metrics.TryGetValue("psnr", out var psnr) ? string.Create(CultureInfo.InvariantCulture, $", psnr {psnr:F2} dB") : "") +
            string.Create(CultureInfo.InvariantCulture, $" (loss {test.Loss:G4})"),
    };

    private static string? ResumeInto(Trainer trainer, IReadOnlyCollection<string> setAfterwards, string directory, IAnsiConsole console)
    {
        var from = trainer.Resume(setAfterwards);
        console.WriteLine(from is null
            ? $"no checkpoint in {directory}: starting a new run"
            : $"resuming from {from} (epoch {trainer.History.Count}, step {trainer.Step:N0})");
        return from;
    }

    // Names the step, the last good checkpoint (if any was written) and a command that works: --resume with --lr replaces the stored rate.
    private static string DivergedMessage(TrainingResult result, Trainer trainer, CommandContext context)
    {
        string where = result.Divergence is { } d
            ? $"the loss of step {d.Step:N0} (epoch {d.Epoch}) {d.Description}"
            : $"the loss of epoch {result.History.Count} is {result.Final?.TrainLoss}";
        double lower = trainer.Options.LearningRate / 10;
        if (result.LastCheckpoint is { } last && File.Exists(last))
        {
            var again = Again(context).ToList();
            int given = again.IndexOf("--lr");
            if (given >= 0)
            {
                again.RemoveRange(given, Math.Min(2, again.Count - given));
            }

            return $"training diverged: {where}; the last good checkpoint is {last}. Continue from it with a lower rate: " +
                   string.Join(" ", again.Append("--lr").Append(lower.ToString("G3", CultureInfo.InvariantCulture))) + " (or add --clip 1)";
        }

        return $"training diverged: {where}, before the run's first checkpoint; start again with a lower rate (e.g. --lr {lower.ToString("G3", CultureInfo.InvariantCulture)}) or --clip 1";
    }

    private static IEnumerable<string> Again(CommandContext context)
    {
        var args = context.Arguments.ToList();
        if (!args.Contains("--resume"))
        {
            args.Add("--resume");
        }

        return args.Select(a => a.Contains(' ') ? $"\"{a}\"" : a);
    }

    private static TrainerOptions ReadOptions(Settings s)
    {
        var defaults = DefaultOptions;
        var optimizer = Usage.Choice(s.Optimizer, "optimizer", OptimizerNames) ?? defaults.Optimizer;
        return defaults with
        {
            Epochs = Usage.Int(s.Epochs, "epochs", 1) ?? defaults.Epochs,
            BatchSize = Usage.Int(s.BatchSize, "batch-size", 1) ?? defaults.BatchSize,
            LearningRate = Usage.Double(s.LearningRate, "lr") ?? defaults.LearningRate,
            Seed = Usage.Long(s.Seed, "seed") ?? defaults.Seed,
            Optimizer = optimizer,
            Schedule = Usage.Choice(s.Schedule, "schedule", ScheduleNames) ?? defaults.Schedule,
            WarmupSteps = Usage.Int(s.Warmup, "warmup", 0) ?? defaults.WarmupSteps,
            WeightDecay = Usage.Double(s.WeightDecay, "weight-decay", 0, inclusive: true)
                ?? (optimizer == OptimizerKind.AdamW ? null : defaults.WeightDecay),
            Momentum = Usage.Double(s.Momentum, "momentum", 0, inclusive: true, below: 1) ?? defaults.Momentum,
            ClipGradientNorm = Usage.Double(s.Clip, "clip") ?? defaults.ClipGradientNorm,
            EarlyStoppingPatience = Usage.Int(s.Patience, "patience", 1) ?? defaults.EarlyStoppingPatience,
            LabelSmoothing = Usage.Double(s.LabelSmoothing, "label-smoothing", 0, inclusive: true, below: 1) ?? defaults.LabelSmoothing,
            GradientLogEvery = Usage.Int(s.GradEvery, "grad-every", 0) ?? defaults.GradientLogEvery,
        };
    }

    private static string Describe(TrainerOptions o) =>
        $"{o.Task}, {o.Epochs} epochs, batch {o.BatchSize}, {o.Optimizer} lr {o.LearningRate.ToString(CultureInfo.InvariantCulture)} ({o.Schedule}" +
        $"{(o.WarmupSteps > 0 ? $", {o.WarmupSteps} warm-up steps" : "")}), seed {o.Seed}";
}
