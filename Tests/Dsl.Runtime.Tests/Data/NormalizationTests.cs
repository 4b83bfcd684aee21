using System;
using Dsl.Runtime.Data;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Dsl.Runtime.Tests.Data;

public sealed class NormalizationTests
{
    [Fact]
    public void Statistics_of_a_small_set_are_the_population_mean_and_std()
    {
        using var data = new TensorDataset(torch.tensor(new float[] { 0, 1, 2, 3 }).view(4, 1, 1, 1), torch.zeros(4, ScalarType.Int64));

        Normalization normalization = Normalization.Of(data);

        Assert.Equal(1.5, normalization.Mean[0], 6);
        Assert.Equal(Math.Sqrt(1.25), normalization.Std[0], 6);
    }

    [Fact]
    public void The_training_set_comes_out_with_mean_0_and_std_1()
    {
        using DataSplit split = FashionMnist.LoadEmbedded();
        using var scope = torch.NewDisposeScope();

        Normalization normalization = Normalization.Of(split.Train);
        Tensor normalised = normalization.Apply(split.Train.Inputs);

        Assert.InRange(normalization.Mean[0], 0.2, 0.4); // Fashion-MNIST: about 0.286
        Assert.Equal(0, normalised.mean().item<float>(), 4);
        Assert.Equal(1, normalised.std(unbiased: false).item<float>(), 4);
    }

    [Fact]
    public void Constant_inputs_cannot_be_normalised()
    {
        using var data = new TensorDataset(torch.ones(3, 1, 2, 2), torch.zeros(3, ScalarType.Int64));

        Assert.Throws<ArgumentException>(() => Normalization.Of(data));
    }
}
