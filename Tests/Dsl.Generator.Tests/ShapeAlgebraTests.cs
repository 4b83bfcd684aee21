using System.Linq;
using Dsl.Generator.Common;
using Dsl.Generator.Layers;
using Dsl.Generator.Parsing;
using Dsl.Generator.Shapes;
using Dsl.Generator.Tests.Infrastructure;
using Xunit;

namespace Dsl.Generator.Tests;

/// <summary>
/// The pure shape functions of <see cref="LayerShapes"/> against PyTorch's formulas and results:
/// out = ⌊(in + 2·pad − dil·(k−1) − 1) / stride⌋ + 1 for convolutions and pools;
/// out = (in − 1)·stride − 2·pad + dil·(k−1) + out_pad + 1 for transposed convolutions.
/// Every expected value below is what <c>torch.nn.Conv2d</c> / <c>MaxPool2d</c> / <c>ConvTranspose2d</c> return.
/// </summary>
public class ShapeAlgebraTests
{
    [Fact]
    public void A_shapes_kept_text_and_count_change_neither_its_equality_nor_a_copy()
    {
        var a = Shape.Fixed(16, 28, 28);
        var b = Shape.Fixed(16, 28, 28);
        Assert.Equal("[N, 16, 28, 28]", a.ToString());
        Assert.Equal(12544, a.Elements.Value);
        Assert.Equal(a, b); // b has made neither
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.NotEqual(a, a.WithLayout(Layout.Signal));

        var copy = a with { Dims = Shape.Fixed(8, 14).Dims };
        Assert.Equal("[N, 8, 14]", copy.ToString());
        Assert.Equal(112, copy.Elements.Value);
        Assert.Equal("[N]", new Shape(Layout.Vector).ToString());
    }

    [Theory]
    //          in  k  s  p  d  out
    [InlineData(28, 3, 1, 1, 1, 28)] // "same" 3×3 convolution
    [InlineData(28, 3, 1, 0, 1, 26)] // valid 3×3 convolution
    [InlineData(28, 3, 2, 1, 1, 14)] // strided 3×3, padding 1: halves
    [InlineData(28, 5, 1, 0, 2, 20)] // k5 d2: effective kernel 9
    [InlineData(28, 3, 2, 2, 2, 14)] // dilation and stride together
    [InlineData(224, 7, 2, 3, 1, 112)] // the ResNet stem
    [InlineData(32, 7, 2, 3, 1, 16)]
    [InlineData(28, 1, 1, 0, 1, 28)] // 1×1 convolution
    [InlineData(28, 1, 2, 0, 1, 14)] // strided 1×1 (a ResNet projection)
    [InlineData(7, 1, 2, 0, 1, 4)] // ⌊6/2⌋ + 1: odd sizes round up for 1×1
    [InlineData(5, 5, 1, 0, 1, 1)] // kernel as large as the input
    [InlineData(5, 3, 3, 0, 1, 1)] // ⌊2/3⌋ + 1: the remainder is dropped
    [InlineData(6, 3, 3, 0, 1, 2)]
    [InlineData(1, 3, 1, 1, 1, 1)] // padding keeps a 1-pixel image alive
    public void ConvolvedSize_follows_the_PyTorch_convolution_formula(int size, int kernel, int stride, int padding, int dilation, int expected)
    {
        Assert.Equal(expected, LayerShapes.ConvolvedSize(size, kernel, stride, padding, dilation));
        Assert.Equal(expected, Formula.Convolved(size, kernel, stride, padding, dilation));
    }

    [Theory]
    //          in  k  s  p  out   (pools: dilation 1)
    [InlineData(7, 3, 2, 1, 4)] // maxpool k3 s2 p1 on 7
    [InlineData(112, 3, 2, 1, 56)] // the ResNet max pool
    [InlineData(28, 2, 2, 0, 14)] // the classic 2×2 pool
    [InlineData(7, 2, 2, 0, 3)] // floor mode: the last row is dropped
    [InlineData(5, 2, 2, 0, 2)]
    [InlineData(10, 3, 3, 0, 3)] // avgpool k3 (default stride 3) on 10
    [InlineData(9, 3, 3, 0, 3)]
    [InlineData(4, 4, 4, 0, 1)] // a window over the whole image
    public void ConvolvedSize_gives_PyTorch_pool_sizes(int size, int kernel, int stride, int padding, int expected)
    {
        Assert.Equal(expected, LayerShapes.ConvolvedSize(size, kernel, stride, padding, 1));
    }

    [Theory]
    //          in  k  s  p  d  out   negative numerators round towards −∞ (the layer is then rejected)
    [InlineData(2, 5, 1, 0, 1, -2)]
    [InlineData(3, 5, 2, 0, 1, 0)] // ⌊−2/2⌋ + 1
    [InlineData(2, 5, 2, 0, 1, -1)] // ⌊−3/2⌋ + 1 = −1, not 0 as truncation would give
    [InlineData(4, 3, 1, 0, 2, 0)]
    public void ConvolvedSize_floors_negative_numerators(int size, int kernel, int stride, int padding, int dilation, int expected)
    {
        Assert.Equal(expected, LayerShapes.ConvolvedSize(size, kernel, stride, padding, dilation));
        Assert.Equal(expected, Formula.Convolved(size, kernel, stride, padding, dilation));
    }

    [Theory]
    //          in  k  s  p  op d  out
    [InlineData(7, 4, 2, 1, 0, 1, 14)] // ConvTranspose k4 s2 p1 doubles
    [InlineData(14, 2, 2, 0, 0, 1, 28)] // k2 s2: the U-Net up-convolution
    [InlineData(7, 3, 2, 1, 1, 1, 14)] // k3 s2 p1 op1: the inverse of a halving 3×3 convolution
    [InlineData(7, 3, 2, 1, 0, 1, 13)] // … and without the output padding
    [InlineData(1, 4, 1, 0, 0, 1, 4)] // DCGAN: 1×1 → 4×4
    [InlineData(4, 4, 2, 1, 0, 1, 8)] // DCGAN: 4×4 → 8×8
    [InlineData(5, 3, 1, 0, 0, 1, 7)] // stride 1 grows by k − 1
    [InlineData(5, 3, 1, 1, 0, 1, 5)] // … padding 1 keeps the size
    [InlineData(4, 3, 1, 1, 0, 2, 6)] // dilation 2
    [InlineData(3, 3, 3, 0, 2, 1, 11)] // output padding 2 with stride 3
    [InlineData(1, 1, 1, 0, 0, 1, 1)]
    public void TransposedSize_follows_the_PyTorch_transposed_convolution_formula(
        int size, int kernel, int stride, int padding, int outputPadding, int dilation, int expected)
    {
        Assert.Equal(expected, LayerShapes.TransposedSize(size, kernel, stride, padding, outputPadding, dilation));
        Assert.Equal(expected, (((size - 1) * stride) - (2 * padding) + (dilation * (kernel - 1)) + outputPadding + 1));
    }

    [Fact]
    public void TransposedSize_with_the_right_output_padding_inverts_ConvolvedSize()
    {
        // PyTorch's documented use of output_padding: it picks which of the inputs that convolve to the same size
        // the transposed convolution restores.
        foreach (var size in Enumerable.Range(1, 40))
        {
            foreach (var kernel in new[] { 1, 2, 3, 4, 5 })
            {
                foreach (var stride in new[] { 1, 2, 3 })
                {
                    foreach (var padding in Enumerable.Range(0, (kernel / 2) + 1))
                    {
                        foreach (var dilation in new[] { 1, 2 })
                        {
                            var down = LayerShapes.ConvolvedSize(size, kernel, stride, padding, dilation);
                            if (down <= 0)
                            {
                                continue;
                            }

                            var outputPadding = (size + (2 * padding) - (dilation * (kernel - 1)) - 1) % stride;
                            Assert.Equal(size, LayerShapes.TransposedSize(down, kernel, stride, padding, outputPadding, dilation));
                        }
                    }
                }
            }
        }
    }

    [Fact]
    public void ConvolvedSize_agrees_with_the_formula_over_a_grid()
    {
        foreach (var size in Enumerable.Range(1, 30))
        {
            foreach (var kernel in Enumerable.Range(1, 7))
            {
                foreach (var stride in Enumerable.Range(1, 4))
                {
                    foreach (var padding in Enumerable.Range(0, 4))
                    {
                        foreach (var dilation in Enumerable.Range(1, 3))
                        {
                            Assert.Equal(
                                Formula.Convolved(size, kernel, stride, padding, dilation),
                                LayerShapes.ConvolvedSize(size, kernel, stride, padding, dilation));
                        }
                    }
                }
            }
        }
    }

    [Theory]
    [InlineData(16, 3, 16)] // a written count is kept
    [InlineData(1, 64, 1)]
    [InlineData(Channels.Same, 3, 3)]
    [InlineData(Channels.Double, 16, 32)]
    [InlineData(Channels.Triple, 5, 15)]
    [InlineData(Channels.Quadruple, 32, 128)]
    [InlineData(-7, 2, 14)] // −k means k × the input
    public void ResolveChannels_reads_negative_counts_as_multiples_of_the_input(int written, int input, int expected)
    {
        Assert.Equal(expected, LayerShapes.ResolveChannels(written, input));
    }

    [Fact]
    public void The_Channels_constants_are_the_negative_multiples()
    {
        Assert.Equal(-1, Channels.Same);
        Assert.Equal(-2, Channels.Double);
        Assert.Equal(-3, Channels.Triple);
        Assert.Equal(-4, Channels.Quadruple);
    }

    // ---- Infer: one pure function per layer kind ----

    [Fact]
    public void Infer_Conv2d_gives_the_output_shape_channels_and_PyTorch_parameter_count()
    {
        var shape = Infer(Layer("Conv2d", ("OutChannels", 8), ("KernelSize", 3), ("Stride", 2), ("Padding", 1)), 3, 28, 28);

        AssertOk(shape, new[] { 8, 14, 14 }, (8 * 3 * 3 * 3) + 8, 3, 8);
    }

    [Fact]
    public void Infer_Conv2d_without_bias_and_with_groups_divides_the_weight()
    {
        // weight [out, in / groups, k, k]
        var shape = Infer(Layer("Conv2d", ("OutChannels", 8), ("KernelSize", 3), ("Padding", 1), ("Groups", 4), ("Bias", 0)), 4, 10, 10);

        AssertOk(shape, new[] { 8, 10, 10 }, 8 * (4 / 4) * 3 * 3, 4, 8);
    }

    [Fact]
    public void Infer_Conv2d_with_dilation_and_relative_channels()
    {
        var shape = Infer(Layer("Conv2d", ("OutChannels", Channels.Double), ("KernelSize", 5), ("Dilation", 2)), 6, 28, 28);

        AssertOk(shape, new[] { 12, 20, 20 }, (12 * 6 * 5 * 5) + 12, 6, 12);
    }

    [Fact]
    public void Infer_Conv2d_rejects_groups_that_do_not_divide_the_channels()
    {
        var shape = Infer(Layer("Conv2d", ("OutChannels", 8), ("KernelSize", 3), ("Groups", 3)), 6, 10, 10);

        AssertError(shape, "DSL009");
    }

    [Fact]
    public void Infer_Conv2d_rejects_an_input_smaller_than_the_kernel()
    {
        var shape = Infer(Layer("Conv2d", ("OutChannels", 8), ("KernelSize", 5)), 3, 4, 4);

        AssertError(shape, "DSL007");
    }

    [Theory]
    [InlineData("Conv2d")]
    [InlineData("ConvTranspose2d")]
    [InlineData("MaxPool2d")]
    [InlineData("AvgPool2d")]
    [InlineData("BatchNorm2d")]
    [InlineData("GlobalAvgPool")]
    [InlineData("Upsample")]
    public void Infer_of_an_image_layer_on_a_vector_is_a_rank_error(string kind)
    {
        var shape = Infer(Layer(kind, ("OutChannels", 4), ("KernelSize", 2), ("Scale", 2)), 10);

        AssertError(shape, "DSL008");
    }

    [Fact]
    public void Infer_ConvTranspose2d_gives_the_output_shape_and_PyTorch_parameter_count()
    {
        // weight [in, out, k, k] + bias [out]
        var shape = Infer(Layer("ConvTranspose2d", ("OutChannels", 8), ("KernelSize", 4), ("Stride", 2), ("Padding", 1)), 16, 7, 7);

        AssertOk(shape, new[] { 8, 14, 14 }, (16 * 8 * 4 * 4) + 8, 16, 8);
    }

    [Fact]
    public void Infer_ConvTranspose2d_with_output_padding_and_no_bias()
    {
        var shape = Infer(
            Layer("ConvTranspose2d", ("OutChannels", 4), ("KernelSize", 3), ("Stride", 2), ("Padding", 1), ("OutputPadding", 1), ("Bias", 0)),
            8, 7, 7);

        AssertOk(shape, new[] { 4, 14, 14 }, 8 * 4 * 3 * 3, 8, 4);
    }

    [Fact]
    public void Infer_ConvTranspose2d_rejects_padding_that_removes_everything()
    {
        var shape = Infer(Layer("ConvTranspose2d", ("OutChannels", 4), ("KernelSize", 1), ("Padding", 1)), 4, 1, 1);

        AssertError(shape, "DSL007");
    }

    [Theory]
    [InlineData("MaxPool2d")]
    [InlineData("AvgPool2d")]
    public void Infer_pool_defaults_its_stride_to_the_kernel(string kind)
    {
        var shape = Infer(Layer(kind, ("KernelSize", 3)), 5, 10, 10);

        AssertOk(shape, new[] { 5, 3, 3 }, 0, 5, 5);
    }

    [Theory]
    [InlineData("MaxPool2d")]
    [InlineData("AvgPool2d")]
    public void Infer_pool_with_stride_and_padding(string kind)
    {
        var shape = Infer(Layer(kind, ("KernelSize", 3), ("Stride", 2), ("Padding", 1)), 2, 7, 7);

        AssertOk(shape, new[] { 2, 4, 4 }, 0, 2, 2);
    }

    [Fact]
    public void Infer_pool_rejects_a_window_larger_than_the_input()
    {
        var shape = Infer(Layer("MaxPool2d", ("KernelSize", 4)), 2, 3, 3);

        AssertError(shape, "DSL007");
    }

    [Fact]
    public void Infer_Linear_on_a_vector()
    {
        var shape = Infer(Layer("Linear", ("OutFeatures", 10)), 20);

        AssertOk(shape, new[] { 10 }, (20 * 10) + 10, 20, 10);
    }

    [Fact]
    public void Infer_Linear_on_a_sequence_maps_only_the_last_dimension()
    {
        var shape = Infer(Layer("Linear", ("OutFeatures", Channels.Quadruple), ("Bias", 0)), 6, 8);

        AssertOk(shape, new[] { 6, 32 }, 8 * 32, 8, 32);
    }

    [Fact]
    public void Infer_Linear_on_an_image_is_a_rank_error()
    {
        AssertError(Infer(Layer("Linear", ("OutFeatures", 10)), 3, 4, 4), "DSL008");
    }

    [Fact]
    public void Infer_BatchNorm2d_has_a_weight_and_a_bias_per_channel()
    {
        AssertOk(Infer(Layer("BatchNorm2d"), 16, 5, 5), new[] { 16, 5, 5 }, 2 * 16, 16, 16);
    }

    [Theory]
    [InlineData(new[] { 12 })]
    [InlineData(new[] { 5, 12 })]
    public void Infer_LayerNorm_normalises_the_last_dimension(int[] input)
    {
        AssertOk(Infer(Layer("LayerNorm"), input), input, 2 * 12, 12, 12);
    }

    [Fact]
    public void Infer_LayerNorm_on_an_image_is_a_rank_error()
    {
        AssertError(Infer(Layer("LayerNorm"), 3, 4, 4), "DSL008");
    }

    [Theory]
    [InlineData("ReLU")]
    [InlineData("GELU")]
    [InlineData("Sigmoid")]
    [InlineData("Tanh")]
    [InlineData("Dropout")]
    public void Infer_elementwise_layers_keep_any_shape_and_have_no_parameters(string kind)
    {
        foreach (var input in new[] { new[] { 7 }, new[] { 4, 7 }, new[] { 3, 5, 5 } })
        {
            var shape = Infer(Layer(kind), input);
            Assert.Null(shape.Error);
            Assert.Equal(input.Select(i => (long)i), Values(shape.Output!));
            Assert.Equal(0, shape.Parameters);
        }
    }

    [Fact]
    public void Infer_GlobalAvgPool_keeps_the_channels()
    {
        AssertOk(Infer(Layer("GlobalAvgPool"), 64, 7, 7), new[] { 64 }, 0, 64, 64);
    }

    [Theory]
    [InlineData(new[] { 3, 4, 5 }, 60)]
    [InlineData(new[] { 6, 8 }, 48)]
    [InlineData(new[] { 9 }, 9)]
    public void Infer_Flatten_multiplies_every_dimension_after_the_batch(int[] input, int expected)
    {
        var shape = Infer(Layer("Flatten"), input);

        Assert.Null(shape.Error);
        Assert.Equal(new[] { (long)expected }, Values(shape.Output!));
        Assert.Equal(0, shape.Parameters);
    }

    [Fact]
    public void Infer_Upsample_scales_height_and_width()
    {
        var shape = Infer(Layer("Upsample", ("Scale", 3)), 4, 5, 6);

        Assert.Null(shape.Error);
        Assert.Equal(new long[] { 4, 15, 18 }, Values(shape.Output!));
        Assert.Equal(0, shape.Parameters);
    }

    [Fact]
    public void Infer_Embedding_adds_a_dimension_and_has_a_row_per_token()
    {
        AssertOk(Infer(Layer("Embedding", ("VocabularySize", 100), ("Dim", 32)), 16), new[] { 16, 32 }, 100 * 32, 0, 32);
    }

    [Fact]
    public void Infer_Embedding_needs_token_ids()
    {
        AssertError(Infer(Layer("Embedding", ("VocabularySize", 100), ("Dim", 32)), 16, 8), "DSL008");
    }

    [Theory]
    [InlineData(32, 4)]
    [InlineData(16, 1)]
    [InlineData(64, 8)]
    public void Infer_MultiHeadAttention_has_PyTorch_in_and_out_projections(int width, int heads)
    {
        // in_proj_weight [3D, D], in_proj_bias [3D], out_proj.weight [D, D], out_proj.bias [D]
        var expected = (3L * width * width) + (3L * width) + ((long)width * width) + width;

        AssertOk(Infer(Layer("MultiHeadAttention", ("Heads", heads)), 10, width), new[] { 10, width }, expected, width, width);
        Assert.Equal((4L * width * width) + (4L * width), expected);
    }

    [Fact]
    public void Infer_MultiHeadAttention_rejects_heads_that_do_not_divide_the_width()
    {
        AssertError(Infer(Layer("MultiHeadAttention", ("Heads", 5)), 10, 32), "DSL010");
    }

    [Fact]
    public void Infer_MultiHeadAttention_needs_a_sequence()
    {
        AssertError(Infer(Layer("MultiHeadAttention", ("Heads", 4)), 32), "DSL008");
    }

    private static LayerDeclaration Layer(string kind, params (string Name, double Value)[] arguments) => TestLayers.Declare(kind, arguments);

    private static LayerResult Infer(LayerDeclaration layer, params long[] input) => TestLayers.Infer(layer, Shape.Fixed(input));

    private static LayerResult Infer(LayerDeclaration layer, int[] input) => Infer(layer, input.Select(i => (long)i).ToArray());

    private static long[] Values(Shape shape) => shape.Dims.Select(d => d.Value).ToArray();

    private static void AssertOk(LayerResult shape, int[] output, long parameters, int inChannels, int outChannels)
    {
        Assert.Null(shape.Error);
        Assert.NotNull(shape.Output);
        Assert.Equal(output.Select(o => (long)o).ToArray(), shape.Output!.Dims.Select(d => d.Value).ToArray());
        Assert.Equal(parameters, shape.Parameters);
        Assert.Equal(inChannels, shape.InChannels);
        Assert.Equal(outChannels, shape.OutChannels);
    }

    private static void AssertError(LayerResult shape, string id)
    {
        Assert.Null(shape.Output);
        Assert.NotNull(shape.Error);
        Assert.Equal(id, shape.Error!.Id);
    }

    /// <summary>PyTorch's formula written out independently, with floor division that rounds towards −∞.</summary>
    private static class Formula
    {
        public static int Convolved(int size, int kernel, int stride, int padding, int dilation)
        {
            var numerator = size + (2 * padding) - (dilation * (kernel - 1)) - 1;
            return (int)System.Math.Floor(numerator / (double)stride) + 1;
        }
    }
}
