using System;

namespace Dsl.Runtime.Training;

/// <summary>
/// Raises <see cref="Progress"/> every <see cref="TrainerOptions.ProgressEvery"/> steps and after each epoch's last
/// batch. Reading the running loss synchronises a GPU, which is why it is not done every step. No state to save.
/// The trainer has one built in (<see cref="Trainer.Progress"/> subscribes to it).
/// </summary>
public sealed class ProgressCallback : ITrainerCallback
{
    /// <summary>The progress reports.</summary>
    public event Action<TrainingProgress>? Progress;

    /// <inheritdoc />
    public void OnBatchEnd(Trainer trainer, BatchResult batch)
    {
        if (Progress is not null && (trainer.Step % trainer.Options.ProgressEvery == 0 || batch.IsLast))
        {
            Progress(trainer.CurrentProgress(batch.LearningRate));
        }
    }
}
