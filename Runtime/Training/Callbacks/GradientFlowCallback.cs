using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using Dsl.Runtime.Reporting;

namespace Dsl.Runtime.Training;

/// <summary>
/// Records per-layer gradient norms every <see cref="TrainerOptions.GradientLogEvery"/> steps, after backward and
/// before clipping (<see cref="GradientFlowRecorder"/>). The samples are its checkpoint state. Built into every trainer
/// (<see cref="Trainer.GradientFlow"/>); a resumed run records at the checkpoint's interval, like its other options.
/// </summary>
public sealed class GradientFlowCallback : ITrainerCallback
{
    /// <summary>A recorder at <paramref name="every"/> steps (0: records nothing).</summary>
    public GradientFlowCallback(int every) => Recorder = new GradientFlowRecorder(Math.Max(1, every));

    /// <summary>The samples so far.</summary>
    public GradientFlowRecorder Recorder { get; private set; }

    /// <inheritdoc />
    public string StateKey => "gradient-flow";

    /// <inheritdoc />
    public void OnFitStart(Trainer trainer)
    {
        int every = Math.Max(1, trainer.Options.GradientLogEvery);
        if (Recorder.Every != every)
        {
            var samples = Recorder.Samples.ToList();
            Recorder = new GradientFlowRecorder(every);
            Recorder.Restore(samples);
        }
    }

    /// <inheritdoc />
    public void OnBeforeOptimizerStep(Trainer trainer)
    {
        if (trainer.Options.GradientLogEvery > 0 && Recorder.ShouldRecord(trainer.Step))
        {
            Recorder.Record(trainer.Model, trainer.Step, trainer.Epoch + 1);
        }
    }

    /// <inheritdoc />
    public object? SaveState() => Recorder.Samples;

    /// <inheritdoc />
    public void LoadState(JsonElement state) =>
        Recorder.Restore(state.Deserialize<List<GradientNormSample>>(CallbackJson.Options) ?? new List<GradientNormSample>());
}
