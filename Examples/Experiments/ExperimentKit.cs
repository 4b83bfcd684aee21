using System;
using System.Collections.Generic;
using System.Linq;
using Dsl.Runtime.Data;
using Dsl.Runtime.Experiments;
using Dsl.Runtime.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Dsl.Examples.Experiments;

/// <summary>What the experiments share: the Fashion-MNIST recipe and data at each budget, and curves averaged over seeds.</summary>
internal static class ExperimentKit
{
    /// <summary>
    /// The classification recipe of <c>train</c> (He et al.'s, with a one-cycle schedule): SGD with Nesterov momentum 0.9,
    /// peak rate 0.1, weight decay 5e-4, batch 128, a 2-pixel-padded random crop and a flip; gradient norms every 10 steps.
    /// </summary>
    public static TrainerOptions FashionRecipe(int epochs, int batchSize = 128) => new()
    {
        Task = TrainingTask.Classification,
        Epochs = epochs,
        BatchSize = batchSize,
        LearningRate = 0.1,
        Optimizer = OptimizerKind.Sgd,
        Momentum = 0.9,
        Nesterov = true,
        WeightDecay = 5e-4,
        Schedule = ScheduleKind.OneCycle,
        Augmentation = new Augmentation(CropPadding: 2, HorizontalFlip: true),
        Normalization = new Normalization(0.2860, 0.3530),
        GradientLogEvery = 10,
    };

    /// <summary>
    /// Fashion-MNIST's training and test sets for the budget: 128 / 128 images for a smoke run, else all of
    /// <see cref="ExperimentContext.FashionMnistData"/> (the embedded 8,000 / 2,000 by default, the full 60,000 / 10,000 with --full).
    /// The caller disposes both.
    /// </summary>
    public static (TensorDataset Train, TensorDataset Test) FashionMnist(ExperimentContext context)
    {
        var data = context.FashionMnistData();
        long train = Math.Min(context.Pick(128L, data.Train.Count, data.Train.Count), data.Train.Count);
        long test = Math.Min(context.Pick(128L, data.Test.Count, data.Test.Count), data.Test.Count);
        context.Report.Uses("data", $"Fashion-MNIST ({data.Source}): {train:N0} training and {test:N0} test images");
        return (data.Train.Subset(0, train), data.Test.Subset(0, test));
    }

    /// <summary>Means of consecutive windows of <paramref name="window"/> values (the last one shorter): a readable loss curve.</summary>
    public static (double[] X, double[] Y) Smooth(IReadOnlyList<double> values, int window)
    {
        window = Math.Max(1, window);
        var xs = new List<double>();
        var ys = new List<double>();
        for (int start = 0; start < values.Count; start += window)
        {
            int count = Math.Min(window, values.Count - start);
            xs.Add(start + (count - 1) / 2.0);
            ys.Add(values.Skip(start).Take(count).Average());
        }
        return (xs.ToArray(), ys.ToArray());
    }

    /// <summary>A series of the mean over seeds, with the band from the lowest to the highest seed when there are several.</summary>
    public static ChartSeries MeanSeries(string name, IReadOnlyList<(double[] X, double[] Y)> perSeed, bool dashed = false)
    {
        int n = perSeed.Min(s => s.Y.Length);
        double[] x = perSeed[0].X.Take(n).ToArray();
        double[] mean = Enumerable.Range(0, n).Select(i => perSeed.Average(s => s.Y[i])).ToArray();
        if (perSeed.Count == 1)
        {
            return new ChartSeries(name, x, mean, Dashed: dashed);
        }

        double[] low = Enumerable.Range(0, n).Select(i => perSeed.Min(s => s.Y[i])).ToArray();
        double[] high = Enumerable.Range(0, n).Select(i => perSeed.Max(s => s.Y[i])).ToArray();
        return new ChartSeries(name, x, mean, low, high, dashed);
    }

    /// <summary>The gradient norm of the first recorded layer (the input side) at every recorded step.</summary>
    public static (double[] X, double[] Y) FirstLayerNorms(TrainingRun run)
    {
        int first = run.GradientNorms.Min(s => s.LayerIndex);
        var samples = run.GradientNorms.Where(s => s.LayerIndex == first).OrderBy(s => s.Step).ToList();
        return (samples.Select(s => (double)s.Step).ToArray(), samples.Select(s => s.Norm).ToArray());
    }

    /// <summary>The median of <paramref name="values"/>.</summary>
    public static double Median(IEnumerable<double> values)
    {
        double[] sorted = values.OrderBy(v => v).ToArray();
        return sorted.Length == 0 ? double.NaN
            : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    /// <summary>
    /// Trains every variant once per seed (seed by seed, so an interrupted run has every variant of the first seeds) and
    /// returns each variant with its runs in seed order. <paramref name="inspect"/> sees each trained model before it is disposed.
    /// </summary>
    public static IReadOnlyList<(T Variant, IReadOnlyList<TrainingRun> Runs)> TrainEach<T>(ExperimentContext context, IReadOnlyList<T> variants,
        Func<T, string> label, Func<T, nn.Module<Tensor, Tensor>> build, TrainerOptions options, TensorDataset train, TensorDataset test,
        Action<T, Trainer>? inspect = null)
    {
        var runs = variants.Select(_ => new List<TrainingRun>()).ToList();
        foreach (long seed in context.Seeds)
        {
            for (int i = 0; i < variants.Count; i++)
            {
                T variant = variants[i];
                runs[i].Add(context.Train(label(variant), () => build(variant), options, train, test, seed,
                    inspect: inspect is null ? null : t => inspect(variant, t)));
            }
        }

        return variants.Select((v, i) => (v, (IReadOnlyList<TrainingRun>)runs[i])).ToList();
    }

    /// <summary>The training loss of each variant against step, smoothed over <paramref name="window"/> steps, mean over seeds with their band, on a log scale.</summary>
    public static LineChart LossChart(IEnumerable<(string Name, IReadOnlyList<TrainingRun> Runs, bool Dashed)> variants, int window) =>
        new("Training loss (smoothed)", "step", "loss",
            variants.Select(v => MeanSeries(v.Name, v.Runs.Select(r => Smooth(r.StepLosses, window)).ToList(), v.Dashed)).ToList(), LogY: true);

    /// <summary>
    /// Tests the model on <paramref name="test"/> after every epoch: add it with <c>configure: t => t.Callbacks.Add(curve)</c>,
    /// then read <see cref="TestCurve.Points"/> (the global step and the result) for curves against steps.
    /// </summary>
    public static TestCurve TestEveryEpoch(TensorDataset test) => new(test);

    /// <summary>The test results after each epoch, by global step (see <see cref="TestEveryEpoch"/>).</summary>
    public sealed class TestCurve : ITrainerCallback
    {
        private readonly TensorDataset test;

        public TestCurve(TensorDataset test) => this.test = test;

        public List<(long Step, EvaluationResult Result)> Points { get; } = new();

        /// <summary>One metric against step (<c>loss</c> for the loss).</summary>
        public (double[] X, double[] Y) Series(string metric) => (
            Points.Select(p => (double)p.Step).ToArray(),
            Points.Select(p => metric == "loss" ? p.Result.Loss : p.Result.Metrics[metric]).ToArray());

        public void OnFitStart(Trainer trainer) => Points.Add((0, trainer.Evaluate(test)));

        public void OnEpochEnd(Trainer trainer, EpochMetrics metrics) => Points.Add((metrics.Step, trainer.Evaluate(test)));
    }
}
