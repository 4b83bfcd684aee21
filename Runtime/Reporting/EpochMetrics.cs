namespace Dsl.Runtime.Reporting;

/// <summary>What one epoch of training measured: one entry of a run's history.</summary>
/// <param name="Epoch">The epoch number.</param>
/// <param name="Step">The optimizer steps taken when the epoch ended.</param>
/// <param name="LearningRate">The learning rate at the end of the epoch.</param>
/// <param name="TrainLoss">The mean training loss over the epoch.</param>
/// <param name="TrainAccuracy">The fraction of training examples classified correctly (0 to 1).</param>
/// <param name="TestLoss">The mean loss on the test set, or null when the epoch was not evaluated.</param>
/// <param name="TestAccuracy">The fraction of test examples classified correctly (0 to 1), or null when not evaluated.</param>
/// <param name="ExamplesPerSecond">Training throughput over the epoch.</param>
/// <param name="Seconds">Wall-clock seconds the epoch took.</param>
public sealed record EpochMetrics(int Epoch, long Step, double LearningRate, double TrainLoss, double TrainAccuracy,
    double? TestLoss, double? TestAccuracy, double ExamplesPerSecond, double Seconds);
