using System.Threading;
using Dsl.Runtime.Data;
using Dsl.Runtime.Tests.Models.SkipFamily;
using Dsl.Runtime.Training;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Dsl.Runtime.Tests.Training;

/// <summary>DropPath's random masks come from torch's generator, which the trainer seeds and checkpoints: runs repeat, and resume stays exact.</summary>
[Collection("training")]
public class DropPathTrainingTests(TrainingFixture data) : IClassFixture<TrainingFixture>
{
    private static TrainerOptions Options => TrainingFixture.Quick with { Optimizer = OptimizerKind.Adam, LearningRate = 0.01, Augmentation = Augmentation.None };

    private static nn.Module<Tensor, Tensor> Model(long seed)
    {
        Trainer.Seed(seed);
        return new DropPathClassifier();
    }

    [Fact]
    public void The_same_seed_gives_the_same_weights_and_another_seed_other_ones()
    {
        float[] Run(long seed)
        {
            using var model = Model(1);
            using var trainer = new Trainer(model, Options with { Seed = seed }, CPU);
            trainer.Fit(data.Train, data.Test);
            return TrainingFixture.Weights(model);
        }

        var a = Run(5);
        Assert.Equal(a, Run(5));
        Assert.NotEqual(a, Run(6));
    }

    [Fact]
    public void Kill_and_resume_mid_epoch_gives_the_weights_of_an_uninterrupted_run()
    {
        float[] expected;
        using (var model = Model(2))
        using (var trainer = new Trainer(model, Options, CPU))
        {
            trainer.Fit(data.Train, data.Test);
            expected = TrainingFixture.Weights(model);
        }

        using var temp = new TempDirectory();
        using (var model = Model(2))
        using (var trainer = new Trainer(model, Options, CPU, temp.Path))
        using (var stop = new CancellationTokenSource())
        {
            trainer.Progress += p =>
            {
                if (p.Step == 5)
                {
                    stop.Cancel();
                }
            };
            Assert.Equal(StopReason.Interrupted, trainer.Fit(data.Train, data.Test, stop.Token).Reason);
        }

        using (var model = Model(99))
        using (var trainer = new Trainer(model, Options, CPU, temp.Path))
        {
            Assert.NotNull(trainer.Resume());
            trainer.Fit(data.Train, data.Test);
            Assert.Equal(expected, TrainingFixture.Weights(model));
        }
    }
}
