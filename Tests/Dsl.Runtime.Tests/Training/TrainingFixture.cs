using System;
using System.IO;
using System.Linq;
using Dsl.Examples.Models;
using Dsl.Runtime.Data;
using Dsl.Runtime.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Dsl.Runtime.Tests.Training;

/// <summary>Small slices of the embedded Fashion-MNIST subset, loaded once for all trainer tests.</summary>
public sealed class TrainingFixture : IDisposable
{
    private readonly DataSplit data = FashionMnist.LoadEmbedded();

    public TrainingFixture()
    {
        Train = data.Train.Subset(0, 256);
        Test = data.Test.Subset(0, 128);
    }

    /// <summary>256 training images.</summary>
    public TensorDataset Train { get; }

    /// <summary>128 test images.</summary>
    public TensorDataset Test { get; }

    /// <summary>Small, quick options: 8 batches of 32 per epoch.</summary>
    public static TrainerOptions Quick => new()
    {
        Epochs = 2,
        BatchSize = 32,
        LearningRate = 0.05,
        Optimizer = OptimizerKind.Sgd,
        Schedule = ScheduleKind.OneCycle,
        Augmentation = new Augmentation(CropPadding: 2, HorizontalFlip: true),
        GradientLogEvery = 4,
        ProgressEvery = 1,
        Seed = 7,
    };

    /// <summary>A TinyResNet whose initial weights come from <paramref name="seed"/>.</summary>
    public static nn.Module<Tensor, Tensor> Model(long seed)
    {
        Trainer.Seed(seed);
        return new TinyResNet();
    }

    /// <summary>Every parameter and buffer, flattened, in state_dict order.</summary>
    public static float[] Weights(nn.Module module)
    {
        using var scope = NewDisposeScope();
        return module.state_dict().Values.Where(t => t.is_floating_point())
            .SelectMany(t => t.cpu().flatten().data<float>().ToArray()).ToArray();
    }

    public void Dispose()
    {
        Train.Dispose();
        Test.Dispose();
        data.Dispose();
    }
}
