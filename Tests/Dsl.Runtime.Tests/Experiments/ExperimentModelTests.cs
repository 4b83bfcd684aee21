using Dsl.Examples.Models;
using Dsl.Runtime.Tests.Models;
using Xunit;

namespace Dsl.Runtime.Tests.Experiments;

/// <summary>The models the experiments add: parameter counts by hand, against the compile-time count and TorchSharp's.</summary>
public class ExperimentModelTests
{
    // A basic block of width c: two 3×3 convolutions without bias (9c² each) and two BatchNorms (2c each).
    private static long Block(long c) => (2 * 9 * c * c) + (2 * 2 * c);

    // The down-sampling block from c to 2c: 3×3 c→2c and 2c→2c convolutions, two BatchNorms of 2c.
    private static long Down(long c) => (9 * c * 2 * c) + (9 * 4 * c * c) + (2 * 2 * 2 * c);

    // Its projection shortcut: a 1×1 convolution c→2c without bias and a BatchNorm of 2c.
    private static long Projection(long c) => (2 * c * c) + (2 * 2 * c);

    // Stem (3×3, 1→16, no bias, BatchNorm) and the 64→10 classifier.
    private const long StemAndHead = 144 + 32 + 650;

    [Fact]
    public void ResNet32_and_Plain32_have_their_hand_counted_parameters()
    {
        long plain = StemAndHead + (5 * Block(16)) + Down(16) + (4 * Block(32)) + Down(32) + (4 * Block(64));
        long residual = plain + Projection(16) + Projection(32);

        Assert.Equal(466_618, residual);
        Assert.Equal(ResNet32.ParameterCount, residual);
        Assert.Equal(Plain32.ParameterCount, plain);
        using var resNet = new ResNet32();
        using var plainNet = new Plain32();
        Assert.Equal(residual, ModuleFacts.ParameterCount(resNet));
        Assert.Equal(plain, ModuleFacts.ParameterCount(plainNet));
    }
}
