using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Threading;
using Dsl.Runtime.Checkpoints;
using Dsl.Runtime.Data;
using Dsl.Runtime.Devices;
using Dsl.Runtime.Reporting;
using TorchSharp;
using static TorchSharp.torch;

namespace Dsl.Runtime.Training;

/// <summary>
/// Trains any <c>Module&lt;Tensor, Tensor&gt;</c> for a <see cref="TrainingTask"/>: classification, regression or
/// token classification, with <see cref="Callbacks"/> for everything around the loop (progress, checkpoints, early
/// stopping, gradient flow, logging) and checkpoints that resume exactly.
/// </summary>
/// <remarks>
/// Every optimizer step runs inside a dispose scope, so native memory stays flat over any number of steps.
/// Every random choice is a pure function of the seed and the position (epoch, batch): data order and augmentation
/// come from the data loader's per-epoch generators, dropout from the global generator that is re-seeded at each
/// epoch start (and restored from the checkpoint mid-epoch), and the learning rate is a function of the step.
/// So on the CPU the same seed gives the same losses, and a resumed run the same weights, as an uninterrupted one.
/// </remarks>
public sealed class Trainer : IDisposable
{
    // Tells the global generator's per-epoch seed apart from the data loader's, which mixes (seed, epoch) too.
    private const long DropoutStream = 0x5EED;

    private readonly List<EpochMetrics> history = new();
    private readonly ProgressCallback progress = new();
    private readonly GradientFlowCallback gradientFlow;
    private readonly Evaluator evaluator;
    private optim.Optimizer optimizer;
    private TrainingState position = new();
    private byte[]? pendingRngState; // the global generator's state to restore when an interrupted epoch continues
    private MetricAccumulator? running; // the epoch in progress: loss and metric sums on the device
    private long runningSeen;
    private double runningSecondsBefore;
    private Stopwatch epochWatch = new(), fitWatch = new();
    private long fitFirstStep, fitTotalSteps;
    private double firstLoss = double.NaN; // what an exploding loss is measured against
    private Divergence? divergence;
    private int batchesPerEpoch;

    /// <summary>A trainer for <paramref name="model"/>; moves the model to <paramref name="device"/>.</summary>
    /// <param name="model">The network.</param>
    /// <param name="options">The run's options (validated here).</param>
    /// <param name="device">Where to train; null: CUDA when available, else the CPU.</param>
    /// <param name="checkpointDirectory">Where a <see cref="CheckpointCallback"/> writes a checkpoint every epoch and on interruption; null: none (add your own callback for other settings).</param>
    /// <param name="modelName">Stored in checkpoints, so that one is never loaded into another model by mistake.</param>
    public Trainer(nn.Module<Tensor, Tensor> model, TrainerOptions options, Device? device = null,
        string? checkpointDirectory = null, string modelName = "model")
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Model = model;
        Options = options;
        ModelName = modelName;
        Device = device ?? DeviceChoice.Resolve(null);
        evaluator = new Evaluator(model, options, null, Device);
        optimizer = Optimizers.Create(model.parameters(), options);
        gradientFlow = new GradientFlowCallback(options.GradientLogEvery);
        Callbacks.Add(progress);
        Callbacks.Add(gradientFlow);
        if (options.EarlyStoppingPatience is { } patience)
        {
            Callbacks.Add(new EarlyStoppingCallback(patience, options.EarlyStoppingMonitor, options.EarlyStoppingMode, options.EarlyStoppingMinDelta));
        }

        if (checkpointDirectory is not null)
        {
            Callbacks.Add(new CheckpointCallback(checkpointDirectory));
        }
    }

    /// <summary>The network being trained.</summary>
    public nn.Module<Tensor, Tensor> Model { get; }

    /// <summary>The options in force (after <see cref="Resume()"/>, the checkpoint's).</summary>
    public TrainerOptions Options { get; private set; }

    /// <summary>The model name stored in checkpoints.</summary>
    public string ModelName { get; }

    /// <summary>The device the model and the batches are on.</summary>
    public Device Device { get; }

    /// <summary>
    /// Everything that runs around the loop, in order: built in are a <see cref="ProgressCallback"/>, a
    /// <see cref="GradientFlowCallback"/>, an <see cref="EarlyStoppingCallback"/> when
    /// <see cref="TrainerOptions.EarlyStoppingPatience"/> is set, and a <see cref="CheckpointCallback"/> when a
    /// checkpoint directory is given. Add yours before <see cref="Resume()"/> so that their state is restored.
    /// </summary>
    public IList<ITrainerCallback> Callbacks { get; } = new List<ITrainerCallback>();

    /// <summary>Per-layer gradient norms recorded every <see cref="TrainerOptions.GradientLogEvery"/> steps.</summary>
    public GradientFlowRecorder GradientFlow => gradientFlow.Recorder;

    /// <summary>Metrics of every finished epoch.</summary>
    public IReadOnlyList<EpochMetrics> History => history;

    /// <summary>Optimizer steps taken so far.</summary>
    public long Step => position.Step;

    /// <summary>Finished epochs (during an epoch: the 0-based number of the epoch in progress).</summary>
    public int Epoch => position.Epoch;

    /// <summary>The optimizer (its state is in every checkpoint).</summary>
    public optim.Optimizer Optimizer => optimizer;

    /// <summary>The checkpoint written last, or null.</summary>
    public string? LastCheckpoint { get; internal set; }

    /// <summary>Why the run will stop after the current epoch, when a callback asked it to (<see cref="RequestStop"/>); else null.</summary>
    public StopReason? StopRequested { get; private set; }

    /// <summary>The first <see cref="CheckpointCallback"/> in <see cref="Callbacks"/> (what <see cref="Resume()"/> reads), or null.</summary>
    public CheckpointCallback? Checkpoints => Callbacks.OfType<CheckpointCallback>().FirstOrDefault();

    /// <summary>The input normalisation in use (from the training set, or from a checkpoint); null before the first fit and for integer inputs.</summary>
    public Normalization? Normalization => evaluator.Normalization;

    /// <summary>Sets the input normalisation (for weights trained elsewhere); <see cref="Fit"/> otherwise computes it from the training set.</summary>
    public void UseNormalization(Normalization? value) => evaluator.Normalization = value;

    /// <summary>The loss, (output, target) → scalar: the task's (<see cref="TrainerOptions.Task"/>) unless replaced.</summary>
    public Func<Tensor, Tensor, Tensor>? LossFunction
    {
        get => evaluator.LossFunction;
        set => evaluator.LossFunction = value;
    }

    /// <summary>Metrics that replace the task's defaults, for training and validation; null: the defaults.</summary>
    public IReadOnlyList<IMetric>? Metrics
    {
        get => evaluator.Metrics;
        set => evaluator.Metrics = value;
    }

    /// <summary>An evaluator that shares this trainer's model, task, loss, metrics and normalisation.</summary>
    public Evaluator Evaluator => evaluator;

    /// <summary>Raised every <see cref="TrainerOptions.ProgressEvery"/> steps and at the end of each epoch's training pass.</summary>
    public event Action<TrainingProgress>? Progress
    {
        add => progress.Progress += value;
        remove => progress.Progress -= value;
    }

    /// <summary>Raised after each epoch, with its metrics (the checkpoint is written by then).</summary>
    public event Action<EpochMetrics>? EpochCompleted;

    /// <summary>Raised for things the user should know that do not stop the run (a corrupt checkpoint skipped, ...).</summary>
    public event Action<string>? Warning;

    /// <summary>Seeds every torch generator; call before building the model so its initial weights are reproducible.</summary>
    public static void Seed(long seed)
    {
        manual_seed(seed);
        if (cuda.is_available())
        {
            cuda.manual_seed_all(seed);
        }
    }

    /// <summary>Asks the run to stop at the end of this epoch (early stopping does); the reason is what <see cref="Fit"/> returns.</summary>
    public void RequestStop(StopReason reason) => StopRequested ??= reason;

    /// <summary>
    /// Trains until every epoch ran, a callback asked to stop, the loss diverged, or <paramref name="cancellation"/>
    /// fires (then the exact position is checkpointed and the call returns <see cref="StopReason.Interrupted"/>).
    /// </summary>
    /// <param name="train">The training set: inputs [N, ...] and targets as the task needs them.</param>
    /// <param name="validation">Evaluated after every epoch and reported as validation (what early stopping and the best checkpoint watch); null: none.</param>
    /// <param name="cancellation">Stops the run at the next step boundary.</param>
    /// <exception cref="ArgumentException">The data does not fit the model or the task (one line naming both).</exception>
    public TrainingResult Fit(TensorDataset train, TensorDataset? validation = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(train);
        var loader = Prepare(train, validation);
        StopRequested = null;
        divergence = null;
        fitWatch = Stopwatch.StartNew();
        fitFirstStep = position.Step;
        Dispatch(c => c.OnFitStart(this));

        while (position.Epoch < Options.Epochs && StopRequested is null)
        {
            var epoch = position.Epoch;
            StartEpoch(epoch);
            var rate = 0.0;
            foreach (var batch in loader.Epoch(epoch, Options.Seed, Device, position.Batch))
            {
                using (batch)
                using (NewDisposeScope())
                {
                    rate = TrainStep(batch, epoch);
                }

                if (divergence is not null)
                {
                    return Finish(StopReason.Diverged); // before the broken step's update: the last checkpoint stays good
                }

                if (cancellation.IsCancellationRequested && position.Batch < batchesPerEpoch)
                {
                    position = position with { PartialSums = running!.Read(), PartialSeconds = EpochSeconds };
                    Dispatch(c => c.OnInterrupted(this));
                    return Finish(StopReason.Interrupted);
                }
            }

            var metrics = EndEpoch(epoch, rate, validation);
            if (!double.IsFinite(metrics.TrainLoss))
            {
                return Finish(StopReason.Diverged); // no checkpoint of the broken epoch: the last one stays good
            }

            Dispatch(c => c.OnEpochEnd(this, metrics));
            EpochCompleted?.Invoke(metrics);
            if (cancellation.IsCancellationRequested && position.Epoch < Options.Epochs && StopRequested is null)
            {
                return Finish(StopReason.Interrupted);
            }
        }

        return Finish(StopRequested ?? StopReason.Completed);
    }

    /// <summary>Mean loss and the task's metrics over <paramref name="data"/>, in evaluation mode (BatchNorm running stats, no dropout).</summary>
    public EvaluationResult Evaluate(TensorDataset data) => evaluator.Evaluate(data);

    /// <summary>The model's outputs for raw inputs [N, ...], normalised as in training; a CPU tensor the caller owns.</summary>
    public Tensor Predict(Tensor inputs) => evaluator.Predict(inputs);

    /// <summary>The predicted class of every example in <paramref name="data"/>.</summary>
    public long[] PredictClasses(TensorDataset data) => evaluator.PredictClasses(data);

    /// <summary>
    /// Continues from the newest valid checkpoint in the checkpoint directory: weights, optimizer, position, history,
    /// normalisation, the stored options and every callback's state (a corrupt newest file is skipped with a
    /// <see cref="Warning"/>). Returns the file used, or null when the directory holds no checkpoint.
    /// </summary>
    /// <exception cref="InvalidOperationException">The trainer has no checkpoint directory.</exception>
    /// <exception cref="CheckpointCorruptException">Checkpoints exist but none is readable.</exception>
    public string? Resume() => Resume(Array.Empty<string>());

    /// <summary>
    /// <see cref="Resume()"/>, for a caller that sets some options again right after it (as <c>train</c> does for
    /// <c>--lr</c> and <c>--epochs</c>).
    /// </summary>
    /// <param name="setAfterwards">
    /// The <see cref="TrainerOptions"/> properties (by name, e.g. <c>nameof(TrainerOptions.LearningRate)</c>) the caller
    /// sets again right after resuming, with <see cref="OverrideLearningRate"/> or <see cref="ExtendTo"/>: their
    /// differences from the checkpoint are the caller's to report, so no <see cref="Warning"/> says the checkpoint's
    /// value is kept. Every other difference is still warned about.
    /// </param>
    /// <exception cref="InvalidOperationException">The trainer has no checkpoint directory.</exception>
    /// <exception cref="ArgumentException"><paramref name="setAfterwards"/> holds a name that is not an option of <see cref="TrainerOptions"/>.</exception>
    /// <exception cref="CheckpointCorruptException">Checkpoints exist but none is readable.</exception>
    public string? Resume(IReadOnlyCollection<string> setAfterwards)
    {
        if (Checkpoints is not { } checkpoints)
        {
            throw new InvalidOperationException("this trainer has no checkpoint directory to resume from");
        }

        ArgumentNullException.ThrowIfNull(setAfterwards);
        var unknown = setAfterwards.FirstOrDefault(name => typeof(TrainerOptions).GetProperty(name) is null);
        if (unknown is not null)
        {
            throw new ArgumentException($"TrainerOptions has no option '{unknown}'", nameof(setAfterwards));
        }

        // A file that is read but cannot be restored falls back to the one before it, as a corrupt one does.
        var found = checkpoints.Files.Restore((file, path) => LoadCheckpoint(file, path, setAfterwards), out var skipped);
        foreach (var problem in skipped)
        {
            Warning?.Invoke($"skipped an unreadable checkpoint: {problem}");
        }

        if (found is null)
        {
            return null;
        }

        LastCheckpoint = found;
        return found;
    }

    /// <summary>Loads a checkpoint file (as <see cref="Resume()"/> does); for evaluating or continuing from a given file.</summary>
    public void LoadCheckpoint(string path)
    {
        LoadCheckpoint(CheckpointFile.Load(path), Path.GetFullPath(path), null);
    }

    /// <summary>Loads only the weights of a checkpoint (e.g. <c>best.ckpt</c>, to evaluate them); position, optimizer and history stay.</summary>
    public void LoadWeights(string checkpointPath)
    {
        var full = Path.GetFullPath(checkpointPath);
        var file = CheckpointFile.Load(full);
        var state = TrainingState.Read(file, full);
        if (!string.Equals(state.ModelName, ModelName, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"checkpoint {full} was written for model '{state.ModelName}', not '{ModelName}'");
        }

        ModuleState.LoadModuleState(Model, file["model"], full);
    }

    /// <summary>
    /// Sets the run's length to <paramref name="epochs"/> (after <see cref="Resume()"/>, whose stored options win otherwise).
    /// A finished run that is extended runs its learning-rate schedule again over the added epochs (a warm restart);
    /// an unfinished one stretches the schedule over the new length.
    /// </summary>
    /// <exception cref="ArgumentException">Fewer epochs than are already finished.</exception>
    public void ExtendTo(int epochs)
    {
        if (epochs < position.Epoch || epochs < 1)
        {
            throw new ArgumentException($"the run has already finished {position.Epoch} epochs; it cannot be cut to {epochs}", nameof(epochs));
        }

        if (epochs == Options.Epochs)
        {
            return;
        }

        if (position.Epoch >= Options.Epochs && position.Batch == 0)
        {
            position = position with { ScheduleStartEpoch = position.Epoch };
        }
        else
        {
            Warning?.Invoke($"the run is at epoch {position.Epoch} of {Options.Epochs}: its learning-rate schedule now spans {epochs} epochs");
        }

        Options = Options with { Epochs = epochs };
        evaluator.Options = Options;
        StopRequested = null;
    }

    /// <summary>
    /// Replaces the peak learning rate of a resumed run (the stored options win otherwise): the schedule keeps its shape
    /// and position, scaled to the new peak. What <c>train --resume --lr X</c> does after a divergence.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The rate is not a positive finite number.</exception>
    public void OverrideLearningRate(double learningRate)
    {
        if (!(learningRate > 0) || double.IsInfinity(learningRate))
        {
            throw new ArgumentOutOfRangeException(nameof(learningRate), learningRate, "a learning rate is a positive finite number");
        }

        Options = Options with { LearningRate = learningRate };
        evaluator.Options = Options;
    }

    /// <summary>Frees the optimizer's state and the running sums (the model belongs to the caller).</summary>
    public void Dispose()
    {
        optimizer.Dispose();
        running?.Dispose();
    }

    /// <summary>The running epoch's progress (reads the device's sums: a GPU synchronises).</summary>
    internal TrainingProgress CurrentProgress(double rate)
    {
        var (loss, metrics, _) = running!.Values();
        var accuracy = Tasks.AccuracyName(Options.Task) is { } name && metrics.TryGetValue(name, out var a) ? a : double.NaN;
        var stepsThisCall = position.Step - fitFirstStep;
        var elapsed = fitWatch.Elapsed;
        TimeSpan? remaining = stepsThisCall > 0
            ? TimeSpan.FromSeconds(elapsed.TotalSeconds / stepsThisCall * (fitTotalSteps - position.Step))
            : null;
        return new TrainingProgress(position.Epoch + 1, Options.Epochs, position.Batch, batchesPerEpoch, position.Step, fitTotalSteps,
            loss, accuracy, runningSeen / Math.Max(EpochSeconds, 1e-9), rate, elapsed, remaining);
    }

    /// <summary>Everything needed to continue exactly: weights, optimizer, position, history and each callback's state.</summary>
    internal CheckpointFile CreateCheckpoint(bool includeRng, bool midEpoch = false)
    {
        // Mid-epoch (a step checkpoint), the running epoch's sums go into the file as they would on an interruption.
        var current = midEpoch && running is not null && position.Batch > 0
            ? position with { PartialSums = running.Read(), PartialSeconds = EpochSeconds }
            : position;
        var state = current with
        {
            ModelName = ModelName,
            Options = Options,
            Normalization = Normalization,
            History = history.ToList(),
        };
        var states = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var callback in Callbacks)
        {
            if (callback.SaveState() is { } saved)
            {
                states[callback.StateKey] = saved;
            }
        }

        var sections = new Dictionary<string, byte[]>
        {
            ["state"] = state.Serialize(),
            ["callbacks"] = JsonSerializer.SerializeToUtf8Bytes(states, CallbackJson.Options),
            ["model"] = ModuleState.SaveModuleState(Model),
            ["optimizer"] = OptimizerState.Save(optimizer),
        };
        if (includeRng)
        {
            using var rng = get_rng_state();
            sections["rng"] = rng.data<byte>().ToArray();
        }

        return new CheckpointFile(sections);
    }

    private double EpochSeconds => runningSecondsBefore + epochWatch.Elapsed.TotalSeconds;

    // The checks that turn bad data into one line, the normalisation, and the loader; before any step.
    private DataLoader Prepare(TensorDataset train, TensorDataset? validation)
    {
        if (train.Count == 0)
        {
            throw new ArgumentException("the training set is empty", nameof(train));
        }

        if (Normalization is null && Options.Normalize && train.Inputs.is_floating_point())
        {
            UseNormalization(Options.Normalization ?? Data.Normalization.Of(train)); // the training split only
        }

        if (!Options.Augmentation.IsNone && (train.Inputs.Dimensions != 4 || !train.Inputs.is_floating_point()))
        {
            throw new ArgumentException($"augmentation (crop, flip) works on images [N, C, H, W]; these inputs are {train.Inputs.dtype} " +
                $"{Tasks.Shape(train.Inputs.shape)}: set Augmentation = Augmentation.None");
        }

        var outputShape = Tasks.Check(Model, ModelName, Options, train, "training", Normalization, Device);
        if (validation is not null)
        {
            Tasks.Check(Model, ModelName, Options, validation, "validation", Normalization, Device);
        }

        var loader = new DataLoader(train, Options.BatchSize, shuffle: true, Normalization, Options.Augmentation);
        if (position.StepsPerEpoch == 0)
        {
            position = position with { StepsPerEpoch = loader.BatchCount, TrainCount = train.Count };
        }
        else if (position.TrainCount != train.Count || position.StepsPerEpoch != loader.BatchCount)
        {
            throw new InvalidOperationException(
                $"the checkpoint was written for a training set of {position.TrainCount:N0} examples in {position.StepsPerEpoch} batches per epoch; " +
                $"this one has {train.Count:N0} examples in {loader.BatchCount} batches: resume with the same data and batch size");
        }

        batchesPerEpoch = loader.BatchCount;
        fitTotalSteps = (long)Options.Epochs * batchesPerEpoch;
        trainMetrics = evaluator.MetricsFor(outputShape);
        return loader;
    }

    private IReadOnlyList<IMetric> trainMetrics = Array.Empty<IMetric>();

    private LearningRateSchedule Schedule()
    {
        var start = (long)position.ScheduleStartEpoch * batchesPerEpoch;
        return new LearningRateSchedule(Options.Schedule, Options.LearningRate, fitTotalSteps - start, batchesPerEpoch,
            Options.WarmupSteps, Options.StepEpochs, Options.StepGamma);
    }

    private void StartEpoch(int epoch)
    {
        StartEpochRandomness(epoch);
        Model.train();
        running?.Dispose();
        running = new MetricAccumulator(trainMetrics, Device, position.Batch > 0 ? position.PartialSums : null);
        runningSeen = position.Batch > 0 ? (long)(position.PartialSums.ElementAtOrDefault(1)) : 0;
        runningSecondsBefore = position.Batch > 0 ? position.PartialSeconds : 0;
        epochWatch = Stopwatch.StartNew();
        Dispatch(c => c.OnEpochStart(this, epoch));
    }

    // One optimizer step; returns its learning rate.
    private double TrainStep(Batch batch, int epoch)
    {
        var rate = Schedule().At(position.Step - (long)position.ScheduleStartEpoch * batchesPerEpoch);
        Optimizers.SetLearningRate(optimizer, rate);
        optimizer.zero_grad();
        var output = Model.call(batch.Inputs);
        var loss = evaluator.Loss(output, batch.Labels);
        if (Diverges(loss, epoch))
        {
            return rate;
        }

        loss.backward();
        Dispatch(c => c.OnBeforeOptimizerStep(this));
        if (Options.ClipGradientNorm is { } maxNorm)
        {
            nn.utils.clip_grad_norm_(Model.parameters(), maxNorm);
        }

        optimizer.step();
        Dispatch(c => c.OnAfterOptimizerStep(this));
        running!.Add(output, batch.Labels, loss, batch.Size); // summed on the device: no synchronisation per step
        runningSeen += batch.Size;
        var index = position.Batch;
        position = position with { Batch = position.Batch + 1, Step = position.Step + 1 };
        var result = new BatchResult(epoch, index, batchesPerEpoch, batch.Size, rate, output, batch.Labels, loss);
        Dispatch(c => c.OnBatchEnd(this, result));
        return rate;
    }

    /// <summary>How many times the run's first loss a step's loss may reach before the run counts as diverged.</summary>
    public const double ExplosionFactor = 1e4;

    // On the CPU every step's loss is checked (reading it costs nothing there); on a GPU every ProgressEvery steps,
    // where the progress report synchronises anyway.
    private bool Diverges(Tensor loss, int epoch)
    {
        bool check = Device.type == DeviceType.CPU || position.Step % Options.ProgressEvery == 0 || double.IsNaN(firstLoss);
        if (!check)
        {
            return false;
        }

        double value = loss.item<float>();
        if (double.IsNaN(firstLoss) && double.IsFinite(value))
        {
            firstLoss = Math.Max(Math.Abs(value), 1e-2);
        }

        if (double.IsFinite(value) && !(value > ExplosionFactor * firstLoss))
        {
            return false;
        }

        divergence = new Divergence(position.Step + 1, epoch + 1, value, firstLoss);
        return true;
    }

    private EpochMetrics EndEpoch(int epoch, double rate, TensorDataset? validation)
    {
        var seconds = EpochSeconds;
        var (loss, metrics, seen) = running!.Values();
        var evaluation = validation is null ? null : Evaluate(validation);
        var accuracyName = Tasks.AccuracyName(Options.Task);
        var result = new EpochMetrics(epoch + 1, position.Step, rate, loss,
            accuracyName is not null && metrics.TryGetValue(accuracyName, out var a) ? a : double.NaN,
            evaluation?.Loss, evaluation is { } e && accuracyName is not null ? e.Accuracy : null,
            seen / Math.Max(seconds, 1e-9), seconds)
        {
            Train = metrics,
            Validation = evaluation?.Metrics,
        };
        history.Add(result);
        if (double.IsFinite(loss))
        {
            position = position with { Epoch = epoch + 1, Batch = 0, PartialSums = Array.Empty<double>(), PartialSeconds = 0 };
        }

        return result;
    }

    private TrainingResult Finish(StopReason reason)
    {
        var result = new TrainingResult(reason, history.ToList(), position.Step, LastCheckpoint)
        {
            Divergence = reason == StopReason.Diverged ? divergence : null,
        };
        Dispatch(c => c.OnFitEnd(this, result));
        return result;
    }

    // Checkpoint writers see an epoch's end last, so the file they write holds every other callback's state.
    private void Dispatch(Action<ITrainerCallback> hook)
    {
        foreach (var callback in Callbacks.Where(c => c is not CheckpointCallback).ToList())
        {
            hook(callback);
        }

        foreach (var callback in Callbacks.OfType<CheckpointCallback>().ToList())
        {
            hook(callback);
        }
    }

    // Dropout and other users of the global generator: re-seeded from (seed, epoch) at each epoch start, or restored mid-epoch.
    private void StartEpochRandomness(int epoch)
    {
        if (pendingRngState is { } saved && position.Batch > 0)
        {
            using var state = tensor(saved, dtype: uint8);
            set_rng_state(state);
        }
        else
        {
            Seed((long)(SeedMixer.Mix(Options.Seed, epoch, DropoutStream) >> 1)); // torch seeds must be non-negative
        }

        pendingRngState = null;
    }

    private void LoadCheckpoint(CheckpointFile file, string path, IReadOnlyCollection<string>? setAfterwards)
    {
        var state = TrainingState.Read(file, path);
        if (!string.Equals(state.ModelName, ModelName, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"checkpoint {path} was written for model '{state.ModelName}', not '{ModelName}'");
        }

        // Checked before anything changes: libtorch aborts the process on a bad generator state instead of throwing.
        var rngState = file.Sections.TryGetValue("rng", out var rng) ? RngState.Check(rng, path) : null;
        foreach (var difference in TrainingState.Differences(state.Options, Options, setAfterwards))
        {
            Warning?.Invoke($"resuming with the checkpoint's options: {difference}");
        }

        ModuleState.LoadModuleState(Model, file["model"], path);
        if (!Equals(state.Options, Options))
        {
            optimizer.Dispose();
            optimizer = Optimizers.Create(Model.parameters(), state.Options);
        }

        OptimizerState.Load(optimizer, file["optimizer"], path);
        Options = state.Options;
        evaluator.Options = state.Options;
        UseNormalization(state.Normalization);
        history.Clear();
        history.AddRange(state.History);
        LoadCallbackStates(file, path);
        pendingRngState = rngState;
        position = state with { History = new() };
    }

    private void LoadCallbackStates(CheckpointFile file, string path)
    {
        Dictionary<string, JsonElement> states;
        try
        {
            states = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(file["callbacks"], CallbackJson.Options) ?? new();
        }
        catch (JsonException e)
        {
            throw new CheckpointCorruptException(path, $"its callbacks' state is unreadable ({e.Message})", e);
        }

        foreach (var callback in Callbacks)
        {
            if (states.TryGetValue(callback.StateKey, out var state))
            {
                try
                {
                    callback.LoadState(state);
                }
                catch (JsonException e)
                {
                    throw new CheckpointCorruptException(path, $"the state of its callback '{callback.StateKey}' is unreadable ({e.Message})", e);
                }
            }
        }
    }
}
