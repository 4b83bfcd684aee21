using System.Collections.Generic;
using Dsl.Runtime.Reporting;
using Dsl.Runtime.Training;

namespace Dsl.Runtime.Experiments;

/// <summary>One model trained once by <see cref="ExperimentContext.Train"/>: what the report's numbers are made of.</summary>
/// <param name="Label">The variant's name in tables and plots (<c>ResNet56</c>, <c>plain, 12 layers</c>).</param>
/// <param name="Seed">The seed of its weights, data order, augmentation and dropout.</param>
/// <param name="Parameters">Its number of trainable parameters.</param>
/// <param name="Result">The trainer's result: the per-epoch history.</param>
/// <param name="StepLosses">The training loss of every step, in order.</param>
/// <param name="Test">The test set's loss and metrics after the last epoch (null when no test set was given).</param>
/// <param name="Seconds">Wall time of training and testing.</param>
/// <param name="GradientNorms">Per-layer gradient norms every <see cref="TrainerOptions.GradientLogEvery"/> steps.</param>
public sealed record TrainingRun(string Label, long Seed, long Parameters, TrainingResult Result, IReadOnlyList<double> StepLosses,
    EvaluationResult? Test, double Seconds, IReadOnlyList<GradientNormSample> GradientNorms)
{
    /// <summary>The last epoch's metrics.</summary>
    public EpochMetrics Final => Result.Final ?? throw new System.InvalidOperationException($"{Label} trained no epoch");

    /// <summary>A test metric by name (<c>accuracy</c>, <c>psnr</c>, <c>sequence_accuracy</c>); the loss for <c>loss</c>.</summary>
    public double TestMetric(string name) => Test is null
        ? throw new System.InvalidOperationException($"{Label} was not tested")
        : name == "loss" ? Test.Loss : Test.Metrics.TryGetValue(name, out double value) ? value
        : throw new KeyNotFoundException($"{Label}'s test has no metric '{name}' (it has {string.Join(", ", Test.Metrics.Keys)})");
}
