using System;
using System.Collections.Generic;
using System.Linq;
using Dsl.Examples.Models;
using Dsl.Runtime.Tests.Models;
using Dsl.Runtime.Tests.Models.SkipFamily;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Dsl.Runtime.Tests;

/// <summary>
/// The skip family on real TorchSharp: each merge against the same arithmetic written out by hand, DropPath active
/// only in training and repeatable under a seed, and the skip-family examples trained for a few steps, with
/// parameter and MAC counts equal to counts worked out by hand.
/// </summary>
public sealed class SkipFamilyTests
{
    private static nn.Module<Tensor, Tensor> Child(nn.Module net, string name) =>
        (nn.Module<Tensor, Tensor>)net.named_children().Single(c => c.name == name).module;

    private static Tensor Parameter(nn.Module net, string name) => net.named_parameters().Single(p => p.name == name).parameter;

    private static void AssertClose(Tensor expected, Tensor actual)
    {
        Assert.Equal(expected.shape, actual.shape);
        Assert.True(expected.allclose(actual, rtol: 1e-5, atol: 1e-6), $"max difference {(expected - actual).abs().max().item<float>()}");
    }

    [Fact]
    public void Multiply_broadcasts_the_gate_over_the_positions()
    {
        torch.manual_seed(1);
        using var net = new GateNet();
        net.eval();
        using var x = randn(2, 3, 4, 4);

        var f = Child(net, "f").call(x);
        AssertClose(f * f.mean(new long[] { 2, 3 }, keepdim: true).sigmoid(), net.call(x));
    }

    [Fact]
    public void Highway_mixes_the_branch_and_the_carry_by_its_learned_gate_which_starts_carrying()
    {
        torch.manual_seed(2);
        using var net = new HighwayNet();
        net.eval();
        using var x = randn(5, 6);

        var gate = Child(net, "input_to_h_gate");
        Assert.All(Parameter(net, "input_to_h_gate.bias").data<float>().ToArray(), b => Assert.Equal(-1f, b));
        var t = gate.call(x).sigmoid();
        var h = Child(net, "t").call(x).tanh();
        AssertClose((t * h) + ((1 - t) * x), net.call(x));
        Assert.Equal(HighwayNet.ParameterCount, ModuleFacts.ParameterCount(net));
        Assert.Equal((6 * 6) + 6 + (6 * 6) + 6, HighwayNet.ParameterCount);
    }

    [Fact]
    public void ReZero_starts_as_the_identity_and_scales_the_branch_by_its_learned_scalar()
    {
        torch.manual_seed(3);
        using var net = new ReZeroNet();
        net.eval();
        using var x = randn(4, 6);

        AssertClose(x, net.call(x));
        var alpha = Parameter(net, "input_to_f_scale");
        Assert.Equal(new long[] { 1 }, alpha.shape);
        using (no_grad())
        {
            alpha.fill_(0.5);
        }

        AssertClose(x + (0.5 * Child(net, "f").call(x)), net.call(x));
        Assert.Equal((6 * 6) + 6 + 1, ModuleFacts.ParameterCount(net));
    }

    [Fact]
    public void LayerScale_scales_each_channel_by_its_own_learned_value()
    {
        torch.manual_seed(4);
        using var net = new LayerScaleNet();
        net.eval();
        using var x = randn(2, 4, 3, 3);
        var gamma = Parameter(net, "input_to_f_scale");
        Assert.Equal(new[] { 0.5f, 0.5f, 0.5f, 0.5f }, gamma.data<float>().ToArray());

        using (no_grad())
        {
            gamma.copy_(tensor(new[] { 1f, 2f, 3f, 4f }));
        }

        AssertClose(x + (tensor(new[] { 1f, 2f, 3f, 4f }).view(4, 1, 1) * Child(net, "f").call(x)), net.call(x));
    }

    [Fact]
    public void DropPath_is_the_plain_Add_in_evaluation_and_drops_whole_examples_in_training_repeatably()
    {
        torch.manual_seed(5);
        using var net = new DropPathNet();
        using var x = randn(400, 8);
        var f = Child(net, "f");

        net.eval();
        var first = net.call(x);
        AssertClose(first, net.call(x));
        AssertClose(x + f.call(x), first);

        net.train();
        torch.manual_seed(11);
        var a = net.call(x);
        torch.manual_seed(11);
        var b = net.call(x);
        torch.manual_seed(12);
        var c = net.call(x);
        AssertClose(a, b);
        Assert.False(a.allclose(c), "another seed drops other examples");

        // Each example is either dropped (x) or kept and scaled by 1/(1 − p) = 2: x + 2·f(x).
        var branch = f.call(x);
        var dropped = (a - x).abs().max(1).values.lt(1e-6);
        var kept = (a - (x + (2 * branch))).abs().max(1).values.lt(1e-5);
        Assert.True((dropped | kept).all().item<bool>(), "every example is dropped or kept whole");
        var rate = dropped.to_type(ScalarType.Float32).mean().item<float>();
        Assert.InRange(rate, 0.4f, 0.6f);
    }

    [Fact]
    public void Crop_takes_the_centre_of_the_larger_side_as_the_original_UNet()
    {
        torch.manual_seed(6);
        using var net = new CropNet();
        net.eval();
        using var x = randn(2, 1, 5, 5);

        var a = Child(net, "a").call(x);
        var u = nn.functional.interpolate(nn.functional.max_pool2d(a, 2), scale_factor: new[] { 2.0, 2.0 }, mode: InterpolationMode.Nearest);
        var cropped = a.narrow(2, 0, 4).narrow(3, 0, 4); // (5 − 4)/2 = 0 rows and columns off the top and left
        AssertClose(cat(new[] { u, cropped }, 1), net.call(x));
        Assert.Equal(new long[] { 4, 4, 4 }, CropNet.OutputShape);
    }

    [Theory]
    [InlineData(5, 5)]
    [InlineData(6, 7)]
    [InlineData(9, 4)]
    public void Pad_zero_pads_the_smaller_side_at_every_named_size(long h, long w)
    {
        torch.manual_seed(7);
        using var net = new PadNet();
        net.eval();
        using var x = randn(1, 2, h, w);

        var a = Child(net, "a").call(x);
        var u = nn.functional.interpolate(nn.functional.max_pool2d(a, 2), scale_factor: new[] { 2.0, 2.0 }, mode: InterpolationMode.Nearest);
        var (dh, dw) = (h - u.shape[2], w - u.shape[3]);
        var padded = nn.functional.pad(u, new[] { dw / 2, dw - (dw / 2), dh / 2, dh - (dh / 2) });
        AssertClose(padded + a, net.call(x));
        Assert.Equal(new[] { 2L, h, w }, PadNet.OutputShapeFor(2, h, w));
    }

    /// <summary>Each skip-family example: a random batch of its input (an example size for named dimensions) and its targets.</summary>
    private static readonly string[] ExampleNames = { "SEResNet", "HighwayMlp", "ReZeroTransformer", "LayerScaleTransformer", "ResNet56DropPath", "UNetOddSizes", "DenseNetBC" };

    public static TheoryData<string> Examples => new(ExampleNames);

    private static (nn.Module<Tensor, Tensor> Net, Tensor Input) Build(string name) => name switch
    {
        "SEResNet" => (new SEResNet(), randn(4, 1, 28, 28)),
        "HighwayMlp" => (new HighwayMlp(), randn(4, 1, 28, 28)),
        "ReZeroTransformer" => (new ReZeroTransformer(), randint(0, 1000, new long[] { 4, 12 })),
        "LayerScaleTransformer" => (new LayerScaleTransformer(), randint(0, 1000, new long[] { 4, 12 })),
        "ResNet56DropPath" => (new ResNet56DropPath(), randn(2, 1, 28, 28)),
        "UNetOddSizes" => (new UNetOddSizes(), randn(2, 1, 29, 31)),
        "DenseNetBC" => (new DenseNetBC(), randn(2, 1, 28, 28)),
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [MemberData(nameof(Examples))]
    public void A_skip_family_example_trains_a_few_steps_on_CPU(string name)
    {
        torch.manual_seed(8);
        var (net, input) = Build(name);
        using var _ = net;
        net.train();
        var output = net.call(input);
        var target = randn_like(output);
        var optimizer = optim.Adam(net.parameters(), lr: 1e-3);
        var losses = new List<float>();
        for (var step = 0; step < 6; step++)
        {
            optimizer.zero_grad();
            var loss = nn.functional.mse_loss(net.call(input), target);
            loss.backward();
            Assert.All(net.parameters(), p => Assert.True(p.grad is null || p.grad.isfinite().all().item<bool>(), name));
            optimizer.step();
            losses.Add(loss.item<float>());
        }

        Assert.All(losses, l => Assert.True(float.IsFinite(l)));
        Assert.True(losses[^1] < losses[0], $"{name}: the loss went from {losses[0]} to {losses[^1]}");
    }

    [Fact]
    public void The_examples_parameter_counts_are_the_hand_counts()
    {
        // SE block on 32 channels: two 3×3 convolutions and batch norms, a 32→8→32 excitation with biases.
        const long se = (2 * ((32 * 32 * 9) + 64)) + ((32 * 8) + 8) + ((8 * 32) + 32);
        Assert.Equal((1 * 32 * 9) + 64 + (2 * se) + ((32 * 10) + 10), SEResNet.ParameterCount);

        // Highway layer on 64 features: the transform and the gate, each 64·64 + 64.
        Assert.Equal((784 * 64) + 64 + (8 * 2 * ((64 * 64) + 64)) + ((64 * 10) + 10), HighwayMlp.ParameterCount);

        // Transformer block on 64: attention 4·64² + 4·64, MLP 64→256→64, and two scales (1 each, or 64 each) and two LayerNorms.
        const long attention = (4 * 64 * 64) + (4 * 64);
        const long mlp = (64 * 256) + 256 + (256 * 64) + 64;
        const long embeddings = (1000 * 64) + (64 * 64);
        Assert.Equal(embeddings + (12 * (attention + mlp + 2)) + ((64 * 4) + 4), ReZeroTransformer.ParameterCount);
        Assert.Equal(embeddings + (12 * (attention + mlp + (2 * 64) + (2 * 128))) + 128 + ((64 * 4) + 4), LayerScaleTransformer.ParameterCount);

        // Stochastic depth adds nothing: ResNet-56's parameters.
        Assert.Equal(ResNet56.ParameterCount, ResNet56DropPath.ParameterCount);

        Assert.Equal(160 + 4640 + 18_496 + 8224 + 18_464 + 2064 + 4624 + 17, UNetOddSizes.ParameterCount);

        // DenseNet-BC: a bottleneck layer on C channels has BN(C), 1×1 C→48, BN(48), 3×3 48→12: 50·C + 5,280.
        long Dense(long c) => Enumerable.Range(0, 6).Sum(i => (50 * (c + (12 * i))) + 5280);
        long Transition(long c) => (2 * c) + (c * (c / 2));
        Assert.Equal(DenseNetBC.ParameterCount, (24 * 9) + Dense(24) + Transition(96) + Dense(48) + Transition(120) + Dense(60) + 264 + ((132 * 10) + 10));

        foreach (var name in ExampleNames)
        {
            var (net, _) = Build(name);
            using (net)
            {
                Assert.Equal(net.GetType().GetField("ParameterCount")!.GetValue(null), ModuleFacts.ParameterCount(net));
            }
        }
    }

    [Fact]
    public void The_examples_MACs_are_the_hand_counts()
    {
        const long hw = 28 * 28;
        const long seBlock = (2 * 9 * 32 * 32 * hw) + (2 * 32 * hw) + (32 * 8) + (8 * 32) + (32 * hw); // convolutions, batch norms, excitation, the gate's product
        Assert.Equal((9 * 32 * hw) + (32 * hw) + (2 * seBlock) + (32 * 10), SEResNet.MultiplyAccumulates);

        Assert.Equal((784 * 64) + (8 * ((64 * 64) + (64 * 64) + 64)) + (64 * 10), HighwayMlp.MultiplyAccumulates);

        // Per block over T tokens: 4·T·64² projections, 2·T²·64 attention, 2·T·64·256 MLP, a scale product per element each.
        long Block(long t, long norms) => (4 * t * 64 * 64) + (2 * t * t * 64) + (2 * t * 64 * 256) + (2 * t * 64) + (norms * t * 64);
        foreach (var t in new long[] { 1, 12, 64 })
        {
            Assert.Equal((12 * Block(t, 0)) + (64 * 4), ReZeroTransformer.MultiplyAccumulatesFor(t));
            Assert.Equal((12 * Block(t, 2)) + (t * 64) + (64 * 4), LayerScaleTransformer.MultiplyAccumulatesFor(t));
        }

        Assert.Equal(ResNet56.MultiplyAccumulates, ResNet56DropPath.MultiplyAccumulates);

        // 29×29: 14×14 and 7×7 inside, the decoder at 14×14 and 28×28; crops and concatenations count nothing.
        Assert.Equal((9 * 16 * 841) + (9 * 16 * 32 * 196) + (9 * 32 * 64 * 49) + (64 * 32 * 4 * 49) + (9 * 64 * 32 * 196)
            + (32 * 16 * 4 * 196) + (9 * 32 * 16 * 784) + (16 * 784), UNetOddSizes.MultiplyAccumulatesFor(1, 29, 29));

        long DenseMacs(long c, long positions) => Enumerable.Range(0, 6).Sum(i =>
            ((c + (12 * i)) * positions) + ((c + (12 * i)) * 48 * positions) + (48 * positions) + (9 * 48 * 12 * positions));
        long TransitionMacs(long c, long positions) => (c * positions) + (c * (c / 2) * positions);
        Assert.Equal(DenseNetBC.MultiplyAccumulates, (9 * 24 * 784) + DenseMacs(24, 784) + TransitionMacs(96, 784) + DenseMacs(48, 196)
            + TransitionMacs(120, 196) + DenseMacs(60, 49) + (132 * 49) + (132 * 10));
    }

    [Fact]
    public void ResNet56DropPath_takes_ResNet56_weights_and_in_evaluation_computes_the_same()
    {
        torch.manual_seed(9);
        using var plain = new ResNet56();
        using var dropping = new ResNet56DropPath();
        Assert.Equal(ModuleFacts.StateShapes(plain), ModuleFacts.StateShapes(dropping));
        dropping.load_state_dict(plain.state_dict());
        plain.eval();
        dropping.eval();
        using var x = randn(2, 1, 28, 28);

        AssertClose(plain.call(x), dropping.call(x));
        dropping.train();
        torch.manual_seed(10);
        var first = dropping.call(x);
        Assert.False(first.allclose(dropping.call(x)), "in training two calls drop different branches");
    }
}
