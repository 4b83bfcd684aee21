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

    [Fact]
    public void ResNet14_and_Plain14_have_their_hand_counted_parameters()
    {
        long plain = StemAndHead + (2 * Block(16)) + Down(16) + Block(32) + Down(32) + Block(64);
        long residual = plain + Projection(16) + Projection(32);

        Assert.Equal(ResNet14.ParameterCount, residual);
        Assert.Equal(Plain14.ParameterCount, plain);
        using var resNet = new ResNet14();
        using var plainNet = new Plain14();
        Assert.Equal(residual, ModuleFacts.ParameterCount(resNet));
        Assert.Equal(plain, ModuleFacts.ParameterCount(plainNet));
    }

    [Fact]
    public void ReZeroResNet56_has_ResNet56s_parameters_and_one_scale_per_identity_block()
    {
        long resNet56 = StemAndHead + (9 * Block(16)) + Down(16) + Projection(16) + (8 * Block(32)) + Down(32) + Projection(32) + (8 * Block(64));
        const long scales = 9 + 8 + 8;

        Assert.Equal(ResNet56.ParameterCount, resNet56);
        Assert.Equal(ReZeroResNet56.ParameterCount, resNet56 + scales);
        using var net = new ReZeroResNet56();
        Assert.Equal(resNet56 + scales, ModuleFacts.ParameterCount(net));
    }

    [Fact]
    public void The_tanh_MLPs_have_the_same_hand_counted_parameters()
    {
        // 784 → 64, 18 hidden 64 → 64 layers, 64 → 10; every linear map with a bias. The residual adds have none.
        const long expected = (784 * 64) + 64 + (18 * ((64 * 64) + 64)) + (64 * 10) + 10;

        Assert.Equal(TanhMlp20.ParameterCount, expected);
        Assert.Equal(ResidualTanhMlp20.ParameterCount, expected);
        using var plain = new TanhMlp20();
        using var residual = new ResidualTanhMlp20();
        Assert.Equal(expected, ModuleFacts.ParameterCount(plain));
        Assert.Equal(expected, ModuleFacts.ParameterCount(residual));
    }
}
