using System;
using System.Collections.Generic;
using System.Linq;

namespace Dsl.Runtime.Training;

/// <summary>What one epoch of training measured: one entry of a run's history.</summary>
/// <param name="Epoch">The epoch number.</param>
/// <param name="Step">The optimizer steps taken when the epoch ended.</param>
/// <param name="LearningRate">The learning rate at the end of the epoch.</param>
/// <param name="TrainLoss">The mean training loss over the epoch.</param>
/// <param name="TrainAccuracy">The fraction of training examples (tokens, for token classification) predicted right (0 to 1); NaN for tasks without accuracy.</param>
/// <param name="ValidationLoss">The mean loss on the validation set, or null when the epoch was not validated.</param>
/// <param name="ValidationAccuracy">The validation accuracy (0 to 1), or null when not validated or the task has no accuracy.</param>
/// <param name="ExamplesPerSecond">Training throughput over the epoch.</param>
/// <param name="Seconds">Wall-clock seconds the epoch took.</param>
public sealed record EpochMetrics(int Epoch, long Step, double LearningRate, double TrainLoss, double TrainAccuracy,
    double? ValidationLoss, double? ValidationAccuracy, double ExamplesPerSecond, double Seconds)
{
    /// <summary>Every training metric of the task by name (<c>accuracy</c>, <c>top5_accuracy</c>, <c>mse</c>, ...), the loss excluded.</summary>
    public IReadOnlyDictionary<string, double> Train { get; init; } = new Dictionary<string, double>();

    /// <summary>Every validation metric by name, or null when the epoch was not validated.</summary>
    public IReadOnlyDictionary<string, double>? Validation { get; init; }

    /// <summary>Equal when every number and every metric is (the dictionaries by content).</summary>
    public bool Equals(EpochMetrics? other) =>
        other is not null && Epoch == other.Epoch && Step == other.Step && LearningRate.Equals(other.LearningRate) &&
        TrainLoss.Equals(other.TrainLoss) && TrainAccuracy.Equals(other.TrainAccuracy) && Nullable.Equals(ValidationLoss, other.ValidationLoss) &&
        Nullable.Equals(ValidationAccuracy, other.ValidationAccuracy) && ExamplesPerSecond.Equals(other.ExamplesPerSecond) &&
        Seconds.Equals(other.Seconds) && Same(Train, other.Train) && Same(Validation, other.Validation);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Epoch, Step, TrainLoss, ValidationLoss);

    private static bool Same(IReadOnlyDictionary<string, double>? a, IReadOnlyDictionary<string, double>? b) =>
        ReferenceEquals(a, b) || (a is not null && b is not null && a.Count == b.Count &&
            a.All(pair => b.TryGetValue(pair.Key, out var value) && value.Equals(pair.Value)));

    /// <summary>
    /// A monitored value by name: <c>train_loss</c>, <c>validation_loss</c>, or <c>train_</c>/<c>validation_</c> and a
    /// metric name (<c>validation_accuracy</c>, <c>train_mse</c>, ...); null when this epoch does not have it.
    /// </summary>
    public double? Get(string name) => name switch
    {
        "train_loss" => TrainLoss,
        "validation_loss" => ValidationLoss,
        _ when name.StartsWith("train_", System.StringComparison.Ordinal) && Train.TryGetValue(name["train_".Length..], out var t) => t,
        _ when name.StartsWith("validation_", System.StringComparison.Ordinal) && Validation is { } v && v.TryGetValue(name["validation_".Length..], out var x) => x,
        _ => null,
    };
}
