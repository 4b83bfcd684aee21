using System;
using System.Collections.Generic;
using System.Linq;
using Dsl.Examples.Models;
using Dsl.Runtime.Tests.Models.Fuse;
using TorchSharp;
using TorchSharp.Modules;
using Xunit;
using static TorchSharp.torch;

namespace Dsl.Runtime.Tests;

/// <summary>
/// The generated <c>fuse()</c> (BatchNorm folded into the convolution before it, for inference): outputs equal to the
/// unfused network's, the folded BatchNorms no longer run, the ones that must stay still do, and misuse is refused.
/// </summary>
public sealed class FuseTests
{
    public static TheoryData<string> EveryExample() => new(Examples.Catalogue.Select(e => e.Name));

    [Theory]
    [MemberData(nameof(EveryExample))]
    public void A_fused_example_computes_what_the_unfused_one_does(string name)
    {
        using var scope = NewDisposeScope();
        var entry = Examples.Find(name);
        manual_seed(7);
        using var net = Examples.Create(entry);
        var input = entry.SampleInput(4);
        GiveBatchNormsStatistics(net, input);

        net.eval();
        var before = net.call(input).detach().clone();
        Fuse(net);
        var after = net.call(input);

        Assert.Equal(before.shape, after.shape);
        Assert.True(after.allclose(before, rtol: 1e-4, atol: 1e-5), $"{name}: largest difference {(after - before).abs().max().item<float>()}");
    }

    [Fact]
    public void ResNet20_skips_every_batch_norm_after_a_convolution_but_those_of_its_projections()
    {
        using var scope = NewDisposeScope();
        using var net = new ResNet20();
        var input = randn(2, 1, 28, 28);
        GiveBatchNormsStatistics(net, input);
        net.eval();
        var calls = CountCalls<BatchNorm2d>(net);

        net.call(input);
        Assert.Equal(19 + 2, calls.Values.Sum()); // after the stem and the 18 block convolutions, and in the 2 projections

        net.fuse();
        foreach (var key in calls.Keys.ToList())
        {
            calls[key] = 0;
        }

        net.call(input);
        Assert.Equal(2, calls.Values.Sum());
        Assert.Equal(new[] { "down2.input_to_bn2.1", "down3.input_to_bn2.1" }, calls.Where(c => c.Value > 0).Select(c => c.Key).OrderBy(k => k, StringComparer.Ordinal));

        // The folded convolutions now carry a bias, registered like any parameter (so .to(device) moves it).
        var state = net.state_dict();
        Assert.Contains("stem.bias", state.Keys);
        Assert.Contains("stage3.1.conv2.bias", state.Keys);
        Assert.DoesNotContain("down2.input_to_bn2.0.bias", state.Keys);
    }

    [Fact]
    public void A_convolution_with_its_own_bias_keeps_it_shifted()
    {
        using var scope = NewDisposeScope();
        using var net = new BiasedSignalNet();
        var input = randn(3, 3, 16);
        GiveBatchNormsStatistics(net, input);
        net.eval();
        var before = net.call(input).detach().clone();
        var calls = CountCalls<BatchNorm1d>(net);

        net.fuse();

        Assert.True(net.call(input).allclose(before, rtol: 1e-4, atol: 1e-5));
        Assert.Equal(0, calls["bn"]);
    }

    [Fact]
    public void A_batch_norm_whose_convolution_feeds_a_skip_or_takes_one_is_not_folded()
    {
        using var scope = NewDisposeScope();
        using var fromConvolution = new SkipFromConvolutionNet();
        using var intoConvolution = new SkipIntoConvolutionNet();
        var input = randn(2, 4, 6, 6);
        foreach (var net in new nn.Module<Tensor, Tensor>[] { fromConvolution, intoConvolution })
        {
            GiveBatchNormsStatistics(net, input);
            net.eval();
        }

        var beforeFrom = fromConvolution.call(input).detach().clone();
        var beforeInto = intoConvolution.call(input).detach().clone();
        var callsFrom = CountCalls<BatchNorm2d>(fromConvolution);
        var callsInto = CountCalls<BatchNorm2d>(intoConvolution);

        fromConvolution.fuse();
        intoConvolution.fuse();

        Assert.True(fromConvolution.call(input).allclose(beforeFrom, rtol: 1e-4, atol: 1e-5));
        Assert.True(intoConvolution.call(input).allclose(beforeInto, rtol: 1e-4, atol: 1e-5));
        Assert.Equal(1, callsFrom["bn"]);
        Assert.Equal(1, callsInto["bn"]);
        Assert.Equal(0, callsInto["bn2"]);
    }

    [Fact]
    public void Fusing_in_training_mode_is_refused_and_a_fused_network_cannot_train()
    {
        using var net = new ResNet20();
        var inTraining = Assert.Throws<InvalidOperationException>(net.fuse);
        Assert.Contains("call eval() first", inTraining.Message);

        net.eval();
        net.fuse();
        net.fuse(); // a second call does nothing
        net.train();
        using var input = randn(1, 1, 28, 28);
        var training = Assert.Throws<InvalidOperationException>(() => net.call(input));
        Assert.Contains("fused for inference", training.Message);
    }

    [Fact]
    public void A_network_without_batch_norm_has_a_fuse_that_changes_nothing()
    {
        using var scope = NewDisposeScope();
        using var net = new TinyTransformer();
        net.eval();
        var input = randint(0, 100, new long[] { 2, 16 });
        var before = net.call(input).detach().clone();
        net.fuse();
        Assert.True(net.call(input).allclose(before, rtol: 0, atol: 0));
    }

    /// <summary>Trains the running statistics on a few batches and gives every BatchNorm a non-trivial affine map, so that a fold has something to fold.</summary>
    private static void GiveBatchNormsStatistics(nn.Module<Tensor, Tensor> net, Tensor input)
    {
        using (no_grad())
        {
            foreach (var norm in net.modules().OfType<NormBase>())
            {
                norm.weight?.uniform_(0.5, 1.5);
                norm.bias?.normal_(0, 0.5);
            }

            net.train();
            for (var i = 0; i < 3; i++)
            {
                using var batch = input.is_floating_point() ? (input * (i + 1)) + i : input.clone(); // batches of differing statistics
                net.call(batch).Dispose();
            }
        }
    }

    private static Dictionary<string, int> CountCalls<T>(nn.Module net) where T : nn.Module<Tensor, Tensor>
    {
        var calls = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (name, module) in net.named_modules())
        {
            if (module is T norm)
            {
                calls[name] = 0;
                norm.register_forward_hook((m, i, o) =>
                {
                    calls[name]++;
                    return o;
                });
            }
        }

        return calls;
    }

    private static void Fuse(nn.Module net) =>
        (net.GetType().GetMethod("fuse") ?? throw new InvalidOperationException($"{net.GetType().Name} has no fuse()")).Invoke(net, null);
}
