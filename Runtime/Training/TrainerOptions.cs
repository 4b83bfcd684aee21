using System;
using Dsl.Runtime.Data;

namespace Dsl.Runtime.Training;

/// <summary>
/// Everything that decides a training run. A checkpoint stores these, and a resumed run uses the stored values,
/// so that it continues exactly where the interrupted one stopped.
/// </summary>
public sealed record TrainerOptions
{
    /// <summary>What the network learns: the default loss, the metrics and the checks of the data.</summary>
    public TrainingTask Task { get; init; } = TrainingTask.Classification;

    /// <summary>For <see cref="TrainingTask.Regression"/>: the loss.</summary>
    public RegressionLoss RegressionLoss { get; init; } = RegressionLoss.MeanSquaredError;

    /// <summary>For <see cref="TrainingTask.TokenClassification"/>: target positions with this id (padding) count in neither loss nor metrics.</summary>
    public long IgnoreIndex { get; init; } = -100;

    /// <summary>Passes over the training set.</summary>
    public int Epochs { get; init; } = 10;

    /// <summary>Examples per optimizer step.</summary>
    public int BatchSize { get; init; } = 128;

    /// <summary>The base (peak) learning rate.</summary>
    public double LearningRate { get; init; } = 0.05;

    /// <summary>The optimizer.</summary>
    public OptimizerKind Optimizer { get; init; } = OptimizerKind.Sgd;

    /// <summary>SGD momentum.</summary>
    public double Momentum { get; init; } = 0.9;

    /// <summary>Nesterov momentum for SGD (when momentum is positive).</summary>
    public bool Nesterov { get; init; } = true;

    /// <summary>Weight decay; null: PyTorch's default for the optimizer (0 for SGD and Adam, 0.01 for AdamW).</summary>
    public double? WeightDecay { get; init; }

    /// <summary>The learning-rate schedule.</summary>
    public ScheduleKind Schedule { get; init; } = ScheduleKind.OneCycle;

    /// <summary>Optimizer steps of linear warm-up before the schedule.</summary>
    public int WarmupSteps { get; init; }

    /// <summary>For the step schedule: epochs between decays.</summary>
    public int StepEpochs { get; init; } = 10;

    /// <summary>For the step schedule: the decay factor.</summary>
    public double StepGamma { get; init; } = 0.1;

    /// <summary>Clip the global gradient norm to this value before each step; null: no clipping.</summary>
    public double? ClipGradientNorm { get; init; }

    /// <summary>Stop after this many epochs without improvement of the validation loss (the training loss without validation data); null: never stop early. Builds an <see cref="EarlyStoppingCallback"/>; add one yourself to monitor another metric.</summary>
    public int? EarlyStoppingPatience { get; init; }

    /// <summary>What early stopping watches (see <see cref="EpochMetrics.Get"/>); a validation metric falls back to the training one without validation data.</summary>
    public string EarlyStoppingMonitor { get; init; } = "validation_loss";

    /// <summary>Whether the monitored value improves by falling or by rising.</summary>
    public MonitorMode EarlyStoppingMode { get; init; } = MonitorMode.Min;

    /// <summary>How much the monitored value must improve to count as an improvement.</summary>
    public double EarlyStoppingMinDelta { get; init; }

    /// <summary>Label smoothing of the cross-entropy loss.</summary>
    public double LabelSmoothing { get; init; }

    /// <summary>The seed of every random choice the trainer makes: data order, augmentation, dropout, and (when the caller
    /// seeds with <see cref="Trainer.Seed"/> before building the model) the initial weights.</summary>
    public long Seed { get; init; } = 42;

    /// <summary>Normalise floating-point inputs: with <see cref="Normalization"/> when given, else with the training set's mean and standard deviation (per channel for images). Integer inputs (token ids) are never normalised.</summary>
    public bool Normalize { get; init; } = true;

    /// <summary>A fixed normalisation (e.g. the full data set's statistics, so that weights evaluate the same whatever subset trained them); null: computed from the training set.</summary>
    public Normalization? Normalization { get; init; }

    /// <summary>Augmentation of training batches.</summary>
    public Augmentation Augmentation { get; init; } = Augmentation.None;

    /// <summary>Record per-layer gradient norms every this many steps (0: never).</summary>
    public int GradientLogEvery { get; init; } = 50;

    /// <summary>Report progress every this many steps (reading the running loss costs a device synchronisation).</summary>
    public int ProgressEvery { get; init; } = 10;

    /// <summary>Checks every value; the message names the option.</summary>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public void Validate()
    {
        Require(Epochs >= 1, nameof(Epochs), $"must be at least 1, not {Epochs}");
        Require(BatchSize >= 1, nameof(BatchSize), $"must be at least 1, not {BatchSize}");
        Require(LearningRate > 0 && !double.IsInfinity(LearningRate), nameof(LearningRate), $"must be a positive number, not {LearningRate}");
        Require(Momentum >= 0 && Momentum < 1, nameof(Momentum), $"must be in [0, 1), not {Momentum}");
        Require(WeightDecay is null || WeightDecay >= 0, nameof(WeightDecay), $"must not be negative, not {WeightDecay}");
        Require(Enum.IsDefined(typeof(TrainingTask), Task), nameof(Task), $"is not a task: {Task}");
        Require(Enum.IsDefined(typeof(RegressionLoss), RegressionLoss), nameof(RegressionLoss), $"is not a regression loss: {RegressionLoss}");
        Require(Enum.IsDefined(typeof(OptimizerKind), Optimizer), nameof(Optimizer), $"is not an optimizer: {Optimizer}");
        Require(Enum.IsDefined(typeof(ScheduleKind), Schedule), nameof(Schedule), $"is not a schedule: {Schedule}");
        Require(WarmupSteps >= 0, nameof(WarmupSteps), $"must not be negative, not {WarmupSteps}");
        Require(StepEpochs >= 1, nameof(StepEpochs), $"must be at least 1, not {StepEpochs}");
        Require(StepGamma > 0 && StepGamma <= 1, nameof(StepGamma), $"must be in (0, 1], not {StepGamma}");
        Require(ClipGradientNorm is null || ClipGradientNorm > 0, nameof(ClipGradientNorm), $"must be positive, not {ClipGradientNorm}");
        Require(EarlyStoppingPatience is null || EarlyStoppingPatience >= 1, nameof(EarlyStoppingPatience), $"must be at least 1, not {EarlyStoppingPatience}");
        Require(!string.IsNullOrEmpty(EarlyStoppingMonitor), nameof(EarlyStoppingMonitor), "must name a metric");
        Require(EarlyStoppingMinDelta >= 0, nameof(EarlyStoppingMinDelta), $"must not be negative, not {EarlyStoppingMinDelta}");
        Require(LabelSmoothing >= 0 && LabelSmoothing < 1, nameof(LabelSmoothing), $"must be in [0, 1), not {LabelSmoothing}");
        Require(GradientLogEvery >= 0, nameof(GradientLogEvery), $"must not be negative, not {GradientLogEvery}");
        Require(ProgressEvery >= 1, nameof(ProgressEvery), $"must be at least 1, not {ProgressEvery}");
        Require(Augmentation is not null, nameof(Augmentation), "must not be null (use Augmentation.None)");
    }

    private static void Require(bool condition, string option, string problem)
    {
        if (!condition)
        {
            throw new ArgumentException($"{option} {problem}", option);
        }
    }
}
