using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Dsl.Runtime.Tests;

/// <summary>
/// TorchSharp's native libraries really load and compute here. On Debian 12 this needs the build step of
/// Runtime/build/Dsl.Runtime.targets (libLibTorchSharp.so asks for GLIBCXX_3.4.32).
/// </summary>
public sealed class TorchSharpLoadsTests
{
    [Fact]
    public void SumOfOnesIsSix()
    {
        using Tensor ones = torch.ones(2, 3);
        using Tensor sum = ones.sum();

        Assert.Equal(6f, sum.item<float>());
    }

    [Fact]
    public void BackwardGivesTheGradient()
    {
        // y = x² + 2x, dy/dx = 2x + 2 = 8 at x = 3.
        using Tensor x = torch.tensor(3f, requires_grad: true);
        using Tensor y = x * x + 2 * x;
        y.backward();

        Tensor? gradient = x.grad;
        Assert.NotNull(gradient);
        Assert.Equal(15f, y.item<float>());
        Assert.Equal(8f, gradient.item<float>());
    }

    [Fact]
    public void MatrixProductOfALinearLayerHasTheRightShapeAndGradients()
    {
        using var linear = torch.nn.Linear(4, 2);
        using Tensor input = torch.ones(3, 4);
        using Tensor output = linear.call(input);
        using Tensor loss = output.sum();
        loss.backward();

        Assert.Equal(new long[] { 3, 2 }, output.shape);
        Tensor? weightGradient = linear.weight?.grad;
        Assert.NotNull(weightGradient);
        // d(sum of x·Wᵀ + b)/dW = 3 for every weight (three rows of ones).
        Assert.True(weightGradient.allclose(torch.full(2, 4, 3f)));
    }
}
