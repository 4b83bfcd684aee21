using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using Dsl.Runtime.Checkpoints;
using Dsl.Runtime.Data;
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

    /// <summary>
    /// A step's training loss was NaN, infinite, or more than <see cref="Trainer.ExplosionFactor"/> times the run's
    /// first loss (<see cref="TrainingResult.Divergence"/> says which step): the run stopped before that step changed
    /// the weights, and no checkpoint was written after it, so the last one is still good.
    /// </summary>
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

    /// <summary>Where and how the run diverged, when <see cref="Reason"/> is <see cref="StopReason.Diverged"/>.</summary>
    public Divergence? Divergence { get; init; }
}

/// <summary>The step at which a run diverged.</summary>
/// <param name="Step">The step (from 1) whose loss diverged; its update was not applied.</param>
/// <param name="Epoch">Its epoch (from 1).</param>
/// <param name="Loss">The loss of that step.</param>
/// <param name="Reference">The first loss since the run started or resumed, which an exploding loss is compared with.</param>
public sealed record Divergence(long Step, int Epoch, double Loss, double Reference)
{
    /// <summary>"is NaN", "is infinite" or "is 4.2E+15, 1.8E+15 times the first loss 2.3".</summary>
    public string Description => double.IsNaN(Loss) ? "is NaN"
        : double.IsInfinity(Loss) ? "is infinite"
        : $"is {Loss:G3}, {Loss / Reference:G3} times the first loss since the run started or resumed ({Reference:G3})";
}

/// <summary>Loss and metrics over a data set.</summary>
/// <param name="Loss">Mean loss per example.</param>
/// <param name="Accuracy">Classification: the fraction of examples whose largest logit is the label; token classification: the token accuracy; NaN for regression.</param>
/// <param name="Count">Examples evaluated.</param>
/// <param name="ExamplesPerSecond">Throughput of the evaluation.</param>
public sealed record EvaluationResult(double Loss, double Accuracy, long Count, double ExamplesPerSecond)
{
    /// <summary>Every metric of the task by name (<c>accuracy</c>, <c>top5_accuracy</c>, <c>mse</c>, <c>psnr</c>, <c>token_accuracy</c>, ...).</summary>
    public IReadOnlyDictionary<string, double> Metrics { get; init; } = new Dictionary<string, double>();
}

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

/// <summary>
/// The trainer's own resumable state, stored as JSON in a checkpoint's "state" section; each callback's state is in the
/// "callbacks" section. Format 1 (before callbacks) kept early stopping and gradient norms here: such checkpoints are
/// refused with a message that says so.
/// </summary>
internal sealed record TrainingState
{
    public const int CurrentFormat = 2;

    private static readonly JsonSerializerOptions Json = CallbackJson.Options;

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

    /// <summary>The epoch the learning-rate schedule starts at: 0, or where a finished run was extended (a warm restart).</summary>
    public int ScheduleStartEpoch { get; init; }

    public Normalization? Normalization { get; init; }

    /// <summary>The unfinished epoch's loss and metric sums, so its metrics come out as if it had not been interrupted.</summary>
    public double[] PartialSums { get; init; } = Array.Empty<double>();

    public double PartialSeconds { get; init; }

    public List<EpochMetrics> History { get; init; } = new();

    public byte[] Serialize() => JsonSerializer.SerializeToUtf8Bytes(this, Json);

    /// <summary>The state section of <paramref name="file"/>; a bad or old one is a <see cref="CheckpointCorruptException"/> naming the file.</summary>
    public static TrainingState Read(CheckpointFile file, string path)
    {
        TrainingState state;
        try
        {
            state = JsonSerializer.Deserialize<TrainingState>(file["state"], Json) ?? throw new JsonException("the state section is null");
        }
        catch (Exception e) when (e is JsonException or ArgumentException or KeyNotFoundException)
        {
            throw new CheckpointCorruptException(path, $"its training state is unreadable ({e.Message})", e);
        }

        if (state.Format != CurrentFormat)
        {
            throw new CheckpointCorruptException(path,
                $"its training state has format {state.Format}, and this version reads format {CurrentFormat} only" +
                (state.Format < CurrentFormat ? " (it was written before the trainer's callbacks; start a new run, or take its weights from model.safetensors)" : ""));
        }

        state.Validate(path);
        return state;
    }

    /// <summary>
    /// Checks the stored options and position as a run given them would: a hash-valid file can still hold a progress
    /// interval of 0 (a division by zero later) or a negative step (a silently wrong schedule).
    /// </summary>
    private void Validate(string path)
    {
        try
        {
            (Options ?? throw new ArgumentException("is missing", "Options")).Validate();
        }
        catch (ArgumentException e)
        {
            throw new CheckpointCorruptException(path, $"its stored option {e.Message}", e);
        }

        void Require(bool condition, string field, object? value, string rule)
        {
            if (!condition)
                throw new CheckpointCorruptException(path, $"its stored {field} is {value ?? "missing"}, which {rule}");
        }

        Require(!string.IsNullOrEmpty(ModelName), nameof(ModelName), "empty", "must name the model it was written for");
        Require(Epoch >= 0 && Epoch <= Options.Epochs, nameof(Epoch), Epoch, $"must lie in 0..{Options.Epochs} (the run's epochs)");
        Require(Batch >= 0, nameof(Batch), Batch, "must not be negative");
        Require(Step >= 0, nameof(Step), Step, "must not be negative");
        Require(StepsPerEpoch >= 0, nameof(StepsPerEpoch), StepsPerEpoch, "must not be negative");
        Require(StepsPerEpoch == 0 || Batch < StepsPerEpoch, nameof(Batch), Batch, $"must be below the {StepsPerEpoch} steps of an epoch");
        Require(TrainCount >= 0, nameof(TrainCount), TrainCount, "must not be negative");
        Require(ScheduleStartEpoch >= 0 && ScheduleStartEpoch <= Epoch, nameof(ScheduleStartEpoch), ScheduleStartEpoch, $"must lie in 0..{Epoch} (the finished epochs)");
        Require(PartialSums is not null && PartialSums.All(double.IsFinite), nameof(PartialSums), PartialSums is null ? null : "not finite", "must be finite numbers");
        Require(double.IsFinite(PartialSeconds) && PartialSeconds >= 0, nameof(PartialSeconds), PartialSeconds, "must be a non-negative number");
        Require(History is not null && History.All(h => h is not null), nameof(History), History is null ? null : "holding null", "must be a list of epochs");
    }

    /// <summary>Differences between two option sets, as "Name: stored → given" lines (empty when equal), leaving out the options <paramref name="except"/> names.</summary>
    public static IReadOnlyList<string> Differences(TrainerOptions stored, TrainerOptions given, IReadOnlyCollection<string>? except = null) =>
        typeof(TrainerOptions).GetProperties()
            .Where(p => !Equals(p.GetValue(stored), p.GetValue(given)) && except?.Contains(p.Name) != true)
            .Select(p => $"{p.Name}: the checkpoint has {p.GetValue(stored) ?? "none"}, the command asked for {p.GetValue(given) ?? "none"}")
            .ToList();
}
