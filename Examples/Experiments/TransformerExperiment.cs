using System;
using System.Collections.Generic;
using System.Linq;
using Dsl.Examples.Models;
using Dsl.Runtime.Data;
using Dsl.Runtime.Experiments;
using Dsl.Runtime.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Dsl.Examples.Experiments;

/// <summary>
/// <c>experiment transformer</c>: Transformer encoders of 2, 6 and 12 blocks that sort digit sequences of variable
/// length, pre-norm with residual adds, the same without them, and ReZero (no norms, each branch scaled by a learned α
/// that starts at 0). Bachlechner et al. (2020) report that ReZero makes deep Transformers converge faster.
/// </summary>
public sealed class TransformerExperiment : IExperiment
{
    /// <summary>Digits are the ids 0–9; 10 pads the inputs (targets are padded with the ignore index).</summary>
    private const int PadId = 10;

    private const int MaxLength = 8;

    private const int MinLength = 3;

    private static readonly (string Family, int Layers, Func<nn.Module<Tensor, Tensor>> Build)[] Variants =
    {
        ("pre-norm, residual", 2, () => new SortPreNorm2()),
        ("pre-norm, residual", 6, () => new SortPreNorm6()),
        ("pre-norm, residual", 12, () => new SortPreNorm12()),
        ("pre-norm, no residual", 2, () => new SortNoSkip2()),
        ("pre-norm, no residual", 6, () => new SortNoSkip6()),
        ("pre-norm, no residual", 12, () => new SortNoSkip12()),
        ("ReZero", 2, () => new SortReZero2()),
        ("ReZero", 6, () => new SortReZero6()),
        ("ReZero", 12, () => new SortReZero12()),
    };

    public string Name => "transformer";

    public string Title => "Transformer depth: residual adds let deep encoders train, and ReZero converges faster";

    public string Description => "pre-norm Transformer encoders of 2, 6 and 12 blocks sorting digit sequences, with residual adds, without them, and ReZero: exact-sequence accuracy and loss against steps";

    public int DefaultSeeds => 1;

    public void Run(ExperimentContext context)
    {
        int trainCount = context.Pick(256, 5_000, 50_000);
        int testCount = context.Pick(128, 500, 5_000);
        int epochs = context.Pick(2, 6, 20);
        var options = new TrainerOptions
        {
            Task = TrainingTask.TokenClassification,
            Epochs = epochs,
            BatchSize = 128,
            Optimizer = OptimizerKind.AdamW,
            LearningRate = 2e-3,
            WeightDecay = 0.01,
            Schedule = ScheduleKind.Cosine,
            WarmupSteps = context.Pick(2, 30, 200),
            ClipGradientNorm = 1.0,
            GradientLogEvery = 0,
            ProgressEvery = 50,
        };
        context.Report.Uses("data", $"sorting: {MinLength}–{MaxLength} digits (0–9, uniform; length uniform) in, the same digits in ascending order out at the same positions; inputs padded with id {PadId}, targets with the ignore index; {trainCount:N0} training and {testCount:N0} test sequences generated from each seed");
        context.Report.Uses("models", "width 32, 4 heads, MLP 4×, learned position embeddings, a linear head to 10 digits at every position; pre-norm blocks (LayerNorm before attention and before the MLP, a final LayerNorm); the no-residual blocks are the same layers without the two adds; ReZero blocks have no LayerNorm and a learned α = 0 on each branch (no final LayerNorm either)");
        context.Report.Uses("recipe", $"every model: {epochs} epochs, batch {options.BatchSize}, AdamW (learning rate {options.LearningRate:G3}, weight decay {options.WeightDecay:G2}), {options.WarmupSteps} warm-up steps then cosine decay, gradient norm clipped to {options.ClipGradientNorm:G2}; the same data and seeds for every model");

        var runs = new List<(string Family, int Layers, TrainingRun Run, ExperimentKit.TestCurve Curve)>();
        foreach (long seed in context.Seeds)
        {
            using var train = SortingTask(trainCount, seed, 1);
            using var test = SortingTask(testCount, seed, 2);
            foreach (var variant in Variants)
            {
                var curve = ExperimentKit.TestEveryEpoch(test);
                var run = context.Train($"{variant.Family}, {variant.Layers} blocks", variant.Build, options, train, test, seed,
                    configure: t => t.Callbacks.Add(curve));
                runs.Add((variant.Family, variant.Layers, run, curve));
            }
        }

        var groups = Variants.Select(v => (v.Family, v.Layers, Runs: runs.Where(r => r.Family == v.Family && r.Layers == v.Layers).ToList())).ToList();
        List<(string Family, int Layers, TrainingRun Run, ExperimentKit.TestCurve Curve)> Of(string family, int layers) =>
            groups.Single(g => g.Family == family && g.Layers == layers).Runs;
        double Accuracy(string family, int layers) => Of(family, layers).Average(r => r.Run.TestMetric("sequence_accuracy"));
        int quarter = Math.Max(1, epochs / 4);
        double EarlyAccuracy(string family, int layers) => Of(family, layers).Average(r => r.Curve.Points[quarter].Result.Metrics["sequence_accuracy"]);
        double? StepsTo(string family, int layers, double level)
        {
            var steps = Of(family, layers).Select(r => r.Curve.Points.FirstOrDefault(p => p.Result.Metrics["sequence_accuracy"] >= level).Step).ToList();
            return Of(family, layers).All(r => r.Curve.Points.Any(p => p.Result.Metrics["sequence_accuracy"] >= level)) ? steps.Average() : null;
        }

        const double Level = 0.5;
        long totalSteps = runs[0].Run.Result.Steps;
        long quarterStep = runs[0].Curve.Points[quarter].Step;
        context.Report.Heading("Results");
        context.Report.Paragraph($"Each model is tested on the held-out sequences after every epoch. Sequence accuracy counts a sequence as right only when every digit of it is in the right place; token accuracy counts digits. \"Early\" is the test after epoch {quarter} (step {quarterStep:N0} of {totalSteps:N0}); the training loss is the mean over the last tenth of the steps.");
        context.Report.Table(
            new[] { "model", "blocks", "parameters", "test sequence accuracy", "test token accuracy", $"early sequence accuracy (epoch {quarter})", $"first step with test sequence accuracy ≥ {100 * Level:F0} %", "final training loss", "seconds" },
            groups.Select(g => (IReadOnlyList<ReportCell>)new ReportCell[]
            {
                g.Family, ReportCell.Number(g.Layers, "N0"), ReportCell.Number(g.Runs[0].Run.Parameters, "N0"),
                ReportCell.Percent(g.Runs.Select(r => r.Run.TestMetric("sequence_accuracy"))),
                ReportCell.Percent(g.Runs.Select(r => r.Run.TestMetric("token_accuracy"))),
                ReportCell.Percent(g.Runs.Select(r => r.Curve.Points[quarter].Result.Metrics["sequence_accuracy"])),
                g.Runs.All(r => r.Curve.Points.Any(p => p.Result.Metrics["sequence_accuracy"] >= Level))
                    ? ReportCell.Numbers(g.Runs.Select(r => (double)r.Curve.Points.First(p => p.Result.Metrics["sequence_accuracy"] >= Level).Step), "N0")
                    : g.Runs.Any(r => r.Curve.Points.Any(p => p.Result.Metrics["sequence_accuracy"] >= Level)) ? "not by every seed" : "never",
                ReportCell.Numbers(g.Runs.Select(r => FinalLoss(r.Run)), "F4"),
                ReportCell.Numbers(g.Runs.Select(r => r.Run.Seconds), "F0"),
            }).ToList());

        int window = Math.Max(1, context.Pick(2, 25, 50));
        string Label(string family, int layers) => $"{family}, {layers}";
        context.Report.Chart("training-loss.png", "Training loss against step (smoothed; mean over seeds, the band spans the seeds); dashed: without residual adds",
            new LineChart("Training loss", "step", "cross-entropy", groups.Select(g =>
                ExperimentKit.MeanSeries(Label(g.Family, g.Layers), g.Runs.Select(r => ExperimentKit.Smooth(r.Run.StepLosses, window)).ToList(), dashed: g.Family.Contains("no residual", StringComparison.Ordinal))).ToList(), LogY: true));
        context.Report.Chart("test-sequence-accuracy.png", "Test sequence accuracy against step, tested after every epoch (mean over seeds); dashed: without residual adds",
            new LineChart("Test sequence accuracy", "step", "sequence accuracy", groups.Select(g =>
                ExperimentKit.MeanSeries(Label(g.Family, g.Layers), g.Runs.Select(r => r.Curve.Series("sequence_accuracy")).ToList(), dashed: g.Family.Contains("no residual", StringComparison.Ordinal))).ToList()));
        context.Report.Chart("twelve-blocks.png", "The 12-block models only: test sequence accuracy against step (mean over seeds, the band spans the seeds)",
            new LineChart("12 blocks: test sequence accuracy", "step", "sequence accuracy", new[] { "pre-norm, residual", "pre-norm, no residual", "ReZero" }.Select(f =>
                ExperimentKit.MeanSeries(f, Of(f, 12).Select(r => r.Curve.Series("sequence_accuracy")).ToList(), dashed: f.Contains("no residual", StringComparison.Ordinal))).ToList()));

        context.Report.Heading("What we see");
        string Pct(double fraction) => $"{100 * fraction:F1} %";
        string Than(double a, double b) => a > b ? "higher than" : a < b ? "lower than" : "the same as";
        string StepsText(double? steps) => steps is { } s ? $"step {s:N0}" : "not within the run";
        const string Residual = "pre-norm, residual", NoResidual = "pre-norm, no residual", ReZero = "ReZero";
        var bullets = new List<string>
        {
            $"With residual adds, the pre-norm encoders reach a test sequence accuracy of {Pct(Accuracy(Residual, 2))}, {Pct(Accuracy(Residual, 6))} and {Pct(Accuracy(Residual, 12))} at 2, 6 and 12 blocks; without them {Pct(Accuracy(NoResidual, 2))}, {Pct(Accuracy(NoResidual, 6))} and {Pct(Accuracy(NoResidual, 12))}. " +
                (Accuracy(NoResidual, 12) < Accuracy(NoResidual, 2)
                    ? "Without the adds depth hurts: the 12-block stack ends below the 2-block one, "
                    : "Without the adds, depth does not hurt in this run: the 12-block stack ends at or above the 2-block one, ") +
                (Accuracy(Residual, 12) >= Accuracy(Residual, 2) ? "while with them the 12-block encoder is at least as good as the 2-block one." : "and with them the 12-block encoder also ends below the 2-block one within this budget."),
            $"At 12 blocks, ReZero's test sequence accuracy is {Pct(Accuracy(ReZero, 12))}, {Than(Accuracy(ReZero, 12), Accuracy(Residual, 12))} the pre-norm encoder's {Pct(Accuracy(Residual, 12))}; after epoch {quarter} it was {Pct(EarlyAccuracy(ReZero, 12))} against {Pct(EarlyAccuracy(Residual, 12))}. " +
                $"The first test with at least {100 * Level:F0} % sequence accuracy came at {StepsText(StepsTo(ReZero, 12, Level))} for ReZero and {StepsText(StepsTo(Residual, 12, Level))} for pre-norm (mean over the seeds that got there; tested once per epoch, so the resolution is an epoch).",
            $"At 2 and 6 blocks ReZero ends at {Pct(Accuracy(ReZero, 2))} and {Pct(Accuracy(ReZero, 6))} against pre-norm's {Pct(Accuracy(Residual, 2))} and {Pct(Accuracy(Residual, 6))}.",
            "Bachlechner et al. (2020) report that ReZero Transformers converge faster than Transformers with LayerNorm (56 % faster on enwiki8 for 12 layers) and train at depths (128 layers) where the others did not; their runs are language modelling at width 512 and hundreds of thousands of steps, ours a toy sorting task at width 32 and " +
                (context.Budget == ExperimentBudget.Full ? $"{totalSteps:N0} steps." : $"{totalSteps:N0} steps (`--full` trains {50_000:N0} sequences for 20 epochs); the default budget is this small because 9 models, up to 12 blocks deep, share it on 2 CPU cores."),
        };
        context.Report.Bullets(bullets);
    }

    /// <summary>The mean training loss over the last tenth of the steps.</summary>
    private static double FinalLoss(TrainingRun run)
    {
        int tail = Math.Max(1, run.StepLosses.Count / 10);
        return run.StepLosses.Skip(run.StepLosses.Count - tail).Average();
    }

    /// <summary><paramref name="count"/> sorting examples from <paramref name="seed"/> (stream 1: training, 2: test), padded to <see cref="MaxLength"/>.</summary>
    private static TensorDataset SortingTask(int count, long seed, int stream)
    {
        var random = new Random(unchecked((int)((seed * 1_000_003) + (stream * 7_919))));
        var inputs = new List<long[]>(count);
        var targets = new List<long[]>(count);
        for (int i = 0; i < count; i++)
        {
            int length = random.Next(MinLength, MaxLength + 1);
            long[] digits = Enumerable.Range(0, length).Select(_ => (long)random.Next(0, 10)).ToArray();
            inputs.Add(digits);
            targets.Add(digits.OrderBy(d => d).ToArray());
        }

        return SequenceDataset.WithTargets(inputs, targets, PadId).ToTensorDataset(MaxLength);
    }
}
