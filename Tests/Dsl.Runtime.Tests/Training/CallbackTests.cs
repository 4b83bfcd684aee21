using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Threading;
using Dsl.Runtime.Checkpoints;
using Dsl.Runtime.Reporting;
using Dsl.Runtime.Training;
using Xunit;
using static TorchSharp.torch;

namespace Dsl.Runtime.Tests.Training;

/// <summary>Callbacks as a user writes them: every hook is called, and their state survives kill-and-resume exactly.</summary>
[Collection("training")]
public class CallbackTests(TrainingFixture data) : IClassFixture<TrainingFixture>
{
    [Fact]
    public void A_user_callback_sees_every_epoch_and_every_hook_in_order()
    {
        using var model = TrainingFixture.Model(21);
        using var trainer = new Trainer(model, TrainingFixture.Quick with { Epochs = 3 }, CPU);
        var recorder = new Recorder();
        trainer.Callbacks.Add(recorder);

        var result = trainer.Fit(data.Train, data.Test);

        Assert.Equal(new[] { 1, 2, 3 }, recorder.Epochs.Select(m => m.Epoch));
        Assert.All(recorder.Epochs, m => Assert.NotNull(m.ValidationLoss));
        Assert.Equal(24, recorder.Batches);
        Assert.Equal(24, recorder.BeforeSteps);
        Assert.Equal(24, recorder.AfterSteps);
        Assert.Equal(new[] { "fit start", "epoch 0", "epoch 1", "epoch 2", "fit end Completed" }, recorder.Events);
        Assert.Same(result, recorder.Result);
    }

    [Theory]
    [InlineData(5)]  // mid-epoch
    [InlineData(8)]  // at an epoch's end
    public void Callbacks_state_survives_kill_and_resume_exactly(int stopAfterStep)
    {
        var options = TrainingFixture.Quick with { Epochs = 3, EarlyStoppingPatience = 5 };
        Counter expected;
        EarlyStoppingState expectedStopping;
        List<LearningRateSample> expectedRates;
        using (var model = TrainingFixture.Model(22))
        using (var trainer = new Trainer(model, options, CPU))
        {
            expected = new Counter();
            var rates = new LearningRateMonitor(2);
            trainer.Callbacks.Add(expected);
            trainer.Callbacks.Add(rates);
            trainer.Fit(data.Train, data.Test);
            expectedStopping = trainer.Callbacks.OfType<EarlyStoppingCallback>().Single().State;
            expectedRates = rates.Samples.ToList();
        }

        using var temp = new TempDirectory();
        using (var model = TrainingFixture.Model(22))
        using (var trainer = new Trainer(model, options, CPU, temp.Path))
        using (var stop = new CancellationTokenSource())
        {
            trainer.Callbacks.Add(new Counter());
            trainer.Callbacks.Add(new LearningRateMonitor(2));
            trainer.Progress += p =>
            {
                if (p.Step == stopAfterStep)
                {
                    stop.Cancel();
                }
            };
            Assert.Equal(StopReason.Interrupted, trainer.Fit(data.Train, data.Test, stop.Token).Reason);
        }

        using (var model = TrainingFixture.Model(999))
        using (var trainer = new Trainer(model, options, CPU, temp.Path))
        {
            var counter = new Counter();
            var rates = new LearningRateMonitor(2);
            trainer.Callbacks.Add(counter);
            trainer.Callbacks.Add(rates);
            trainer.Resume();
            Assert.Equal(stopAfterStep, counter.State.Batches); // restored before the run goes on
            trainer.Fit(data.Train, data.Test);

            Assert.Equal(expected.State, counter.State);
            Assert.Equal(expectedStopping, trainer.Callbacks.OfType<EarlyStoppingCallback>().Single().State);
            Assert.Equal(expectedRates, rates.Samples);
        }
    }

    [Fact]
    public void The_checkpoint_callback_keeps_the_best_epoch_by_its_monitor_and_writes_every_k_epochs()
    {
        using var temp = new TempDirectory();
        using var model = TrainingFixture.Model(23);
        using var trainer = new Trainer(model, TrainingFixture.Quick with { Epochs = 3 }, CPU);
        var checkpoints = new CheckpointCallback(temp.Path, every: 2, keep: 1, monitor: "validation_accuracy", mode: MonitorMode.Max);
        trainer.Callbacks.Add(checkpoints);

        var result = trainer.Fit(data.Train, data.Test);

        var best = result.History.MaxBy(h => h.ValidationAccuracy)!; // the first of equals, as "improves" is strict
        Assert.Equal(best.Epoch, checkpoints.State.BestEpoch);
        Assert.True(File.Exists(checkpoints.BestPath));
        Assert.Equal(new[] { "best.ckpt", "epoch-0003.ckpt", "last.ckpt" }, Directory.GetFiles(temp.Path).Select(Path.GetFileName).Order());
    }

    [Fact]
    public void Early_stopping_can_watch_any_metric_in_either_direction()
    {
        using var model = TrainingFixture.Model(24);
        using var trainer = new Trainer(model, TrainingFixture.Quick with { Epochs = 6 }, CPU);
        trainer.Callbacks.Add(new EarlyStoppingCallback(patience: 1, monitor: "validation_accuracy", mode: MonitorMode.Max, minDelta: 1));

        var result = trainer.Fit(data.Train, data.Test);

        Assert.Equal(StopReason.EarlyStopped, result.Reason);
        Assert.Equal(2, result.History.Count);   // nothing can improve accuracy by a whole 1.0
    }

    [Fact]
    public void A_monitor_the_run_does_not_measure_is_an_error_that_lists_what_it_does()
    {
        using var model = TrainingFixture.Model(25);
        using var trainer = new Trainer(model, TrainingFixture.Quick with { Epochs = 1 }, CPU);
        trainer.Callbacks.Add(new EarlyStoppingCallback(2, monitor: "validation_psnr"));

        var error = Assert.Throws<InvalidOperationException>(() => trainer.Fit(data.Train, data.Test));
        Assert.Contains("validation_accuracy", error.Message);
    }

    [Fact]
    public void A_checkpoint_of_the_format_before_callbacks_is_refused_with_a_message_that_says_so()
    {
        using var temp = new TempDirectory();
        var state = JsonSerializer.SerializeToUtf8Bytes(new { Format = 1, ModelName = "model" });
        new CheckpointFile(new Dictionary<string, byte[]> { ["state"] = state, ["model"] = Array.Empty<byte>(), ["optimizer"] = Array.Empty<byte>() })
            .Save(Path.Combine(temp.Path, "last.ckpt"));
        using var model = TrainingFixture.Model(26);
        using var trainer = new Trainer(model, TrainingFixture.Quick, CPU, temp.Path);

        var error = Assert.Throws<CheckpointCorruptException>(() => trainer.Resume());
        Assert.Contains("format 1", error.Message);
        Assert.Contains("before the trainer's callbacks", error.Message);
    }

    [Fact]
    public void Extending_a_finished_run_trains_the_added_epochs_with_a_fresh_schedule()
    {
        using var temp = new TempDirectory();
        using (var model = TrainingFixture.Model(27))
        using (var trainer = new Trainer(model, TrainingFixture.Quick with { Epochs = 1 }, CPU, temp.Path))
        {
            Assert.Equal(StopReason.Completed, trainer.Fit(data.Train).Reason);
        }

        using (var model = TrainingFixture.Model(28))
        using (var trainer = new Trainer(model, TrainingFixture.Quick with { Epochs = 1 }, CPU, temp.Path))
        {
            var rates = new LearningRateMonitor();
            trainer.Callbacks.Add(rates);
            trainer.Resume();
            trainer.ExtendTo(3);
            var result = trainer.Fit(data.Train);

            Assert.Equal(StopReason.Completed, result.Reason);
            Assert.Equal(new[] { 1, 2, 3 }, result.History.Select(h => h.Epoch));
            Assert.Equal(24, result.Steps);
            var schedule = new LearningRateSchedule(ScheduleKind.OneCycle, TrainingFixture.Quick.LearningRate, 16, 8);
            Assert.Equal(schedule.At(0), rates.Samples.Single(s => s.Step == 8).LearningRate, 12); // warm restart at the old end
            Assert.Throws<ArgumentException>(() => trainer.ExtendTo(2));
        }
    }

    private sealed class Recorder : ITrainerCallback
    {
        public List<EpochMetrics> Epochs { get; } = new();

        public List<string> Events { get; } = new();

        public int Batches { get; private set; }

        public int BeforeSteps { get; private set; }

        public int AfterSteps { get; private set; }

        public TrainingResult? Result { get; private set; }

        public void OnFitStart(Trainer trainer) => Events.Add("fit start");

        public void OnEpochStart(Trainer trainer, int epoch) => Events.Add($"epoch {epoch}");

        public void OnBeforeOptimizerStep(Trainer trainer) => BeforeSteps++;

        public void OnAfterOptimizerStep(Trainer trainer) => AfterSteps++;

        public void OnBatchEnd(Trainer trainer, BatchResult batch) => Batches++;

        public void OnEpochEnd(Trainer trainer, EpochMetrics metrics) => Epochs.Add(metrics);

        public void OnFitEnd(Trainer trainer, TrainingResult result)
        {
            Events.Add($"fit end {result.Reason}");
            Result = result;
        }
    }

    /// <summary>A user's callback with state: batches seen, the sum of their losses, the epochs ended.</summary>
    private sealed class Counter : ITrainerCallback
    {
        public CounterState State { get; private set; } = new(0, 0, 0);

        public string StateKey => "counter";

        public void OnBatchEnd(Trainer trainer, BatchResult batch) =>
            State = State with { Batches = State.Batches + 1, LossSum = State.LossSum + batch.Loss.item<float>() };

        public void OnEpochEnd(Trainer trainer, EpochMetrics metrics) => State = State with { Epochs = State.Epochs + 1 };

        public object? SaveState() => State;

        public void LoadState(JsonElement state) => State = state.Deserialize<CounterState>()!;
    }

    private sealed record CounterState(int Batches, double LossSum, int Epochs);
}
