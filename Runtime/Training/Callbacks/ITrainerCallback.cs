using System.Text.Json;
using Dsl.Runtime.Reporting;
using static TorchSharp.torch;

namespace Dsl.Runtime.Training;

/// <summary>
/// Hooks into <see cref="Trainer.Fit"/>; every hook has an empty default, so a callback implements only what it needs.
/// Add one to <see cref="Trainer.Callbacks"/>. Hooks run in list order, except that checkpoint writers
/// (<see cref="CheckpointCallback"/>) see the end of an epoch last, so the checkpoint holds every other callback's state.
/// </summary>
/// <remarks>
/// A callback with resumable state returns it from <see cref="SaveState"/> (anything System.Text.Json can write); the
/// checkpoint stores it under <see cref="StateKey"/>, and <see cref="Trainer.Resume()"/> hands it back to
/// <see cref="LoadState"/> of the callback with that key.
/// </remarks>
public interface ITrainerCallback
{
    /// <summary>Before the first step of a <see cref="Trainer.Fit"/> call (also when it resumes).</summary>
    void OnFitStart(Trainer trainer)
    {
    }

    /// <summary>Before the first batch of epoch <paramref name="epoch"/> (0-based); a resumed epoch starts again here.</summary>
    void OnEpochStart(Trainer trainer, int epoch)
    {
    }

    /// <summary>After backward, before gradient clipping and the optimizer step: the gradients are there to read.</summary>
    void OnBeforeOptimizerStep(Trainer trainer)
    {
    }

    /// <summary>After the optimizer step.</summary>
    void OnAfterOptimizerStep(Trainer trainer)
    {
    }

    /// <summary>After each batch; <see cref="Trainer.Step"/> already counts it. The batch's tensors live only during the call.</summary>
    void OnBatchEnd(Trainer trainer, BatchResult batch)
    {
    }

    /// <summary>After each epoch, validated, with its metrics (also in <see cref="Trainer.History"/>).</summary>
    void OnEpochEnd(Trainer trainer, EpochMetrics metrics)
    {
    }

    /// <summary>When a cancelled run stops mid-epoch, before <see cref="OnFitEnd"/> (the checkpoint callback writes last.ckpt here).</summary>
    void OnInterrupted(Trainer trainer)
    {
    }

    /// <summary>When <see cref="Trainer.Fit"/> returns, with what it returns.</summary>
    void OnFitEnd(Trainer trainer, TrainingResult result)
    {
    }

    /// <summary>The name of this callback's state in a checkpoint; two callbacks with state need different keys.</summary>
    string StateKey => GetType().FullName ?? GetType().Name;

    /// <summary>The state to store in a checkpoint, or null for none.</summary>
    object? SaveState() => null;

    /// <summary>Restores what <see cref="SaveState"/> returned (as JSON), when a run resumes.</summary>
    void LoadState(JsonElement state)
    {
    }
}

/// <summary>One trained batch, as <see cref="ITrainerCallback.OnBatchEnd"/> sees it.</summary>
/// <param name="Epoch">The epoch, 0-based.</param>
/// <param name="Batch">The batch's index in its epoch, 0-based.</param>
/// <param name="BatchesPerEpoch">Batches per epoch.</param>
/// <param name="Size">Examples in the batch.</param>
/// <param name="LearningRate">The rate of this step.</param>
/// <param name="Output">The model's output (valid only during the call).</param>
/// <param name="Target">The batch's labels or targets (valid only during the call).</param>
/// <param name="Loss">The batch's loss, a scalar on the device (reading it synchronises a GPU).</param>
public sealed record BatchResult(int Epoch, int Batch, int BatchesPerEpoch, long Size, double LearningRate, Tensor Output, Tensor Target, Tensor Loss)
{
    /// <summary>Whether this was the epoch's last batch.</summary>
    public bool IsLast => Batch == BatchesPerEpoch - 1;
}
