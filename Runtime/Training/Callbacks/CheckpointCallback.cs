using System;
using System.Diagnostics;
using System.IO;
using System.Text.Json;
using Dsl.Runtime.Checkpoints;
using Dsl.Runtime.Reporting;

namespace Dsl.Runtime.Training;

/// <summary>
/// Writes a checkpoint every <see cref="Every"/> epochs (and after the last one) as <c>epoch-NNNN.ckpt</c> and
/// <c>last.ckpt</c>, keeping the newest <see cref="Keep"/> epoch files; <c>last.ckpt</c> of the exact position when a
/// run is interrupted mid-epoch, and inside an epoch every <see cref="EverySteps"/> steps and after
/// <see cref="EverySeconds"/> of training without a checkpoint, so that a killed run loses at most that much; and, with
/// a <see cref="Monitor"/>, <c>best.ckpt</c> whenever the monitored value improves.
/// It runs after every other callback at the end of an epoch, so its checkpoints hold their state too.
/// </summary>
public sealed class CheckpointCallback : ITrainerCallback
{
    /// <summary>The file name of the best checkpoint.</summary>
    public const string BestFileName = "best.ckpt";

    /// <summary>Checkpoints into <paramref name="directory"/>.</summary>
    /// <param name="directory">Where the files go.</param>
    /// <param name="every">Epochs between two checkpoints.</param>
    /// <param name="keep">Epoch files kept (older ones are deleted).</param>
    /// <param name="monitor">Keep <c>best.ckpt</c> by this value (see <see cref="EpochMetrics.Get"/>); null: no best file.</param>
    /// <param name="mode">Whether lower or higher is better.</param>
    /// <param name="everySteps">Inside an epoch, <c>last.ckpt</c> every this many steps; 0: not by steps.</param>
    /// <param name="everySeconds">Inside an epoch, <c>last.ckpt</c> once this many seconds passed since the last checkpoint; 0: not by time.</param>
    public CheckpointCallback(string directory, int every = 1, int keep = 3, string? monitor = null, MonitorMode mode = MonitorMode.Min,
        int everySteps = 0, double everySeconds = DefaultSeconds)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(every, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(everySteps);
        if (!(everySeconds >= 0) || double.IsInfinity(everySeconds))
        {
            throw new ArgumentOutOfRangeException(nameof(everySeconds), everySeconds, "give a finite number of seconds, 0 or more");
        }

        Files = new CheckpointDirectory(directory, keep);
        Every = every;
        EverySteps = everySteps;
        EverySeconds = everySeconds;
        Monitor = monitor;
        Mode = mode;
        State = new CheckpointState(Training.Monitor.Worst(mode), 0);
    }

    /// <summary>The folder and its rotation.</summary>
    public CheckpointDirectory Files { get; }

    /// <summary>The default of <see cref="EverySeconds"/>: five minutes.</summary>
    public const double DefaultSeconds = 300;

    /// <summary>Epochs between checkpoints.</summary>
    public int Every { get; }

    /// <summary>Steps between two checkpoints inside an epoch (0: not by steps).</summary>
    public int EverySteps { get; }

    /// <summary>Seconds of training after which a checkpoint is written inside an epoch (0: not by time).</summary>
    public double EverySeconds { get; }

    private Stopwatch sinceLast = Stopwatch.StartNew();

    /// <summary>Epoch files kept.</summary>
    public int Keep => Files.Keep;

    /// <summary>What <c>best.ckpt</c> is chosen by, or null.</summary>
    public string? Monitor { get; }

    /// <summary>Whether lower or higher is better.</summary>
    public MonitorMode Mode { get; }

    /// <summary>The path of <c>best.ckpt</c>.</summary>
    public string BestPath => Path.Combine(Files.Directory, BestFileName);

    /// <summary>The best monitored value and its epoch (0: none yet).</summary>
    public CheckpointState State { get; private set; }

    /// <inheritdoc />
    public string StateKey => "checkpoint";

    /// <inheritdoc />
    public void OnFitStart(Trainer trainer) => sinceLast = Stopwatch.StartNew();

    /// <inheritdoc />
    public void OnBatchEnd(Trainer trainer, BatchResult batch)
    {
        // The epoch's last step is the epoch's checkpoint (OnEpochEnd).
        if (batch.IsLast)
        {
            return;
        }

        bool bySteps = EverySteps > 0 && trainer.Step % EverySteps == 0;
        bool byTime = EverySeconds > 0 && sinceLast.Elapsed.TotalSeconds >= EverySeconds;
        if (bySteps || byTime)
        {
            trainer.LastCheckpoint = Files.SaveLast(trainer.CreateCheckpoint(includeRng: true, midEpoch: true));
            sinceLast.Restart();
        }
    }

    /// <inheritdoc />
    public void OnEpochEnd(Trainer trainer, EpochMetrics metrics)
    {
        bool best = false;
        if (Monitor is not null)
        {
            double value = Training.Monitor.Read(metrics, Monitor, "the best checkpoint");
            if (Training.Monitor.Improves(value, State.Best, Mode, 0))
            {
                State = new CheckpointState(value, metrics.Epoch);
                best = true;
            }
        }

        bool due = metrics.Epoch % Every == 0 || metrics.Epoch >= trainer.Options.Epochs || trainer.StopRequested is not null;
        if (!due && !best)
        {
            return;
        }

        CheckpointFile checkpoint = trainer.CreateCheckpoint(includeRng: false);
        if (due)
        {
            trainer.LastCheckpoint = Files.SaveEpoch(metrics.Epoch, checkpoint);
            sinceLast.Restart();
        }

        if (best)
        {
            checkpoint.Save(BestPath);
        }
    }

    /// <inheritdoc />
    public void OnInterrupted(Trainer trainer) =>
        trainer.LastCheckpoint = Files.SaveLast(trainer.CreateCheckpoint(includeRng: true));

    /// <inheritdoc />
    public object? SaveState() => State;

    /// <inheritdoc />
    public void LoadState(JsonElement state) =>
        State = state.Deserialize<CheckpointState>(CallbackJson.Options) ?? throw new JsonException("the checkpoint state is null");
}

/// <summary>What <see cref="CheckpointCallback"/> remembers.</summary>
/// <param name="Best">The best monitored value so far.</param>
/// <param name="BestEpoch">Its epoch (from 1); 0 when none.</param>
public sealed record CheckpointState(double Best, int BestEpoch);
