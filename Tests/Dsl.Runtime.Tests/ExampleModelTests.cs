using System;
using System.Linq;
using Dsl.Examples.Models;
using Dsl.Runtime.Tests.Models;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Dsl.Runtime.Tests;

/// <summary>
/// Builds the generated example networks as real TorchSharp modules on CPU and compares them with hand-written
/// TorchSharp equivalents: same state_dict keys and shapes, same parameter count, and (with the same weights)
/// the same outputs.
/// </summary>
public sealed class ExampleModelTests
{
    [Fact]
    public void TinyResNet_matches_the_hand_written_network()
    {
        using var generated = new TinyResNet();
        using var handWritten = new HandWrittenTinyResNet();
        AssertSameNetwork(generated, handWritten, randn(4, 1, 28, 28), TinyResNet.ParameterCount);
        Assert.Equal(new long[] { 10 }, TinyResNet.OutputShape);
    }

    [Fact]
    public void UNet_matches_the_hand_written_network()
    {
        using var generated = new UNet();
        using var handWritten = new HandWrittenUNet();
        AssertSameNetwork(generated, handWritten, randn(2, 1, 28, 28), UNet.ParameterCount);
        Assert.Equal(new long[] { 1, 28, 28 }, UNet.OutputShape);
    }

    [Fact]
    public void TinyTransformer_matches_the_hand_written_network()
    {
        using var generated = new TinyTransformer();
        using var handWritten = new HandWrittenTinyTransformer();
        AssertSameNetwork(generated, handWritten, randint(0, 100, new long[] { 3, 16 }), TinyTransformer.ParameterCount);
    }

    [Fact]
    public void ResNet20_has_the_resnet20_structure()
    {
        using var net = new ResNet20();
        var shapes = ModuleFacts.StateShapes(net);

        // torchvision-style keys: repeated blocks are indexed, the projection shortcut is conv + batch norm.
        Assert.Equal("16x1x3x3", shapes["stem.weight"]);
        Assert.Equal("16x16x3x3", shapes["stage1.2.conv2.weight"]);
        Assert.Equal("32x16x3x3", shapes["down2.conv1.weight"]);
        Assert.Equal("32x16x1x1", shapes["down2.input_to_bn2.0.weight"]);
        Assert.Equal("32", shapes["down2.input_to_bn2.1.running_mean"]);
        Assert.Equal("64x64x3x3", shapes["stage3.1.conv1.weight"]);
        Assert.Equal("10x64", shapes["fc.weight"]);
        Assert.Equal(19, shapes.Keys.Count(k => k.EndsWith("conv1.weight") || k.EndsWith("conv2.weight")) + 1); // 18 block convs + stem = 19 conv layers, + fc = 20

        // Parameters by hand: stem 144 + bn 32; 3 blocks of 16: 3·(2·2304 + 64); down to 32: 4608 + 9216 + 128 + 512 + 64;
        // 2 blocks of 32: 2·(2·9216 + 128); down to 64: 18432 + 36864 + 256 + 2048 + 128; 2 blocks of 64: 2·(2·36864 + 256); fc 650.
        const long expected = 144 + 32 + (3 * ((2 * 2304) + 64)) + (4608 + 9216 + 128 + 512 + 64) + (2 * ((2 * 9216) + 128))
            + (18432 + 36864 + 256 + 2048 + 128) + (2 * ((2 * 36864) + 256)) + 650;
        Assert.Equal(expected, ResNet20.ParameterCount);
        Assert.Equal(expected, ModuleFacts.ParameterCount(net));
    }

    [Theory]
    [InlineData(nameof(TinyResNet))]
    [InlineData(nameof(ResNet20))]
    [InlineData(nameof(ResNet56))]
    [InlineData(nameof(UNet))]
    [InlineData(nameof(TinyTransformer))]
    public void Example_runs_forward_and_backward(string name)
    {
        using var scope = NewDisposeScope();
        nn.Module<Tensor, Tensor> net = name switch
        {
            nameof(TinyResNet) => new TinyResNet(),
            nameof(ResNet20) => new ResNet20(),
            nameof(ResNet56) => new ResNet56(),
            nameof(UNet) => new UNet(),
            _ => new TinyTransformer(),
        };
        var input = name == nameof(TinyTransformer) ? randint(0, 100, new long[] { 2, 16 }) : randn(2, 1, 28, 28);
        var output = net.call(input);
        output.square().mean().backward();

        var withGradient = net.parameters().Count(p => p.grad is { } g && g.abs().sum().item<float>() > 0);
        Assert.Equal(net.parameters().Count(), withGradient);
        net.Dispose();
    }

    [Fact]
    public void Forward_rejects_images_where_token_ids_are_expected()
    {
        using var net = new TinyTransformer();
        using var floats = randn(2, 16);
        var error = Assert.Throws<ArgumentException>(() => net.call(floats));
        Assert.Contains("token ids", error.Message);
    }

    [Fact]
    public void Forward_rejects_a_wrong_input_shape_naming_the_model_and_both_shapes()
    {
        using var net = new TinyResNet();
        using var wrong = randn(4, 3, 32, 32);
        var error = Assert.Throws<ArgumentException>(() => net.call(wrong));
        Assert.Contains("TinyResNet", error.Message);
        Assert.Contains("[N, 1, 28, 28]", error.Message);
        Assert.Contains("[4, 3, 32, 32]", error.Message);

        using var missingBatch = randn(1, 28, 28);
        Assert.Throws<ArgumentException>(() => net.call(missingBatch));
    }

    [Theory]
    [InlineData(nameof(ResNet20))]
    [InlineData(nameof(UNet))]
    [InlineData(nameof(TinyTransformer))]
    [InlineData(nameof(TextClassifier))] // PositionalEmbedding and SelfAttention free their temporaries in scopes of their own
    [InlineData(nameof(UNetAnySize))]
    [InlineData(nameof(ResidualCnn1d))]
    public void Forward_disposes_its_intermediate_tensors(string name)
    {
        var example = Examples.Find(name);
        using var net = Examples.Create(example);
        net.eval();
        using var input = example.SampleInput(2);
        using (no_grad())
        {
            net.call(input).Dispose(); // warm-up
            var before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
            for (var i = 0; i < 5; i++)
            {
                net.call(input).Dispose();
            }

            Assert.Equal(before, DisposeScopeManager.Statistics.ThreadTotalLiveCount);

            // The counter does see tensors that stay alive: an output not disposed is counted.
            var kept = net.call(input);
            Assert.True(DisposeScopeManager.Statistics.ThreadTotalLiveCount > before, "the live-tensor counter does not see outputs");
            kept.Dispose();
        }
    }

    private static void AssertSameNetwork(nn.Module<Tensor, Tensor> generated, nn.Module<Tensor, Tensor> handWritten, Tensor input, long compileTimeCount)
    {
        Assert.Equal(ModuleFacts.StateShapes(handWritten), ModuleFacts.StateShapes(generated));
        Assert.Equal(ModuleFacts.ParameterCount(handWritten), ModuleFacts.ParameterCount(generated));
        Assert.Equal(ModuleFacts.ParameterCount(generated), compileTimeCount);

        handWritten.load_state_dict(generated.state_dict());
        generated.eval();
        handWritten.eval();
        using var a = generated.call(input);
        using var b = handWritten.call(input);
        Assert.Equal(a.shape, b.shape);
        Assert.True(a.allclose(b, rtol: 1e-4, atol: 1e-5), "generated and hand-written outputs differ");
        input.Dispose();
    }
}
