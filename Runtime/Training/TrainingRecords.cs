using System;
using System.Collections.Generic;
using System.Linq;
using Dsl.Runtime.Reporting;

namespace Dsl.Runtime.Training;

/// <summary>Why <see cref="Trainer.Fit"/> returned.</summary>
public enum StopReason
{
    /// <summary>Every epoch ran.</summary>
    Completed,

    /// <summary>The monitored loss stopped improving (<see cref="TrainerOptions.EarlyStoppingPatience"/>).</summary>
    EarlyStopped,

    /// <summary>Cancelled (Ctrl-C); a checkpoint of the exact position was written when a checkpoint directory was given.</summary>
    Interrupted,

    /// <summary>The training loss became NaN or infinite; no checkpoint is written for that epoch, so the last one is still good.</summary>
    Diverged,
}

/// <summary>What a call to <see cref="Trainer.Fit"/> did.</summary>
/// <param name="Reason">Why it stopped.</param>
/// <param name="History">Metrics of every finished epoch, including those of earlier runs this one resumed.</param>
/// <param name="Steps">Optimizer steps taken in total.</param>
/// <param name="LastCheckpoint">The checkpoint written last, or null without a checkpoint directory.</param>
public sealed record TrainingResult(StopReason Reason, IReadOnlyList<EpochMetrics> History, long Steps, string? LastCheckpoint)
{
    /// <summary>The last finished epoch's metrics, or null when no epoch finished.</summary>
    public EpochMetrics? Final => History.Count == 0 ? null : History[History.Count - 1];
}

/// <summary>Loss and accuracy over a data set.</summary>
/// <param name="Loss">Mean loss per example.</param>
/// <param name="Accuracy">Fraction of examples whose largest logit is the label (NaN when the output is not [N, classes]).</param>
/// <param name="Count">Examples evaluated.</param>
/// <param name="ExamplesPerSecond">Throughput of the evaluation.</param>
public sealed record EvaluationResult(double Loss, double Accuracy, long Count, double ExamplesPerSecond);

/// <summary>A progress report during training, every <see cref="TrainerOptions.ProgressEvery"/> steps.</summary>
/// <param name="Epoch">The epoch in progress, from 1.</param>
/// <param name="Epochs">Epochs in the run.</param>
/// <param name="Batch">Batches of this epoch done.</param>
/// <param name="BatchesPerEpoch">Batches per epoch.</param>
/// <param name="Step">Optimizer steps done in the whole run.</param>
/// <param name="TotalSteps">Optimizer steps the whole run will take.</param>
/// <param name="Loss">Mean training loss over this epoch so far.</param>
/// <param name="Accuracy">Training accuracy over this epoch so far.</param>
/// <param name="ExamplesPerSecond">Training throughput this epoch.</param>
/// <param name="LearningRate">The rate of the last step.</param>
/// <param name="Elapsed">Time since this Fit call started.</param>
/// <param name="Remaining">Estimated time to the end of the run, from this call's pace; null until a step was timed.</param>
public sealed record TrainingProgress(int Epoch, int Epochs, int Batch, int BatchesPerEpoch, long Step, long TotalSteps,
    double Loss, double Accuracy, double ExamplesPerSecond, double LearningRate, TimeSpan Elapsed, TimeSpan? Remaining);

/// <summary>The trainer's resumable state, stored as JSON in a checkpoint's "state" section.</summary>
internal sealed record TrainingState
{
    public const int CurrentFormat = 1;

    public int Format { get; init; } = CurrentFormat;

    public string ModelName { get; init; } = "";

    public TrainerOptions Options { get; init; } = new();

    /// <summary>Finished epochs.</summary>
    public int Epoch { get; init; }

    /// <summary>Batches of the unfinished epoch already trained (non-zero only for an interrupted run).</summary>
    public int Batch { get; init; }

    public long Step { get; init; }

    public int StepsPerEpoch { get; init; }

    public long TrainCount { get; init; }

    public double? NormalizationMean { get; init; }

    public double? NormalizationStd { get; init; }

    /// <summary>Sums of the unfinished epoch, so its metrics come out as if it had not been interrupted.</summary>
    public double PartialLossSum { get; init; }

    public double PartialCorrect { get; init; }

    public long PartialSeen { get; init; }

    public double PartialSeconds { get; init; }

    public double BestMonitoredLoss { get; init; } = double.PositiveInfinity;

    public int EpochsWithoutImprovement { get; init; }

    public List<EpochMetrics> History { get; init; } = new();

    public List<GradientNormSample> Gradients { get; init; } = new();

    /// <summary>Differences between two option sets, as "Name: stored → given" lines (empty when equal).</summary>
    public static IReadOnlyList<string> Differences(TrainerOptions stored, TrainerOptions given) =>
        typeof(TrainerOptions).GetProperties()
            .Where(p => !Equals(p.GetValue(stored), p.GetValue(given)))
            .Select(p => $"{p.Name}: the checkpoint has {p.GetValue(stored) ?? "none"}, the command asked for {p.GetValue(given) ?? "none"}")
            .ToList();
}
