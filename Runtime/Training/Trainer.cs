using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Threading;
using Dsl.Runtime.Checkpoints;
using Dsl.Runtime.Data;
using Dsl.Runtime.Devices;
using Dsl.Runtime.Reporting;
using TorchSharp;
using static TorchSharp.torch;

namespace Dsl.Runtime.Training;

/// <summary>
/// Trains, evaluates and runs any <c>Module&lt;Tensor, Tensor&gt;</c> that maps a batch of inputs to class logits
/// (every generated classifier), with checkpoints that resume exactly.
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
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter() },
    };

    // Tells the global generator's per-epoch seed apart from the data loader's, which mixes (seed, epoch) too.
    private const long DropoutStream = 0x5EED;

    private readonly CheckpointDirectory? checkpoints;
    private readonly List<EpochMetrics> history = new();
    private optim.Optimizer optimizer;
    private TrainingState position = new();
    private Normalization? normalization;
    private byte[]? pendingRngState; // the global generator's state to restore when an interrupted epoch continues

    /// <summary>A trainer for <paramref name="model"/>; moves the model to <paramref name="device"/>.</summary>
    /// <param name="model">The network; its output must be [N, classes] logits for the default loss.</param>
    /// <param name="options">The run's options (validated here).</param>
    /// <param name="device">Where to train; null: CUDA when available, else the CPU.</param>
    /// <param name="checkpointDirectory">Where to write a checkpoint every epoch and on interruption; null: none.</param>
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
        model.to(Device);
        optimizer = Optimizers.Create(model.parameters(), options);
        GradientFlow = new GradientFlowRecorder(Math.Max(1, options.GradientLogEvery));
        checkpoints = checkpointDirectory is null ? null : new CheckpointDirectory(checkpointDirectory);
    }

    /// <summary>The network being trained.</summary>
    public nn.Module<Tensor, Tensor> Model { get; }

    /// <summary>The options in force (after <see cref="Resume"/>, the checkpoint's).</summary>
    public TrainerOptions Options { get; private set; }

    /// <summary>The model name stored in checkpoints.</summary>
    public string ModelName { get; }

    /// <summary>The device the model and the batches are on.</summary>
    public Device Device { get; }

    /// <summary>Per-layer gradient norms recorded every <see cref="TrainerOptions.GradientLogEvery"/> steps.</summary>
    public GradientFlowRecorder GradientFlow { get; private set; }

    /// <summary>Metrics of every finished epoch.</summary>
    public IReadOnlyList<EpochMetrics> History => history;

    /// <summary>Optimizer steps taken so far.</summary>
    public long Step => position.Step;

    /// <summary>The input normalisation in use (from the training set, or from a checkpoint); null before the first fit.</summary>
    public Normalization? Normalization => normalization;

    /// <summary>Sets the input normalisation (for weights trained elsewhere); <see cref="Fit"/> otherwise computes it from the training set.</summary>
    public void UseNormalization(Normalization? value) => normalization = value;

    /// <summary>The loss: cross-entropy with the options' label smoothing unless replaced.</summary>
    public Func<Tensor, Tensor, Tensor>? LossFunction { get; set; }

    /// <summary>Raised every <see cref="TrainerOptions.ProgressEvery"/> steps and at the end of each epoch's training pass.</summary>
    public event Action<TrainingProgress>? Progress;

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

    /// <summary>
    /// Trains until every epoch ran, the monitored loss stopped improving, or <paramref name="cancellation"/> fires
    /// (then the exact position is checkpointed and the call returns <see cref="StopReason.Interrupted"/>).
    /// </summary>
    /// <param name="train">The training set (inputs [N, ...], int64 labels [N]).</param>
    /// <param name="validation">Evaluated after every epoch (its loss is what early stopping watches); null: the training loss is watched.</param>
    /// <param name="cancellation">Stops the run at the next step boundary.</param>
    public TrainingResult Fit(TensorDataset train, TensorDataset? validation = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(train);
        if (train.Count == 0)
        {
            throw new ArgumentException("the training set is empty", nameof(train));
        }

        normalization ??= Options.Normalize ? Options.Normalization ?? Data.Normalization.Of(train) : null;
        var loader = new DataLoader(train, Options.BatchSize, shuffle: true, normalization, Options.Augmentation);
        CheckResumedDataMatches(loader, train);
        var totalSteps = (long)Options.Epochs * loader.BatchCount;
        var schedule = new LearningRateSchedule(Options.Schedule, Options.LearningRate, totalSteps, loader.BatchCount,
            Options.WarmupSteps, Options.StepEpochs, Options.StepGamma);
        var run = Stopwatch.StartNew();
        var firstStep = position.Step;
        string? lastCheckpoint = null;
        if (Options.EarlyStoppingPatience is { } patience && position.EpochsWithoutImprovement >= patience)
        {
            return new TrainingResult(StopReason.EarlyStopped, history.ToList(), position.Step, null); // resumed after it had stopped early
        }

        while (position.Epoch < Options.Epochs)
        {
            var epoch = position.Epoch;
            StartEpochRandomness(epoch);
            Model.train();
            var epochWatch = Stopwatch.StartNew();
            using var lossSum = tensor(position.PartialLossSum, float64, Device);
            using var correct = tensor(position.PartialCorrect, float64, Device);
            var seen = position.PartialSeen;
            var secondsBefore = position.PartialSeconds;
            var rate = schedule.At(position.Step);

            foreach (var batch in loader.Epoch(epoch, Options.Seed, Device, position.Batch))
            {
                var size = batch.Size;
                using (batch)
                using (NewDisposeScope())
                {
                    rate = schedule.At(position.Step);
                    TrainStep(batch, rate, epoch, lossSum, correct);
                }

                seen += size;
                position = position with { Batch = position.Batch + 1, Step = position.Step + 1 };
                var last = position.Batch == loader.BatchCount;
                if (position.Step % Options.ProgressEvery == 0 || last)
                {
                    ReportProgress(loader.BatchCount, totalSteps, lossSum, correct, seen, secondsBefore + epochWatch.Elapsed.TotalSeconds,
                        rate, run.Elapsed, position.Step - firstStep);
                }

                if (cancellation.IsCancellationRequested && !last)
                {
                    position = position with
                    {
                        PartialLossSum = lossSum.item<double>(),
                        PartialCorrect = correct.item<double>(),
                        PartialSeen = seen,
                        PartialSeconds = secondsBefore + epochWatch.Elapsed.TotalSeconds,
                    };
                    lastCheckpoint = checkpoints?.SaveLast(CreateCheckpoint(get_rng_state()));
                    return new TrainingResult(StopReason.Interrupted, history.ToList(), position.Step, lastCheckpoint);
                }
            }

            var seconds = secondsBefore + epochWatch.Elapsed.TotalSeconds;
            var evaluation = validation is null ? null : Evaluate(validation);
            var metrics = new EpochMetrics(epoch + 1, position.Step, rate, lossSum.item<double>() / seen, correct.item<double>() / seen,
                evaluation?.Loss, evaluation?.Accuracy, seen / Math.Max(seconds, 1e-9), seconds);
            history.Add(metrics);
            if (!double.IsFinite(metrics.TrainLoss))
            {
                return new TrainingResult(StopReason.Diverged, history.ToList(), position.Step, lastCheckpoint);
            }

            var stop = UpdateEarlyStopping(evaluation?.Loss ?? metrics.TrainLoss);
            position = position with { Epoch = epoch + 1, Batch = 0, PartialLossSum = 0, PartialCorrect = 0, PartialSeen = 0, PartialSeconds = 0 };
            lastCheckpoint = checkpoints?.SaveEpoch(epoch + 1, CreateCheckpoint(rngState: null));
            EpochCompleted?.Invoke(metrics);

            if (stop)
            {
                return new TrainingResult(StopReason.EarlyStopped, history.ToList(), position.Step, lastCheckpoint);
            }

            if (cancellation.IsCancellationRequested && position.Epoch < Options.Epochs)
            {
                return new TrainingResult(StopReason.Interrupted, history.ToList(), position.Step, lastCheckpoint);
            }
        }

        return new TrainingResult(StopReason.Completed, history.ToList(), position.Step, lastCheckpoint);
    }

    /// <summary>Mean loss and accuracy over <paramref name="data"/>, in evaluation mode (BatchNorm running stats, no dropout).</summary>
    public EvaluationResult Evaluate(TensorDataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.Count == 0)
        {
            throw new ArgumentException("the data set is empty", nameof(data));
        }

        return InEvaluationMode(() =>
        {
            var watch = Stopwatch.StartNew();
            using var lossSum = zeros(1, float64, Device);
            using var correct = zeros(1, float64, Device);
            var loader = new DataLoader(data, Options.BatchSize, shuffle: false, normalization);
            foreach (var batch in loader.Epoch(0, Options.Seed, Device))
            {
                using (batch)
                using (NewDisposeScope())
                {
                    var output = Model.call(batch.Inputs);
                    lossSum.add_(Loss(output, batch.Labels).to(float64) * batch.Size);
                    correct.add_(Correct(output, batch.Labels));
                }
            }

            return new EvaluationResult(lossSum.item<double>() / data.Count, correct.item<double>() / data.Count, data.Count,
                data.Count / Math.Max(watch.Elapsed.TotalSeconds, 1e-9));
        });
    }

    /// <summary>The model's outputs (logits) for raw inputs [N, ...], normalised as in training; a CPU tensor the caller owns.</summary>
    public Tensor Predict(Tensor inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        return InEvaluationMode(() =>
        {
            using var scope = NewDisposeScope();
            var parts = new List<Tensor>();
            for (long start = 0; start < inputs.shape[0]; start += Options.BatchSize)
            {
                var batch = inputs.narrow(0, start, Math.Min(Options.BatchSize, inputs.shape[0] - start)).to(Device);
                parts.Add(Model.call(normalization?.Apply(batch) ?? batch).cpu());
            }

            return cat(parts, 0).MoveToOuterDisposeScope();
        });
    }

    /// <summary>The predicted class of every example in <paramref name="data"/>.</summary>
    public long[] PredictClasses(TensorDataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        using var scope = NewDisposeScope();
        return Predict(data.Inputs).argmax(1).data<long>().ToArray();
    }

    /// <summary>
    /// Continues from the newest valid checkpoint in the checkpoint directory: weights, optimizer, position, history,
    /// normalisation and the stored options (a corrupt newest file is skipped with a <see cref="Warning"/>).
    /// Returns the file used, or null when the directory holds no checkpoint.
    /// </summary>
    /// <exception cref="InvalidOperationException">The trainer has no checkpoint directory.</exception>
    /// <exception cref="CheckpointCorruptException">Checkpoints exist but none is readable.</exception>
    public string? Resume()
    {
        if (checkpoints is null)
        {
            throw new InvalidOperationException("this trainer has no checkpoint directory to resume from");
        }

        var latest = checkpoints.LoadLatest(out var skipped);
        foreach (var problem in skipped)
        {
            Warning?.Invoke($"skipped an unreadable checkpoint: {problem}");
        }

        if (latest is not { } found)
        {
            return null;
        }

        LoadCheckpoint(found.Checkpoint, found.Path);
        return found.Path;
    }

    /// <summary>Loads a checkpoint file (as <see cref="Resume"/> does); for evaluating or continuing from a given file.</summary>
    public void LoadCheckpoint(string path)
    {
        LoadCheckpoint(CheckpointFile.Load(path), Path.GetFullPath(path));
    }

    /// <summary>Frees the optimizer's state (the model belongs to the caller).</summary>
    public void Dispose() => optimizer.Dispose();

    // Evaluation mode (BatchNorm running statistics, no dropout) and no autograd, then the mode the model had before.
    private T InEvaluationMode<T>(Func<T> run)
    {
        var wasTraining = Model.training;
        Model.eval();
        try
        {
            using var noGrad = no_grad();
            return run();
        }
        finally
        {
            Model.train(wasTraining);
        }
    }

    private void TrainStep(Batch batch, double rate, int epoch, Tensor lossSum, Tensor correct)
    {
        Optimizers.SetLearningRate(optimizer, rate);
        optimizer.zero_grad();
        var output = Model.call(batch.Inputs);
        var loss = Loss(output, batch.Labels);
        loss.backward();
        if (Options.GradientLogEvery > 0 && GradientFlow.ShouldRecord(position.Step))
        {
            GradientFlow.Record(Model, position.Step, epoch + 1);
        }

        if (Options.ClipGradientNorm is { } maxNorm)
        {
            nn.utils.clip_grad_norm_(Model.parameters(), maxNorm);
        }

        optimizer.step();
        using var noGrad = no_grad();
        lossSum.add_(loss.detach().to(float64) * batch.Size); // summed on the device: no synchronisation per step
        correct.add_(Correct(output, batch.Labels));
    }

    private Tensor Loss(Tensor output, Tensor labels) =>
        LossFunction?.Invoke(output, labels) ?? nn.functional.cross_entropy(output, labels, label_smoothing: Options.LabelSmoothing);

    private static Tensor Correct(Tensor output, Tensor labels) =>
        output.dim() == 2 && labels.dim() == 1
            ? output.argmax(1).eq(labels).sum().to(float64)
            : tensor(double.NaN, float64, output.device);

    private void ReportProgress(int batchesPerEpoch, long totalSteps, Tensor lossSum, Tensor correct, long seen, double epochSeconds,
        double rate, TimeSpan elapsed, long stepsThisCall)
    {
        if (Progress is null)
        {
            return;
        }

        TimeSpan? remaining = stepsThisCall > 0
            ? TimeSpan.FromSeconds(elapsed.TotalSeconds / stepsThisCall * (totalSteps - position.Step))
            : null;
        Progress(new TrainingProgress(position.Epoch + 1, Options.Epochs, position.Batch, batchesPerEpoch, position.Step, totalSteps,
            lossSum.item<double>() / seen, correct.item<double>() / seen, seen / Math.Max(epochSeconds, 1e-9), rate, elapsed, remaining));
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

    private bool UpdateEarlyStopping(double monitored)
    {
        if (monitored < position.BestMonitoredLoss - Options.EarlyStoppingMinDelta)
        {
            position = position with { BestMonitoredLoss = monitored, EpochsWithoutImprovement = 0 };
            return false;
        }

        position = position with { EpochsWithoutImprovement = position.EpochsWithoutImprovement + 1 };
        return Options.EarlyStoppingPatience is { } patience && position.EpochsWithoutImprovement >= patience;
    }

    private void CheckResumedDataMatches(DataLoader loader, TensorDataset train)
    {
        if (position.StepsPerEpoch == 0)
        {
            position = position with { StepsPerEpoch = loader.BatchCount, TrainCount = train.Count };
            return;
        }

        if (position.TrainCount != train.Count || position.StepsPerEpoch != loader.BatchCount)
        {
            throw new InvalidOperationException(
                $"the checkpoint was written for a training set of {position.TrainCount:N0} examples in {position.StepsPerEpoch} batches per epoch; " +
                $"this one has {train.Count:N0} examples in {loader.BatchCount} batches: resume with the same data and batch size");
        }
    }

    private CheckpointFile CreateCheckpoint(Tensor? rngState)
    {
        var state = position with
        {
            ModelName = ModelName,
            Options = Options,
            NormalizationMean = normalization?.Mean,
            NormalizationStd = normalization?.Std,
            History = history.ToList(),
            Gradients = GradientFlow.Samples.ToList(),
        };
        var sections = new Dictionary<string, byte[]>
        {
            ["state"] = JsonSerializer.SerializeToUtf8Bytes(state, Json),
            ["model"] = ModuleState.SaveModuleState(Model),
            ["optimizer"] = OptimizerState.Save(optimizer),
        };
        if (rngState is not null)
        {
            using (rngState)
            {
                sections["rng"] = rngState.data<byte>().ToArray();
            }
        }

        return new CheckpointFile(sections);
    }

    private void LoadCheckpoint(CheckpointFile file, string path)
    {
        TrainingState state;
        try
        {
            state = JsonSerializer.Deserialize<TrainingState>(file["state"], Json)
                ?? throw new JsonException("the state section is null");
        }
        catch (JsonException e)
        {
            throw new CheckpointCorruptException(path, $"its training state is unreadable ({e.Message})", e);
        }

        if (state.Format != TrainingState.CurrentFormat)
        {
            throw new CheckpointCorruptException(path, $"its training state has format {state.Format}, and this version reads format {TrainingState.CurrentFormat}");
        }

        if (!string.Equals(state.ModelName, ModelName, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"checkpoint {path} was written for model '{state.ModelName}', not '{ModelName}'");
        }

        foreach (var difference in TrainingState.Differences(state.Options, Options))
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
        normalization = state.NormalizationMean is { } mean && state.NormalizationStd is { } std ? new Normalization(mean, std) : null;
        history.Clear();
        history.AddRange(state.History);
        if (GradientFlow.Every != Math.Max(1, Options.GradientLogEvery))
        {
            GradientFlow = new GradientFlowRecorder(Math.Max(1, Options.GradientLogEvery)); // the checkpoint's interval wins, like its other options
        }

        GradientFlow.Restore(state.Gradients);
        pendingRngState = file.Sections.TryGetValue("rng", out var rng) ? rng : null;
        position = state with { History = new(), Gradients = new() };
    }
}
