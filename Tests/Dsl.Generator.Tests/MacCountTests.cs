using System.Collections.Generic;
using Dsl.Generator.Layers;
using Dsl.Generator.Shapes;
using Dsl.Generator.Shapes.Symbolic;
using Dsl.Generator.Tests.Infrastructure;
using Xunit;

namespace Dsl.Generator.Tests;

/// <summary>
/// Multiply-accumulates per example for each layer kind, against a count written out by hand with the usual
/// conventions: a convolution k^n·(Cin/groups)·Cout per output position, a transposed convolution the same per input
/// position, Linear in·out per position, normalisations one per element (the affine), attention 4·T·D² for its
/// projections plus 2·T²·D for QKᵀ and the weighted sum of V, and nothing for element-wise, pooling and lookups.
/// </summary>
public class MacCountTests
{
    public static TheoryData<string, (string, double)[], long[], Layout, long> Fixed => new()
    {
        { "Conv2d", new[] { ("OutChannels", 16.0), ("KernelSize", 3.0), ("Padding", 1.0) }, new long[] { 3, 28, 28 }, Layout.Image, 3 * 3 * 3 * 16 * 28 * 28 },
        { "Conv2d", new[] { ("OutChannels", 8.0), ("KernelSize", 3.0), ("Stride", 2.0), ("Groups", 2.0) }, new long[] { 4, 9, 9 }, Layout.Image, 3 * 3 * (4 / 2) * 8 * 4 * 4 },
        { "Conv1d", new[] { ("OutChannels", 8.0), ("KernelSize", 5.0) }, new long[] { 2, 20 }, Layout.Signal, 5 * 2 * 8 * 16 },
        { "ConvTranspose2d", new[] { ("OutChannels", 4.0), ("KernelSize", 2.0), ("Stride", 2.0) }, new long[] { 8, 7, 7 }, Layout.Image, 2 * 2 * 8 * 4 * 7 * 7 },
        { "ConvTranspose1d", new[] { ("OutChannels", 4.0), ("KernelSize", 3.0) }, new long[] { 6, 10 }, Layout.Signal, 3 * 6 * 4 * 10 },
        { "Linear", new[] { ("OutFeatures", 10.0) }, new long[] { 20 }, Layout.Vector, 20 * 10 },
        { "Linear", new[] { ("OutFeatures", 10.0) }, new long[] { 7, 20 }, Layout.Sequence, 7 * 20 * 10 },
        { "BatchNorm2d", new (string, double)[0], new long[] { 4, 5, 5 }, Layout.Image, 4 * 5 * 5 },
        { "BatchNorm1d", new (string, double)[0], new long[] { 4, 9 }, Layout.Signal, 4 * 9 },
        { "LayerNorm", new (string, double)[0], new long[] { 6, 12 }, Layout.Sequence, 6 * 12 },
        { "GroupNorm", new[] { ("Groups", 2.0) }, new long[] { 4, 3, 3 }, Layout.Image, 4 * 3 * 3 },
        { "MultiHeadAttention", new[] { ("Heads", 4.0) }, new long[] { 10, 32 }, Layout.Sequence, (4 * 10 * 32 * 32) + (2 * 10 * 10 * 32) },
        { "ReLU", new (string, double)[0], new long[] { 4, 5, 5 }, Layout.Image, 0 },
        { "MaxPool2d", new[] { ("KernelSize", 2.0) }, new long[] { 4, 6, 6 }, Layout.Image, 0 },
        { "AvgPool1d", new[] { ("KernelSize", 2.0) }, new long[] { 4, 6 }, Layout.Signal, 0 },
        { "GlobalAvgPool", new (string, double)[0], new long[] { 4, 6, 6 }, Layout.Image, 0 },
        { "Embedding", new[] { ("VocabularySize", 50.0), ("Dim", 8.0) }, new long[] { 9 }, Layout.Vector, 0 },
        { "PositionalEmbedding", new[] { ("MaxLength", 16.0) }, new long[] { 9, 8 }, Layout.Sequence, 0 },
        { "GELU", new (string, double)[0], new long[] { 7, 20 }, Layout.Sequence, 0 },
        { "SiLU", new (string, double)[0], new long[] { 4, 5, 5 }, Layout.Image, 0 },
        { "LeakyReLU", new[] { ("Slope", 0.2) }, new long[] { 20 }, Layout.Vector, 0 },
        { "Sigmoid", new (string, double)[0], new long[] { 4, 9 }, Layout.Signal, 0 },
        { "Tanh", new (string, double)[0], new long[] { 20 }, Layout.Vector, 0 },
        { "Softmax", new (string, double)[0], new long[] { 7, 20 }, Layout.Sequence, 0 },
        { "Dropout", new[] { ("P", 0.1) }, new long[] { 4, 5, 5 }, Layout.Image, 0 },
        { "AvgPool2d", new[] { ("KernelSize", 2.0) }, new long[] { 4, 6, 6 }, Layout.Image, 0 },
        { "MaxPool1d", new[] { ("KernelSize", 2.0) }, new long[] { 4, 6 }, Layout.Signal, 0 },
        { "AdaptiveAvgPool2d", new[] { ("Height", 2.0), ("Width", 2.0) }, new long[] { 4, 6, 6 }, Layout.Image, 0 },
        { "AdaptiveAvgPool1d", new[] { ("Length", 3.0) }, new long[] { 4, 6 }, Layout.Signal, 0 },
        { "Upsample", new[] { ("Scale", 2.0) }, new long[] { 4, 3, 3 }, Layout.Image, 0 },
        { "Flatten", new (string, double)[0], new long[] { 4, 3, 3 }, Layout.Image, 0 },
        { "Transpose", new (string, double)[0], new long[] { 7, 20 }, Layout.Sequence, 0 },
    };

    /// <summary>Kinds whose hand count needs more than arguments and a shape: a user's module (its cost is unknown, counted 0; see LayerKindTests).</summary>
    private static readonly string[] WithoutHandCount = { "Module" };

    [Fact]
    public void Every_layer_kind_has_a_hand_count()
    {
        var counted = new HashSet<string>(System.StringComparer.Ordinal);
        foreach (var row in Fixed)
        {
            counted.Add((string)row[0]);
        }

        foreach (var definition in LayerRegistry.All)
        {
            Assert.True(counted.Contains(definition.Kind) || System.Array.IndexOf(WithoutHandCount, definition.Kind) >= 0,
                $"{definition.Kind} has no hand count in MacCountTests.Fixed");
        }
    }

    [Theory]
    [MemberData(nameof(Fixed))]
    public void Macs_of_one_layer_equal_the_hand_count(string kind, (string, double)[] arguments, long[] input, Layout layout, long expected)
    {
        var dims = new List<Dim>();
        foreach (var d in input)
        {
            dims.Add(Dim.Of(d));
        }

        var result = TestLayers.Infer(TestLayers.Declare(kind, arguments), new Shape(layout, dims.ToArray()));

        Assert.Null(result.Error);
        Assert.Equal(expected, result.Macs.Value);
    }

    [Fact]
    public void Macs_of_attention_over_a_named_length_are_a_formula_in_T()
    {
        var domain = DimDomain.Empty;
        var result = TestLayers.Infer(TestLayers.Declare("MultiHeadAttention", ("Heads", 2)), new Shape(Layout.Sequence, domain.Named("T"), Dim.Of(16)), domain);

        foreach (var t in new long[] { 1, 7, 100 })
        {
            Assert.Equal((4 * t * 16 * 16) + (2 * t * t * 16), result.Macs.Evaluate(new Dictionary<string, long> { ["T"] = t }));
        }
    }

    [Fact]
    public void Macs_of_a_convolution_over_a_named_size_follow_its_output_size()
    {
        var domain = DimDomain.Empty;
        var result = TestLayers.Infer(TestLayers.Declare("Conv2d", ("OutChannels", 8), ("KernelSize", 3), ("Stride", 2), ("Padding", 1)),
            new Shape(Layout.Image, Dim.Of(3), domain.Named("H"), domain.Named("W")), domain);

        // ⌊(H + 1)/2⌋ × ⌊(W + 1)/2⌋ output positions, each 3·3·3·8.
        Assert.Equal(((33 + 1) / 2) * ((20 + 1) / 2) * 3 * 3 * 3 * 8L, result.Macs.Evaluate(new Dictionary<string, long> { ["H"] = 33, ["W"] = 20 }));
    }
}
