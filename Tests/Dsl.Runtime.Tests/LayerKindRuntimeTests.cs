using System;
using System.Collections.Generic;
using System.Linq;
using Dsl.Runtime.Tests.Models;
using Dsl.Runtime.Tests.Models.LayerKinds;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Dsl.Runtime.Tests;

/// <summary>
/// Each layer kind added with symbolic dimensions (the models in Models/LayerKindModels.cs), as real TorchSharp modules:
/// the runtime output shape equals <c>OutputShapeFor</c> at two sizes, the parameter count equals the compile-time
/// one, and the numbers equal what TorchSharp (PyTorch semantics) computes for the same operation written out by hand.
/// </summary>
public sealed class LayerKindRuntimeTests
{
    private const long Batch = 2;

    [Fact]
    public void Conv1d_with_stride_padding_dilation_and_groups()
    {
        using var scope = NewDisposeScope();
        using var net = new Conv1dStrided();
        Assert.Equal((8 * (4 / 2) * 3) + 8, Conv1dStrided.ParameterCount);
        AssertParameterCount(net, Conv1dStrided.ParameterCount);
        var state = State(net);
        Assert.Equal(new long[] { 8, 2, 3 }, state["conv.weight"].shape);

        // ⌊(L + 2·2 − 2·(3 − 1) − 1) / 2⌋ + 1
        foreach (var (length, expected) in new[] { (9L, 5L), (30L, 15L), (1L, 1L) })
        {
            Assert.Equal(new long[] { 8, expected }, Conv1dStrided.OutputShapeFor(4, length));
            var x = randn(Batch, 4, length);
            var y = Run(net, Conv1dStrided.OutputShapeFor, x);
            var reference = F.conv1d(x, state["conv.weight"], state["conv.bias"], stride: 2, padding: 2, dilation: 2, groups: 2);
            AssertClose(reference, y);
        }
    }

    [Fact]
    public void ConvTranspose1d_with_output_padding()
    {
        using var scope = NewDisposeScope();
        using var net = new ConvTranspose1dOutputPadding();
        Assert.Equal((3 * 5 * 3) + 5, ConvTranspose1dOutputPadding.ParameterCount);
        AssertParameterCount(net, ConvTranspose1dOutputPadding.ParameterCount);
        var state = State(net);

        // (L − 1)·2 − 2·1 + (3 − 1) + 1 + 1 = 2L
        foreach (var length in new long[] { 5, 13 })
        {
            Assert.Equal(new long[] { 5, 2 * length }, ConvTranspose1dOutputPadding.OutputShapeFor(3, length));
            var x = randn(Batch, 3, length);
            var y = Run(net, ConvTranspose1dOutputPadding.OutputShapeFor, x);
            AssertClose(F.conv_transpose1d(x, state["deconv.weight"], state["deconv.bias"], stride: 2, padding: 1, output_padding: 1), y);
        }
    }

    [Fact]
    public void BatchNorm1d_over_a_signal_normalises_each_channel_over_batch_and_length()
    {
        using var scope = NewDisposeScope();
        using var net = new BatchNorm1dSignal();
        Assert.Equal(2 * 6, BatchNorm1dSignal.ParameterCount);
        AssertParameterCount(net, BatchNorm1dSignal.ParameterCount);
        net.train();
        foreach (var length in new long[] { 7, 20 })
        {
            var x = (randn(4, 6, length) * 3) + 5;
            var y = Run(net, BatchNorm1dSignal.OutputShapeFor, x, batch: 4);
            var dims = new long[] { 0, 2 };
            AssertClose(zeros(6), y.mean(dims), atol: 1e-4);
            AssertClose(ones(6), y.var(dims, unbiased: false), atol: 1e-3);
        }
    }

    [Fact]
    public void BatchNorm1d_over_features_normalises_each_feature_over_the_batch()
    {
        using var scope = NewDisposeScope();
        using var net = new BatchNorm1dFeatures();
        Assert.Equal((2 * 6 * 3) + 6 + (2 * 6), BatchNorm1dFeatures.ParameterCount);
        AssertParameterCount(net, BatchNorm1dFeatures.ParameterCount);
        net.train();
        var state = State(net);
        foreach (var length in new long[] { 5, 33 })
        {
            Assert.Equal(new long[] { 6 }, BatchNorm1dFeatures.OutputShapeFor(2, length));
            var x = randn(5, 2, length);
            var y = Run(net, BatchNorm1dFeatures.OutputShapeFor, x, batch: 5);
            var features = F.conv1d(x, state["conv.weight"], state["conv.bias"], padding: 1).mean(new long[] { 2 }); // [5, 6]
            var mean = features.mean(new long[] { 0 }, keepdim: true);
            var variance = features.var(new long[] { 0 }, unbiased: false, keepdim: true);
            AssertClose((features - mean) / sqrt(variance + 1e-5), y, atol: 1e-4);
        }
    }

    [Fact]
    public void MaxPool1d_with_stride_and_padding_takes_the_maximum_of_each_padded_window()
    {
        using var scope = NewDisposeScope();
        using var net = new MaxPool1dStrided();
        Assert.Equal(0, MaxPool1dStrided.ParameterCount);
        AssertParameterCount(net, 0);

        // ⌊(L + 2 − 3) / 2⌋ + 1; windows [2i − 1, 2i + 1], the padding never wins.
        foreach (var (length, expected) in new[] { (4L, 2L), (11L, 6L) })
        {
            Assert.Equal(new long[] { 3, expected }, MaxPool1dStrided.OutputShapeFor(3, length));
            var x = randn(Batch, 3, length);
            var y = Run(net, MaxPool1dStrided.OutputShapeFor, x);
            var padded = F.pad(x, new long[] { 1, 1 }, value: double.NegativeInfinity);
            AssertClose(padded.unfold(2, 3, 2).amax(new long[] { -1 }), y);
        }
    }

    [Fact]
    public void AvgPool1d_with_stride_and_padding_averages_each_zero_padded_window()
    {
        using var scope = NewDisposeScope();
        using var net = new AvgPool1dPadded();
        AssertParameterCount(net, AvgPool1dPadded.ParameterCount);

        // ⌊(L + 2 − 2) / 1⌋ + 1 = L + 1; the zero padding counts in the average (count_include_pad, PyTorch's default).
        foreach (var length in new long[] { 3, 10 })
        {
            Assert.Equal(new long[] { 3, length + 1 }, AvgPool1dPadded.OutputShapeFor(3, length));
            var x = randn(Batch, 3, length);
            var y = Run(net, AvgPool1dPadded.OutputShapeFor, x);
            AssertClose(F.pad(x, new long[] { 1, 1 }).unfold(2, 2, 1).mean(new long[] { -1 }), y);
        }
    }

    [Fact]
    public void GroupNorm_starts_with_PyTorchs_affine_parameters()
    {
        // torch.nn.GroupNorm initialises weight to 1 and bias to 0. TorchSharp 0.107's nn.GroupNorm leaves both
        // uninitialised (torch.empty), so the generated layer must initialise them itself.
        using var scope = NewDisposeScope();
        using var net = new GroupNormImage();
        var state = State(net);
        AssertClose(ones(6), state["gn.weight"], atol: 0);
        AssertClose(zeros(6), state["gn.bias"], atol: 0);
    }

    [Fact]
    public void GroupNorm_normalises_each_group_of_an_image_and_of_a_signal()
    {
        using var scope = NewDisposeScope();
        using var image = new GroupNormImage();
        using var signal = new GroupNormSignal();
        // With weight 1 and bias 0 (set here, see GroupNorm_starts_with_PyTorchs_affine_parameters), each group has mean 0 and variance 1.
        using (no_grad())
        {
            foreach (var (key, p) in image.named_parameters().Concat(signal.named_parameters()))
            {
                p.fill_(key.EndsWith("weight", StringComparison.Ordinal) ? 1 : 0);
            }
        }

        Assert.Equal(2 * 6, GroupNormImage.ParameterCount);
        Assert.Equal(2 * 8, GroupNormSignal.ParameterCount);
        AssertParameterCount(image, GroupNormImage.ParameterCount);
        AssertParameterCount(signal, GroupNormSignal.ParameterCount);

        foreach (var example in new[] { new long[] { 6, 5, 7 }, new long[] { 6, 8, 3 } })
        {
            var y = Run(image, GroupNormImage.OutputShapeFor, (randn(new[] { Batch }.Concat(example).ToArray()) * 2) + 1);
            AssertGroupsNormalised(y, 3);
        }

        foreach (var example in new[] { new long[] { 8, 10 }, new long[] { 8, 3 } })
        {
            var y = Run(signal, GroupNormSignal.OutputShapeFor, (randn(new[] { Batch }.Concat(example).ToArray()) * 2) + 1);
            AssertGroupsNormalised(y, 4);
        }
    }

    [Fact]
    public void SiLU_is_x_times_sigmoid_x()
    {
        using var scope = NewDisposeScope();
        using var net = new SiLUNet();
        AssertParameterCount(net, SiLUNet.ParameterCount);
        Assert.Equal(0, SiLUNet.ParameterCount);
        foreach (var t in new long[] { 3, 10 })
        {
            var x = randn(Batch, t, 6) * 3;
            AssertClose(x * (1 / (1 + exp(-x))), Run(net, SiLUNet.OutputShapeFor, x));
        }
    }

    [Fact]
    public void LeakyReLU_keeps_positives_and_scales_negatives_by_its_slope()
    {
        using var scope = NewDisposeScope();
        using var net = new LeakyReLUNet();
        AssertParameterCount(net, LeakyReLUNet.ParameterCount);
        var fixedValues = tensor(new float[] { -1, 2, 0, -5, 0.5f, -0.25f, 3, -2 }).view(1, 2, 4);
        var y = Run(net, LeakyReLUNet.OutputShapeFor, fixedValues, batch: 1);
        AssertClose(tensor(new float[] { -0.2f, 2, 0, -1, 0.5f, -0.05f, 3, -0.4f }).view(1, 2, 4), y);
        Assert.Equal(-0.2f, y[0, 0, 0].item<float>(), 6);

        var x = randn(Batch, 9, 4);
        AssertClose(where(x > 0, x, x * 0.2), Run(net, LeakyReLUNet.OutputShapeFor, x));
    }

    [Fact]
    public void Softmax_rows_are_probabilities_over_the_last_dimension()
    {
        using var scope = NewDisposeScope();
        using var net = new SoftmaxNet();
        Assert.Equal((7 * 5) + 5, SoftmaxNet.ParameterCount);
        AssertParameterCount(net, SoftmaxNet.ParameterCount);
        var state = State(net);
        foreach (var t in new long[] { 1, 6 })
        {
            Assert.Equal(new long[] { t, 5 }, SoftmaxNet.OutputShapeFor(t, 7));
            var x = randn(Batch, t, 7) * 4;
            var y = Run(net, SoftmaxNet.OutputShapeFor, x);
            AssertClose(ones(Batch, t), y.sum(new long[] { -1 }), atol: 1e-5);
            Assert.True((y > 0).all().item<bool>(), "a softmax probability is not positive");
            var logits = F.linear(x, state["fc.weight"], state["fc.bias"]);
            AssertClose(exp(logits) / exp(logits).sum(new long[] { -1 }, keepdim: true), y);
        }
    }

    [Fact]
    public void AdaptiveAvgPool2d_gives_its_size_for_any_input_and_a_plain_average_pool_when_the_size_divides()
    {
        using var scope = NewDisposeScope();
        using var net = new AdaptivePool2dNet();
        AssertParameterCount(net, AdaptivePool2dNet.ParameterCount);
        foreach (var example in new[] { new long[] { 2, 7, 5 }, new long[] { 2, 12, 9 } })
        {
            Assert.Equal(new long[] { 2, 3, 2 }, AdaptivePool2dNet.OutputShapeFor(example));
            Run(net, AdaptivePool2dNet.OutputShapeFor, randn(new[] { Batch }.Concat(example).ToArray()));
        }

        var x = randn(Batch, 2, 9, 4); // 9 / 3 and 4 / 2: windows 3×2
        AssertClose(F.avg_pool2d(x, new long[] { 3, 2 }), Run(net, AdaptivePool2dNet.OutputShapeFor, x));
    }

    [Fact]
    public void AdaptiveAvgPool1d_gives_its_length_for_any_input_and_a_plain_average_pool_when_the_length_divides()
    {
        using var scope = NewDisposeScope();
        using var net = new AdaptivePool1dNet();
        AssertParameterCount(net, AdaptivePool1dNet.ParameterCount);
        foreach (var (length, kernel) in new[] { (10L, 2L), (15L, 3L) })
        {
            var x = randn(Batch, 3, length);
            AssertClose(F.avg_pool1d(x, kernel), Run(net, AdaptivePool1dNet.OutputShapeFor, x));
        }

        Assert.Equal(new long[] { 3, 5 }, AdaptivePool1dNet.OutputShapeFor(3, 7));
        Run(net, AdaptivePool1dNet.OutputShapeFor, randn(Batch, 3, 7));
    }

    [Fact]
    public void GlobalAvgPool_of_a_sequence_is_the_mean_over_positions()
    {
        using var scope = NewDisposeScope();
        using var net = new GlobalPoolSequence();
        AssertParameterCount(net, GlobalPoolSequence.ParameterCount);
        foreach (var t in new long[] { 4, 11 })
        {
            Assert.Equal(new long[] { 8 }, GlobalPoolSequence.OutputShapeFor(t, 8));
            var x = randn(Batch, t, 8);
            AssertClose(x.mean(new long[] { 1 }), Run(net, GlobalPoolSequence.OutputShapeFor, x));
        }
    }

    [Fact]
    public void GlobalAvgPool_of_a_signal_is_the_mean_over_the_length()
    {
        using var scope = NewDisposeScope();
        using var net = new GlobalPoolSignal();
        AssertParameterCount(net, GlobalPoolSignal.ParameterCount);
        foreach (var length in new long[] { 3, 12 })
        {
            Assert.Equal(new long[] { 5 }, GlobalPoolSignal.OutputShapeFor(5, length));
            var x = randn(Batch, 5, length);
            AssertClose(x.mean(new long[] { 2 }), Run(net, GlobalPoolSignal.OutputShapeFor, x));
        }
    }

    [Fact]
    public void Transpose_swaps_the_last_two_dimensions_both_ways()
    {
        using var scope = NewDisposeScope();
        using var toSignal = new TransposeSequence();
        using var toSequence = new TransposeSignal();
        AssertParameterCount(toSignal, TransposeSequence.ParameterCount);
        Assert.Equal(2 * 3, TransposeSignal.ParameterCount);
        AssertParameterCount(toSequence, TransposeSignal.ParameterCount);
        foreach (var n in new long[] { 1, 9 })
        {
            Assert.Equal(new long[] { 6, n }, TransposeSequence.OutputShapeFor(n, 6));
            var x = randn(Batch, n, 6);
            AssertClose(x.transpose(1, 2), Run(toSignal, TransposeSequence.OutputShapeFor, x));

            Assert.Equal(new long[] { n, 3 }, TransposeSignal.OutputShapeFor(3, n));
            var s = randn(Batch, 3, n);
            var t = s.transpose(1, 2);
            var normalised = (t - t.mean(new long[] { -1 }, keepdim: true)) / sqrt(t.var(new long[] { -1 }, unbiased: false, keepdim: true) + 1e-5);
            AssertClose(normalised, Run(toSequence, TransposeSignal.OutputShapeFor, s), atol: 1e-4);
        }
    }

    [Fact]
    public void Transpose_between_a_Linear_and_a_Conv1d()
    {
        using var scope = NewDisposeScope();
        using var net = new LinearTransposeConv();
        Assert.Equal((6 * 8) + 8 + (8 * 4 * 3) + 4, LinearTransposeConv.ParameterCount);
        AssertParameterCount(net, LinearTransposeConv.ParameterCount);
        var state = State(net);
        foreach (var t in new long[] { 2, 13 })
        {
            Assert.Equal(new long[] { 4, t }, LinearTransposeConv.OutputShapeFor(t, 6));
            var x = randn(Batch, t, 6);
            var projected = F.linear(x, state["proj.weight"], state["proj.bias"]);
            var expected = F.conv1d(projected.transpose(1, 2), state["conv.weight"], state["conv.bias"], padding: 1);
            AssertClose(expected, Run(net, LinearTransposeConv.OutputShapeFor, x));
        }
    }

    [Fact]
    public void PositionalEmbedding_adds_the_first_T_position_vectors()
    {
        using var scope = NewDisposeScope();
        using var net = new PositionalNet();
        Assert.Equal((50 * 8) + (16 * 8), PositionalNet.ParameterCount);
        AssertParameterCount(net, PositionalNet.ParameterCount);
        var state = State(net);
        Assert.Equal(new long[] { 16, 8 }, state["pos.weight"].shape);
        foreach (var t in new long[] { 1, 16 })
        {
            Assert.Equal(new long[] { t, 8 }, PositionalNet.OutputShapeFor(t));
            var ids = randint(0, 50, new long[] { Batch, t }, dtype: ScalarType.Int64);
            var tokens = state["embed.weight"].index_select(0, ids.flatten()).view(Batch, t, 8);
            var expected = tokens + state["pos.weight"].narrow(0, 0, t);
            AssertClose(expected, Run(net, PositionalNet.OutputShapeFor, ids));
        }

        using var tooLong = randint(0, 50, new long[] { Batch, 17 }, dtype: ScalarType.Int64);
        var error = Assert.Throws<ArgumentException>(() => net.call(tooLong));
        Assert.Contains("Max = 16", error.Message);
        Assert.Throws<ArgumentException>(() => PositionalNet.OutputShapeFor(17));
    }

    [Fact]
    public void PositionalEmbedding_trains_the_positions_it_uses_only()
    {
        using var scope = NewDisposeScope();
        using var net = new PositionalNet();
        const long t = 5;
        var ids = randint(0, 50, new long[] { Batch, t }, dtype: ScalarType.Int64);
        net.call(ids).square().mean().backward();
        var grad = net.named_parameters().Single(p => p.name == "pos.weight").parameter.grad!;
        Assert.True(grad.narrow(0, 0, t).abs().sum(new long[] { 1 }).gt(0).all().item<bool>(), "a used position has no gradient");
        Assert.Equal(0f, grad.narrow(0, t, 16 - t).abs().sum().item<float>());
    }

    [Fact]
    public void MultiHeadAttention_matches_torch_MultiheadAttention_with_and_without_a_causal_mask()
    {
        using var scope = NewDisposeScope();
        using var causal = new CausalAttentionNet();
        using var full = new FullAttentionNet();
        Assert.Equal((4 * 8 * 8) + (4 * 8), CausalAttentionNet.ParameterCount);
        Assert.Equal(CausalAttentionNet.ParameterCount, FullAttentionNet.ParameterCount);
        AssertParameterCount(causal, CausalAttentionNet.ParameterCount);
        AssertParameterCount(full, FullAttentionNet.ParameterCount);
        causal.eval();
        full.eval();

        foreach (var (net, isCausal) in new[] { ((nn.Module<Tensor, Tensor>)causal, true), (full, false) })
        {
            // torch.nn.MultiheadAttention's state_dict names, so its weights load into PyTorch's (and TorchSharp's) module.
            using var reference = nn.MultiheadAttention(8, 2);
            reference.eval();
            var weights = State(net).ToDictionary(p => p.Key.Substring("attn.".Length), p => p.Value);
            Assert.Equal(new[] { "in_proj_bias", "in_proj_weight", "out_proj.bias", "out_proj.weight" }, weights.Keys.OrderBy(k => k, StringComparer.Ordinal));
            reference.load_state_dict(weights);

            foreach (var t in new long[] { 5, 9 })
            {
                Assert.Equal(new long[] { t, 8 }, CausalAttentionNet.OutputShapeFor(t, 8));
                var x = randn(Batch, t, 8);
                var y = Run(net, isCausal ? CausalAttentionNet.OutputShapeFor : FullAttentionNet.OutputShapeFor, x);
                var mask = isCausal ? triu(torch.full(t, t, double.NegativeInfinity), 1) : null;
                var seq = x.transpose(0, 1); // [T, N, D]
                var (expected, _) = reference.call(seq, seq, seq, null, false, mask);
                AssertClose(expected.transpose(0, 1), y, atol: 1e-5);
            }
        }
    }

    [Fact]
    public void Causal_attention_does_not_look_ahead_and_full_attention_does()
    {
        using var scope = NewDisposeScope();
        using var causal = new CausalAttentionNet();
        using var full = new FullAttentionNet();
        causal.eval();
        full.eval();
        const long t = 7, changed = 4;
        var x = randn(Batch, t, 8);
        var x2 = x.clone();
        x2[.., (int)changed, ..] = randn(Batch, 8);

        var before = causal.call(x);
        var after = causal.call(x2);
        AssertClose(before[.., ..(int)changed, ..], after[.., ..(int)changed, ..], atol: 1e-6);
        for (var position = changed; position < t; position++)
        {
            Assert.False(before[.., (int)position, ..].allclose(after[.., (int)position, ..], rtol: 1e-4, atol: 1e-5),
                $"causal attention: changing token {changed} did not change position {position}");
        }

        var fullBefore = full.call(x);
        var fullAfter = full.call(x2);
        for (var position = 0; position < t; position++)
        {
            Assert.False(fullBefore[.., position, ..].allclose(fullAfter[.., position, ..], rtol: 1e-4, atol: 1e-5),
                $"full attention: changing token {changed} did not change position {position}");
        }
    }

    [Fact]
    public void Module_with_a_channels_constructor_gets_the_inferred_channels()
    {
        using var scope = NewDisposeScope();
        using var net = new WithChannelsModule();
        Assert.Equal((3 * 6 * 3 * 3) + 6, WithChannelsModule.ParameterCount); // the convolution only
        var user = net.modules().OfType<ChannelScale>().Single();
        Assert.Equal(6, user.InChannels);
        AssertParameterCount(net, WithChannelsModule.ParameterCount + ModuleFacts.ParameterCount(user));
        Assert.Equal(WithChannelsModule.ParameterCount + 6, ModuleFacts.ParameterCount(net));
        Assert.Contains("unknown", WithChannelsModule.Summary);

        var state = State(net);
        foreach (var example in new[] { new long[] { 3, 5, 6 }, new long[] { 3, 8, 8 } })
        {
            Assert.Equal(new long[] { 6, example[1], example[2] }, WithChannelsModule.OutputShapeFor(example));
            var x = randn(new[] { Batch }.Concat(example).ToArray());
            var expected = F.relu(F.conv2d(x, state["conv.weight"], state["conv.bias"], padding: new long[] { 1, 1 }) * 2);
            AssertClose(expected, Run(net, WithChannelsModule.OutputShapeFor, x));
        }
    }

    [Fact]
    public void Module_with_a_parameterless_constructor_and_Channels()
    {
        using var scope = NewDisposeScope();
        using var net = new WithParameterlessModule();
        Assert.Equal(2 * 8, WithParameterlessModule.ParameterCount); // the batch norm over the declared 8 channels
        var user = net.modules().OfType<FixedMix>().Single();
        Assert.Equal((4 * 8) + 8, ModuleFacts.ParameterCount(user));
        AssertParameterCount(net, WithParameterlessModule.ParameterCount + ModuleFacts.ParameterCount(user));
        foreach (var length in new long[] { 6, 17 })
        {
            Assert.Equal(new long[] { 8, length }, WithParameterlessModule.OutputShapeFor(4, length));
            Run(net, WithParameterlessModule.OutputShapeFor, randn(Batch, 4, length));
        }
    }

    [Fact]
    public void Module_with_a_declared_Shape()
    {
        using var scope = NewDisposeScope();
        using var net = new WithShapedModule();
        Assert.Equal((8 * 2) + 2, WithShapedModule.ParameterCount); // the 1×1 convolution from the declared 8 channels
        var user = net.modules().OfType<RepeatChannels>().Single();
        AssertParameterCount(net, WithShapedModule.ParameterCount + ModuleFacts.ParameterCount(user));
        Assert.Equal(1, ModuleFacts.ParameterCount(user));
        foreach (var length in new long[] { 5, 9 })
        {
            Assert.Equal(new long[] { 2, length }, WithShapedModule.OutputShapeFor(4, length));
            Run(net, WithShapedModule.OutputShapeFor, randn(Batch, 4, length));
        }
    }

    [Fact]
    public void Module_that_returns_another_shape_than_declared_fails_at_the_first_call_naming_the_layer()
    {
        using var scope = NewDisposeScope();
        using var net = new WithWrongModule();
        Assert.Equal(new long[] { 2, 6 }, WithWrongModule.OutputShapeFor(4, 6)); // as declared: the shape is checked at run time
        var x = randn(Batch, 4, 6);
        var error = Assert.Throws<ArgumentException>(() => net.call(x));
        Assert.Contains("'liar'", error.Message);
        Assert.Contains("[2, 4, 6]", error.Message); // what it returned
        Assert.Matches(@"\b8\b", error.Message); // the channels it declared
    }

    /// <summary>Runs a batch and checks its shape against the compile-time shape function: [batch] + OutputShapeFor(example).</summary>
    private static Tensor Run(nn.Module<Tensor, Tensor> net, Func<long[], long[]> outputShapeFor, Tensor input, long batch = Batch)
    {
        Assert.Equal(batch, input.shape[0]);
        var example = input.shape.Skip(1).ToArray();
        var y = net.call(input);
        Assert.Equal(new[] { batch }.Concat(outputShapeFor(example)).ToArray(), y.shape);
        return y;
    }

    private static void AssertParameterCount(nn.Module module, long expected) => Assert.Equal(expected, ModuleFacts.ParameterCount(module));

    private static Dictionary<string, Tensor> State(nn.Module module) => module.state_dict().ToDictionary(p => p.Key, p => p.Value);

    private static void AssertClose(Tensor expected, Tensor actual, double atol = 1e-5)
    {
        Assert.Equal(expected.shape, actual.shape);
        var difference = (expected - actual).abs().max().item<float>();
        var values = actual.numel() <= 16 ? $": expected {Values(expected)}, got {Values(actual)}" : "";
        Assert.True(expected.allclose(actual, rtol: 1e-4, atol: atol), $"largest difference {difference}{values}");
    }

    private static string Values(Tensor t) =>
        "[" + string.Join(", ", t.to_type(ScalarType.Float32).data<float>().ToArray().Select(v => v.ToString("G4", System.Globalization.CultureInfo.InvariantCulture))) + "]";

    /// <summary>Every group of channels of every example has mean 0 and variance 1 (GroupNorm with its initial affine 1, 0).</summary>
    private static void AssertGroupsNormalised(Tensor y, long groups)
    {
        var grouped = y.reshape(y.shape[0], groups, -1);
        AssertClose(zeros(y.shape[0], groups), grouped.mean(new long[] { -1 }), atol: 1e-4);
        AssertClose(ones(y.shape[0], groups), grouped.var(new long[] { -1 }, unbiased: false), atol: 1e-3);
    }
}
