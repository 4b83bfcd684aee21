using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using Dsl.Runtime.Checkpoints;
using Dsl.Runtime.Training;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Dsl.Runtime.Tests.Training;

[Collection("training")] // torch's global generator is process-wide: trainer tests must not interleave
public class TrainerTests(TrainingFixture data) : IClassFixture<TrainingFixture>
{
    [Fact]
    public void The_loss_falls_over_a_few_dozen_steps_on_the_embedded_data()
    {
        using var model = TrainingFixture.Model(1);
        using var trainer = new Trainer(model, TrainingFixture.Quick with
        {
            Epochs = 5,
            Optimizer = OptimizerKind.Adam,
            LearningRate = 0.01,
            Schedule = ScheduleKind.Constant,
        }, CPU);
        var losses = new List<double>();
        trainer.Progress += p => losses.Add(p.Loss);

        var before = trainer.Evaluate(data.Train);
        var result = trainer.Fit(data.Train, data.Test);
        var after = trainer.Evaluate(data.Train);

        Assert.Equal(StopReason.Completed, result.Reason);
        Assert.Equal(40, result.Steps);
        Assert.InRange(before.Loss, 2.0, 2.6);                      // about ln 10 for an untrained 10-class network
        Assert.True(after.Loss < 0.75 * before.Loss, $"loss {before.Loss:F3} -> {after.Loss:F3}");
        Assert.True(result.History[^1].TrainLoss < result.History[0].TrainLoss);
        Assert.True(after.Accuracy > 0.25, $"accuracy {after.Accuracy:P1}");    // chance is 10 %
        Assert.Equal(5, result.History.Count);
        Assert.All(result.History, h => Assert.NotNull(h.ValidationAccuracy));
    }

    [Fact]
    public void The_same_seed_gives_the_same_loss_sequence_and_weights_and_another_seed_does_not()
    {
        var (lossesA, weightsA) = Run(seed: 11);
        var (lossesB, weightsB) = Run(seed: 11);
        var (lossesC, _) = Run(seed: 12);

        Assert.Equal(lossesA, lossesB);
        Assert.Equal(weightsA, weightsB);
        Assert.NotEqual(lossesA, lossesC);

        (double[] Losses, float[] Weights) Run(long seed)
        {
            using var model = TrainingFixture.Model(seed);
            using var trainer = new Trainer(model, TrainingFixture.Quick with { Seed = seed }, CPU);
            var losses = new List<double>();
            trainer.Progress += p => losses.Add(p.Loss);
            trainer.Fit(data.Train, data.Test);
            return (losses.ToArray(), TrainingFixture.Weights(model));
        }
    }

    [Theory]
    [InlineData(5)]   // mid-epoch: the position, sums and the generator's state come from the checkpoint
    [InlineData(8)]   // at the end of the first epoch
    [InlineData(11)]
    public void Kill_and_resume_gives_the_same_weights_as_an_uninterrupted_run(int stopAfterStep)
    {
        var options = TrainingFixture.Quick with { Epochs = 3, Optimizer = OptimizerKind.Adam, LearningRate = 0.01 };
        float[] expected;
        IReadOnlyList<double> expectedTestLosses;
        using (var model = TrainingFixture.Model(3))
        using (var trainer = new Trainer(model, options, CPU))
        {
            var result = trainer.Fit(data.Train, data.Test);
            expected = TrainingFixture.Weights(model);
            expectedTestLosses = result.History.Select(h => h.ValidationLoss!.Value).ToList();
        }

        using var temp = new TempDirectory();
        var directory = temp.Path;
        using (var model = TrainingFixture.Model(3))
        using (var trainer = new Trainer(model, options, CPU, directory))
        using (var stop = new CancellationTokenSource())
        {
            trainer.Progress += p =>
            {
                if (p.Step == stopAfterStep)
                {
                    stop.Cancel();
                }
            };
            var interrupted = trainer.Fit(data.Train, data.Test, stop.Token);
            Assert.Equal(StopReason.Interrupted, interrupted.Reason);
            Assert.Equal(stopAfterStep, interrupted.Steps);
        }

        // A new process would build the model from scratch: other initial weights, all replaced by the checkpoint.
        using (var model = TrainingFixture.Model(999))
        using (var trainer = new Trainer(model, options, CPU, directory))
        {
            Assert.NotNull(trainer.Resume());
            Assert.Equal(stopAfterStep, trainer.Step);
            var resumed = trainer.Fit(data.Train, data.Test);

            Assert.Equal(StopReason.Completed, resumed.Reason);
            Assert.Equal(24, resumed.Steps);
            Assert.Equal(expected, TrainingFixture.Weights(model));
            Assert.Equal(expectedTestLosses, resumed.History.Select(h => h.ValidationLoss!.Value).ToList());
        }
    }

    /// <summary>Throws at one step, as a crash would: no interruption hook, no checkpoint of its own.</summary>
    private sealed class CrashAt(long step) : ITrainerCallback
    {
        public void OnBatchEnd(Trainer trainer, BatchResult batch)
        {
            if (trainer.Step == step)
            {
                throw new InvalidOperationException("simulated crash");
            }
        }
    }

    [Theory]
    [InlineData(7, 6)]    // mid-epoch: the step checkpoint of step 6 holds the exact position and the generator's state
    [InlineData(11, 9)]   // in the second epoch: step 9's checkpoint, newer than the first epoch's file
    [InlineData(13, 12)]
    public void A_crash_loses_only_the_steps_since_the_last_step_checkpoint_and_the_resumed_run_is_exact(int crashAtStep, int resumedStep)
    {
        var options = TrainingFixture.Quick with { Epochs = 3, Optimizer = OptimizerKind.Adam, LearningRate = 0.01 };
        float[] expected;
        IReadOnlyList<double> expectedTestLosses;
        using (var model = TrainingFixture.Model(3))
        using (var trainer = new Trainer(model, options, CPU))
        {
            var result = trainer.Fit(data.Train, data.Test);
            expected = TrainingFixture.Weights(model);
            expectedTestLosses = result.History.Select(h => h.ValidationLoss!.Value).ToList();
        }

        using var temp = new TempDirectory();
        using (var model = TrainingFixture.Model(3))
        using (var trainer = new Trainer(model, options, CPU))
        {
            trainer.Callbacks.Add(new CheckpointCallback(temp.Path, everySteps: 3, everySeconds: 0));
            trainer.Callbacks.Add(new CrashAt(crashAtStep));
            var crash = Assert.Throws<InvalidOperationException>(() => trainer.Fit(data.Train, data.Test));
            Assert.Equal("simulated crash", crash.Message);
        }

        using (var model = TrainingFixture.Model(999))
        using (var trainer = new Trainer(model, options, CPU))
        {
            trainer.Callbacks.Add(new CheckpointCallback(temp.Path, everySteps: 3, everySeconds: 0));
            Assert.NotNull(trainer.Resume());
            Assert.Equal(resumedStep, trainer.Step);
            var resumed = trainer.Fit(data.Train, data.Test);

            Assert.Equal(StopReason.Completed, resumed.Reason);
            Assert.Equal(24, resumed.Steps);
            Assert.Equal(expected, TrainingFixture.Weights(model));
            Assert.Equal(expectedTestLosses, resumed.History.Select(h => h.ValidationLoss!.Value).ToList());
        }
    }

    [Fact]
    public void A_time_based_checkpoint_is_written_inside_an_epoch_when_its_interval_has_passed()
    {
        var options = TrainingFixture.Quick with { Epochs = 1 };
        using var temp = new TempDirectory();
        using var model = TrainingFixture.Model(3);
        using var trainer = new Trainer(model, options, CPU);
        var checkpoints = new CheckpointCallback(temp.Path, everySeconds: 1e-9);
        trainer.Callbacks.Add(checkpoints);
        trainer.Callbacks.Add(new CrashAt(2));

        Assert.Throws<InvalidOperationException>(() => trainer.Fit(data.Train));

        using var resumedModel = TrainingFixture.Model(4);
        using var resumed = new Trainer(resumedModel, options, CPU);
        resumed.Callbacks.Add(new CheckpointCallback(temp.Path));
        Assert.EndsWith("last.ckpt", resumed.Resume());
        Assert.Equal(1, resumed.Step);
    }

    [Fact]
    public void A_truncated_newest_checkpoint_is_skipped_with_a_warning_and_the_previous_one_is_used()
    {
        using var temp = new TempDirectory();
        var directory = temp.Path;
        using (var model = TrainingFixture.Model(4))
        using (var trainer = new Trainer(model, TrainingFixture.Quick, CPU, directory))
        {
            trainer.Fit(data.Train);
        }

        // last.ckpt and epoch-0002.ckpt hold epoch 2; cut both short so only epoch 1 is readable.
        foreach (var name in new[] { "last.ckpt", "epoch-0002.ckpt" })
        {
            var path = Path.Combine(directory, name);
            var bytes = File.ReadAllBytes(path);
            File.WriteAllBytes(path, bytes.Take(bytes.Length / 2).ToArray());
        }

        using (var model = TrainingFixture.Model(5))
        using (var trainer = new Trainer(model, TrainingFixture.Quick, CPU, directory))
        {
            var warnings = new List<string>();
            trainer.Warning += warnings.Add;

            var used = trainer.Resume();

            Assert.Equal(Path.Combine(directory, "epoch-0001.ckpt"), used);
            Assert.Equal(8, trainer.Step);
            Assert.Single(trainer.History);
            Assert.Equal(2, warnings.Count(w => w.Contains("skipped an unreadable checkpoint")));
            Assert.Contains(warnings, w => w.Contains(Path.Combine(directory, "last.ckpt")));
            Assert.Equal(StopReason.Completed, trainer.Fit(data.Train).Reason);
            Assert.Equal(16, trainer.Step);
        }
    }

    [Fact]
    public void Resume_warns_about_every_changed_option_but_those_the_caller_sets_again()
    {
        using var temp = new TempDirectory();
        var directory = temp.Path;
        using (var model = TrainingFixture.Model(4))
        using (var trainer = new Trainer(model, TrainingFixture.Quick with { Epochs = 1 }, CPU, directory))
        {
            trainer.Fit(data.Train);
        }

        var changed = TrainingFixture.Quick with { Epochs = 2, LearningRate = TrainingFixture.Quick.LearningRate / 2, Momentum = 0.5 };
        using (var model = TrainingFixture.Model(5))
        using (var trainer = new Trainer(model, changed, CPU, directory))
        {
            var warnings = new List<string>();
            trainer.Warning += warnings.Add;
            Assert.Throws<ArgumentException>(() => trainer.Resume(new[] { "LearnRate" }));

            Assert.NotNull(trainer.Resume(new[] { nameof(TrainerOptions.LearningRate), nameof(TrainerOptions.Epochs) }));

            // The caller overrides the rate and the length itself; the momentum stays the checkpoint's, and says so.
            Assert.Equal(new[] { "resuming with the checkpoint's options: Momentum: the checkpoint has 0.9, the command asked for 0.5" }, warnings);
            Assert.Equal(TrainingFixture.Quick.LearningRate, trainer.Options.LearningRate);
            Assert.Equal(1, trainer.Options.Epochs);
        }

        using (var model = TrainingFixture.Model(5))
        using (var trainer = new Trainer(model, changed, CPU, directory))
        {
            var warnings = new List<string>();
            trainer.Warning += warnings.Add;
            Assert.NotNull(trainer.Resume());
            Assert.Equal(3, warnings.Count(w => w.StartsWith("resuming with the checkpoint's options: ", StringComparison.Ordinal)));
        }
    }

    [Fact]
    public void When_every_checkpoint_is_corrupt_resume_fails_with_an_error_naming_a_file()
    {
        using var temp = new TempDirectory();
        var directory = temp.Path;
        using (var model = TrainingFixture.Model(4))
        using (var trainer = new Trainer(model, TrainingFixture.Quick with { Epochs = 1 }, CPU, directory))
        {
            trainer.Fit(data.Train);
        }

        foreach (var path in Directory.GetFiles(directory, "*.ckpt"))
        {
            File.WriteAllBytes(path, new byte[] { 1, 2, 3 });
        }

        using var fresh = TrainingFixture.Model(5);
        using var resumed = new Trainer(fresh, TrainingFixture.Quick with { Epochs = 1 }, CPU, directory);
        var error = Assert.Throws<CheckpointCorruptException>(() => resumed.Resume());
        Assert.Contains(directory, error.Message);
    }

    [Fact]
    public void A_checkpoint_of_another_model_is_refused_with_both_names()
    {
        using var temp = new TempDirectory();
        var directory = temp.Path;
        using (var model = TrainingFixture.Model(4))
        using (var trainer = new Trainer(model, TrainingFixture.Quick with { Epochs = 1 }, CPU, directory, modelName: "TinyResNet"))
        {
            trainer.Fit(data.Train);
        }

        using var other = TrainingFixture.Model(4);
        using var resumed = new Trainer(other, TrainingFixture.Quick with { Epochs = 1 }, CPU, directory, modelName: "ResNet20");
        var error = Assert.Throws<InvalidOperationException>(() => resumed.Resume());
        Assert.Contains("'TinyResNet'", error.Message);
        Assert.Contains("'ResNet20'", error.Message);
    }

    [Fact]
    public void Native_memory_stays_flat_from_step_200_to_step_2000()
    {
        using var model = new SmallMlp();
        using var trainer = new Trainer(model, new TrainerOptions
        {
            Epochs = 250,                       // 8 batches of 32 per epoch: 2,000 steps
            BatchSize = 32,
            Optimizer = OptimizerKind.Adam,
            LearningRate = 1e-3,
            GradientLogEvery = 100,
            ProgressEvery = 200,
        }, CPU);
        var samples = new Dictionary<long, (long Rss, long LiveTensors)>();
        trainer.Progress += p =>
        {
            if (p.Step is 200 or 2000)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
                using var process = System.Diagnostics.Process.GetCurrentProcess();
                samples[p.Step] = (process.WorkingSet64, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
            }
        };

        trainer.Fit(data.Train);

        var growth = samples[2000].Rss - samples[200].Rss;
        Assert.True(growth < 16L << 20, $"resident memory grew by {growth / (1 << 20)} MB between step 200 and step 2,000");
        Assert.Equal(samples[200].LiveTensors, samples[2000].LiveTensors);
    }

    [Fact]
    public void Early_stopping_ends_the_run_when_the_monitored_loss_stops_improving()
    {
        using var model = TrainingFixture.Model(6);
        // A minimum improvement no loss can make: every epoch after the first counts as no improvement.
        using var trainer = new Trainer(model, TrainingFixture.Quick with { Epochs = 6, EarlyStoppingPatience = 2, EarlyStoppingMinDelta = 100 }, CPU);

        var result = trainer.Fit(data.Train, data.Test);

        Assert.Equal(StopReason.EarlyStopped, result.Reason);
        Assert.Equal(3, result.History.Count);
    }

    [Fact]
    public void A_diverging_run_stops_on_the_step_whose_loss_is_not_finite_and_writes_no_checkpoint_after_it()
    {
        using var temp = new TempDirectory();
        using var model = TrainingFixture.Model(13);
        using var trainer = new Trainer(model, TrainingFixture.Quick with
        {
            Epochs = 3,
            LearningRate = 1e12,
            Schedule = ScheduleKind.Constant,
        }, CPU, temp.Path);

        var result = trainer.Fit(data.Train);

        Assert.Equal(StopReason.Diverged, result.Reason);
        Assert.Empty(result.History); // the first epoch never finished
        var divergence = Assert.IsType<Divergence>(result.Divergence);
        Assert.Equal(1, divergence.Epoch);
        Assert.InRange(divergence.Step, 2, 8);
        Assert.Equal(divergence.Step - 1, result.Steps); // the broken step's update was not applied
        Assert.Empty(Directory.GetFiles(temp.Path, "*.ckpt"));
    }

    [Fact]
    public void A_finite_but_exploding_loss_is_a_divergence_named_by_its_step_and_the_step_checkpoint_before_it_stays()
    {
        using var temp = new TempDirectory();
        var options = TrainingFixture.Quick with { Epochs = 2 };
        float[]? afterStep4 = null;
        using (var model = TrainingFixture.Model(5))
        using (var trainer = new Trainer(model, options, CPU))
        {
            trainer.Callbacks.Add(new CheckpointCallback(temp.Path, everySteps: 1, everySeconds: 0));
            int calls = 0;
            trainer.LossFunction = (output, target) =>
            {
                var loss = nn.functional.cross_entropy(output, target);
                return ++calls == 5 ? loss * 1e6 : loss; // step 5's loss explodes, finite
            };
            trainer.Callbacks.Add(new WeightsAt(4, w => afterStep4 = w));

            var result = trainer.Fit(data.Train);

            Assert.Equal(StopReason.Diverged, result.Reason);
            var divergence = Assert.IsType<Divergence>(result.Divergence);
            Assert.Equal(5, divergence.Step);
            Assert.True(double.IsFinite(divergence.Loss));
            Assert.True(divergence.Loss > Trainer.ExplosionFactor * divergence.Reference);
            Assert.Contains("times the first loss", divergence.Description);
            Assert.Equal(4, result.Steps);
            Assert.Equal(afterStep4, Parameters(model)); // the exploded step's update was not applied (its forward pass did move BatchNorm's statistics)
        }

        using var again = TrainingFixture.Model(6);
        using var resumed = new Trainer(again, options, CPU);
        resumed.Callbacks.Add(new CheckpointCallback(temp.Path));
        Assert.EndsWith("last.ckpt", resumed.Resume());
        Assert.Equal(4, resumed.Step);
        Assert.Equal(afterStep4, Parameters(again));
    }

    private static float[] Parameters(nn.Module module)
    {
        using var scope = NewDisposeScope();
        return module.parameters().SelectMany(p => p.detach().cpu().flatten().data<float>().ToArray()).ToArray();
    }

    /// <summary>Hands over the model's weights after the given step.</summary>
    private sealed class WeightsAt(long step, Action<float[]> take) : ITrainerCallback
    {
        public void OnBatchEnd(Trainer trainer, BatchResult batch)
        {
            if (trainer.Step == step)
            {
                take(Parameters(trainer.Model));
            }
        }
    }

    [Fact]
    public void A_resumed_run_takes_a_new_peak_learning_rate_and_keeps_its_position()
    {
        using var temp = new TempDirectory();
        var options = TrainingFixture.Quick with { Epochs = 2, Schedule = ScheduleKind.Constant, LearningRate = 0.05 };
        using (var model = TrainingFixture.Model(3))
        using (var trainer = new Trainer(model, options with { Epochs = 1 }, CPU, temp.Path))
        {
            trainer.Fit(data.Train);
        }

        using var again = TrainingFixture.Model(3);
        using var resumed = new Trainer(again, options, CPU, temp.Path);
        resumed.Resume();
        resumed.ExtendTo(2);
        resumed.OverrideLearningRate(0.005);
        var result = resumed.Fit(data.Train);

        Assert.Equal(0.005, resumed.Options.LearningRate);
        Assert.Equal(0.05, result.History[0].LearningRate, 12);
        Assert.Equal(0.005, result.History[1].LearningRate, 12);
        Assert.Throws<ArgumentOutOfRangeException>(() => resumed.OverrideLearningRate(double.NaN));
    }

    [Fact]
    public void Clipping_bounds_every_step_by_the_learning_rate_times_the_clip_norm()
    {
        using var model = TrainingFixture.Model(8);
        var before = TrainingFixture.Weights(model);
        const double Clip = 1e-3, Rate = 0.1;
        using var trainer = new Trainer(model, TrainingFixture.Quick with
        {
            Epochs = 1,
            LearningRate = Rate,
            Schedule = ScheduleKind.Constant,
            Momentum = 0,
            WeightDecay = 0,
            ClipGradientNorm = Clip,
        }, CPU);
        var parameters = model.parameters().ToList();
        using (var scope = NewDisposeScope())
        {
            before = parameters.SelectMany(p => p.detach().flatten().data<float>().ToArray()).ToArray();
        }

        trainer.Fit(data.Train);

        float[] after;
        using (var scope = NewDisposeScope())
        {
            after = parameters.SelectMany(p => p.detach().flatten().data<float>().ToArray()).ToArray();
        }

        var moved = Math.Sqrt(before.Zip(after).Sum(p => (double)(p.First - p.Second) * (p.First - p.Second)));
        Assert.InRange(moved, 1e-6, 8 * Rate * Clip * 1.001);   // 8 steps, each at most rate × clip long
    }

    [Theory]
    [InlineData(OptimizerKind.Sgd)]
    [InlineData(OptimizerKind.Adam)]
    [InlineData(OptimizerKind.AdamW)]
    public void Every_optimizer_trains(OptimizerKind optimizer)
    {
        using var model = TrainingFixture.Model(9);
        using var trainer = new Trainer(model, TrainingFixture.Quick with
        {
            Epochs = 3,
            Optimizer = optimizer,
            LearningRate = optimizer == OptimizerKind.Sgd ? 0.05 : 0.01,
        }, CPU);

        var before = trainer.Evaluate(data.Train).Loss;
        trainer.Fit(data.Train);

        Assert.True(trainer.Evaluate(data.Train).Loss < before);
    }

    [Fact]
    public void Predict_gives_logits_whose_argmax_agrees_with_evaluate()
    {
        using var model = TrainingFixture.Model(10);
        using var trainer = new Trainer(model, TrainingFixture.Quick with { Epochs = 1 }, CPU);
        trainer.Fit(data.Train);

        using var logits = trainer.Predict(data.Test.Inputs);
        var classes = trainer.PredictClasses(data.Test);
        using var scope = NewDisposeScope();
        var labels = data.Test.Labels.data<long>().ToArray();

        Assert.Equal(new long[] { data.Test.Count, 10 }, logits.shape);
        Assert.Equal(trainer.Evaluate(data.Test).Accuracy, classes.Zip(labels).Count(p => p.First == p.Second) / (double)labels.Length, 10);
    }

    [Fact]
    public void Gradient_norms_are_recorded_every_k_steps_for_every_weighted_layer()
    {
        using var model = TrainingFixture.Model(12);
        using var trainer = new Trainer(model, TrainingFixture.Quick with { Epochs = 1, GradientLogEvery = 4 }, CPU);

        trainer.Fit(data.Train);

        var steps = trainer.GradientFlow.Samples.Select(s => s.Step).Distinct().ToArray();
        Assert.Equal(new long[] { 0, 4 }, steps);
        Assert.Equal(new[] { "stem", "conv1", "conv2", "fc1" },
            trainer.GradientFlow.Samples.Where(s => s.Step == 0).OrderBy(s => s.LayerIndex).Select(s => s.Layer));
        Assert.All(trainer.GradientFlow.Samples, s => Assert.True(s.Norm > 0));
    }

    [Fact]
    public void A_resumed_run_records_gradients_at_the_checkpoints_interval_like_its_other_options()
    {
        using var temp = new TempDirectory();
        using (var model = TrainingFixture.Model(14))
        using (var trainer = new Trainer(model, TrainingFixture.Quick with { GradientLogEvery = 4 }, CPU, temp.Path))
        using (var stop = new CancellationTokenSource())
        {
            trainer.EpochCompleted += _ => stop.Cancel();
            Assert.Equal(StopReason.Interrupted, trainer.Fit(data.Train, cancellation: stop.Token).Reason);
        }

        using var resumedModel = TrainingFixture.Model(15);
        using var resumed = new Trainer(resumedModel, TrainingFixture.Quick with { GradientLogEvery = 3 }, CPU, temp.Path);
        resumed.Resume();
        resumed.Fit(data.Train);

        Assert.Equal(4, resumed.GradientFlow.Every);
        Assert.Equal(new long[] { 0, 4, 8, 12 }, resumed.GradientFlow.Samples.Select(s => s.Step).Distinct());
    }

    [Theory]
    [InlineData("Epochs")]
    [InlineData("BatchSize")]
    [InlineData("LearningRate")]
    [InlineData("ClipGradientNorm")]
    public void Bad_options_are_refused_with_the_option_named(string option)
    {
        var options = option switch
        {
            "Epochs" => new TrainerOptions { Epochs = 0 },
            "BatchSize" => new TrainerOptions { BatchSize = -1 },
            "LearningRate" => new TrainerOptions { LearningRate = double.NaN },
            _ => new TrainerOptions { ClipGradientNorm = 0 },
        };
        using var model = TrainingFixture.Model(1);

        var error = Assert.Throws<ArgumentException>(() => new Trainer(model, options, CPU));
        Assert.StartsWith(option, error.Message);
    }

    private sealed class SmallMlp : nn.Module<Tensor, Tensor>
    {
        private readonly nn.Module<Tensor, Tensor> layers = nn.Sequential(nn.Flatten(), nn.Linear(784, 32), nn.ReLU(), nn.Linear(32, 10));

        public SmallMlp()
            : base(nameof(SmallMlp))
        {
            RegisterComponents();
        }

        public override Tensor forward(Tensor input) => layers.call(input);
    }
}
