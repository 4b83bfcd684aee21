using System;
using System.Text.Json;
using Dsl.Runtime.Reporting;

namespace Dsl.Runtime.Training;

/// <summary>
/// Stops the run when <see cref="Monitor"/> has not improved by more than <see cref="MinDelta"/> for
/// <see cref="Patience"/> epochs. A <c>validation_</c> metric of a run without validation data falls back to the
/// training one. Its best value and wait are saved in checkpoints, so a resumed run stops where the whole one would.
/// </summary>
public sealed class EarlyStoppingCallback : ITrainerCallback
{
    /// <summary>Stops after <paramref name="patience"/> epochs without improvement of <paramref name="monitor"/>.</summary>
    public EarlyStoppingCallback(int patience, string monitor = "validation_loss", MonitorMode mode = MonitorMode.Min, double minDelta = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(patience, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(minDelta);
        ArgumentException.ThrowIfNullOrEmpty(monitor);
        Patience = patience;
        Monitor = monitor;
        Mode = mode;
        MinDelta = minDelta;
        State = new EarlyStoppingState(Training.Monitor.Worst(mode), 0, 0);
    }

    /// <summary>The monitored value (see <see cref="EpochMetrics.Get"/>).</summary>
    public string Monitor { get; }

    /// <summary>Whether lower or higher is better.</summary>
    public MonitorMode Mode { get; }

    /// <summary>Epochs without improvement before the run stops.</summary>
    public int Patience { get; }

    /// <summary>How much the value must improve to count.</summary>
    public double MinDelta { get; }

    /// <summary>The best value so far, its epoch, and the epochs since.</summary>
    public EarlyStoppingState State { get; private set; }

    /// <inheritdoc />
    public string StateKey => "early-stopping";

    /// <inheritdoc />
    public void OnFitStart(Trainer trainer)
    {
        if (State.EpochsWithoutImprovement >= Patience)
        {
            trainer.RequestStop(StopReason.EarlyStopped); // resumed after it had already stopped early
        }
    }

    /// <inheritdoc />
    public void OnEpochEnd(Trainer trainer, EpochMetrics metrics)
    {
        double value = Training.Monitor.Read(metrics, Monitor, "early stopping");
        State = Training.Monitor.Improves(value, State.Best, Mode, MinDelta)
            ? new EarlyStoppingState(value, metrics.Epoch, 0)
            : State with { EpochsWithoutImprovement = State.EpochsWithoutImprovement + 1 };
        if (State.EpochsWithoutImprovement >= Patience)
        {
            trainer.RequestStop(StopReason.EarlyStopped);
        }
    }

    /// <inheritdoc />
    public object? SaveState() => State;

    /// <inheritdoc />
    public void LoadState(JsonElement state) =>
        State = state.Deserialize<EarlyStoppingState>(CallbackJson.Options) ?? throw new JsonException("the early-stopping state is null");
}

/// <summary>What <see cref="EarlyStoppingCallback"/> remembers.</summary>
/// <param name="Best">The best monitored value so far.</param>
/// <param name="BestEpoch">The epoch (from 1) that reached it; 0 before the first epoch.</param>
/// <param name="EpochsWithoutImprovement">Epochs since then.</param>
public sealed record EarlyStoppingState(double Best, int BestEpoch, int EpochsWithoutImprovement);
