using System;
using System.Collections.Generic;
using System.Text.Json;

namespace Dsl.Runtime.Training;

/// <summary>Records the learning rate every <see cref="Every"/> steps; the samples are its checkpoint state.</summary>
public sealed class LearningRateMonitor : ITrainerCallback
{
    private readonly List<LearningRateSample> samples = new();

    /// <summary>Records one step in <paramref name="every"/>.</summary>
    public LearningRateMonitor(int every = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(every, 1);
        Every = every;
    }

    /// <summary>Steps between samples.</summary>
    public int Every { get; }

    /// <summary>(step, rate) pairs, in step order.</summary>
    public IReadOnlyList<LearningRateSample> Samples => samples;

    /// <inheritdoc />
    public string StateKey => "learning-rate";

    /// <inheritdoc />
    public void OnBatchEnd(Trainer trainer, BatchResult batch)
    {
        long step = trainer.Step - 1; // the step just taken
        if (step % Every == 0)
        {
            samples.RemoveAll(s => s.Step >= step); // a run resumed from an earlier checkpoint rewrites its future
            samples.Add(new LearningRateSample(step, batch.LearningRate));
        }
    }

    /// <inheritdoc />
    public object? SaveState() => samples;

    /// <inheritdoc />
    public void LoadState(JsonElement state)
    {
        samples.Clear();
        samples.AddRange(state.Deserialize<List<LearningRateSample>>(CallbackJson.Options) ?? new List<LearningRateSample>());
    }
}

/// <summary>The learning rate of one optimizer step.</summary>
public sealed record LearningRateSample(long Step, double LearningRate);
