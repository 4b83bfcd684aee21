using System;
using System.Linq;
using Dsl.Examples.Models;
using Dsl.Runtime.Tests.Models;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Dsl.Runtime.Tests;

/// <summary>
/// The examples with named dimensions (TextClassifier [N, T], UNetAnySize [N, 1, H, W], ResidualCnn1d [N, 1, L]) as real
/// TorchSharp modules at several sizes: forward and backward, the runtime shape against <c>OutputShapeFor</c> and against
/// the shape worked out by hand, the parameter count, no leaked intermediates, and the [Dim] constraints at run time.
/// </summary>
public sealed class SymbolicExampleTests
{
    private const int Batch = 3;

    public static TheoryData<string, long[], long[]> Sizes => new()
    {
        // model, one example's input shape, its output shape worked out by hand from the architecture
        { nameof(TextClassifier), new long[] { 1 }, new long[] { 4 } },
        { nameof(TextClassifier), new long[] { 17 }, new long[] { 4 } },
        { nameof(TextClassifier), new long[] { 128 }, new long[] { 4 } },
        { nameof(UNetAnySize), new long[] { 1, 32, 48 }, new long[] { 1, 32, 48 } },
        { nameof(UNetAnySize), new long[] { 1, 4, 4 }, new long[] { 1, 4, 4 } },
        { nameof(UNetAnySize), new long[] { 1, 64, 20 }, new long[] { 1, 64, 20 } },
        { nameof(ResidualCnn1d), new long[] { 1, 16 }, new long[] { 8 } },
        { nameof(ResidualCnn1d), new long[] { 1, 97 }, new long[] { 8 } },
        { nameof(ResidualCnn1d), new long[] { 1, 256 }, new long[] { 8 } },
    };

    [Theory]
    [MemberData(nameof(Sizes))]
    public void Runs_forward_and_backward_at_this_size_with_the_inferred_shape(string name, long[] example, long[] byHand)
    {
        using var scope = NewDisposeScope();
        var (net, firstWeight) = Create(name);
        using var _ = net;
        net.train();

        var inferred = OutputShapeFor(name, example);
        Assert.Equal(byHand, inferred);

        var input = Input(name, example);
        var output = net.call(input);
        Assert.Equal(new long[] { Batch }.Concat(inferred).ToArray(), output.shape);

        output.square().mean().backward();
        var parameters = net.named_parameters().ToList();
        Assert.Equal(firstWeight, parameters[0].name); // the first layer's weight is the first parameter
        var grad = parameters[0].parameter.grad;
        Assert.NotNull(grad);
        Assert.True(grad!.isfinite().all().item<bool>(), $"{name}: the gradient of {firstWeight} is not finite");
        Assert.True(grad.abs().sum().item<float>() > 0, $"{name}: the gradient of {firstWeight} is zero");
        foreach (var (key, p) in parameters)
        {
            Assert.True(p.grad is null || p.grad.isfinite().all().item<bool>(), $"{name}: the gradient of {key} is not finite");
        }
    }

    [Theory]
    [InlineData(nameof(TextClassifier))]
    [InlineData(nameof(UNetAnySize))]
    [InlineData(nameof(ResidualCnn1d))]
    public void Parameter_count_is_the_compile_time_one(string name)
    {
        var (net, _) = Create(name);
        using (net)
        {
            var expected = name switch
            {
                nameof(TextClassifier) => TextClassifier.ParameterCount,
                nameof(UNetAnySize) => UNetAnySize.ParameterCount,
                _ => ResidualCnn1d.ParameterCount,
            };
            Assert.Equal(expected, ModuleFacts.ParameterCount(net));
        }
    }

    [Fact]
    public void Parameter_counts_match_the_architectures_worked_out_by_hand()
    {
        // TextClassifier: embedding 1000·64, positions 128·64, 2 encoder blocks (2 LayerNorms, attention 4·64² + 4·64,
        // 64→256→64 MLP), a final LayerNorm, head 64·4 + 4.
        const long block = (2 * 128) + ((4 * 64 * 64) + (4 * 64)) + ((64 * 256) + 256) + ((256 * 64) + 64);
        Assert.Equal((1000 * 64) + (128 * 64) + (2 * block) + 128 + ((64 * 4) + 4), TextClassifier.ParameterCount);

        // ResidualCnn1d: stem 32·7 (no bias) + bn 64; 4 residual blocks of two bias-free 32·32·3 convolutions + two bns; head 32·8 + 8.
        const long residual = (2 * 32 * 32 * 3) + (2 * 64);
        Assert.Equal((32 * 7) + 64 + (4 * residual) + ((32 * 8) + 8), ResidualCnn1d.ParameterCount);

        // UNetAnySize: the same layers as UNet.
        Assert.Equal(UNet.ParameterCount, UNetAnySize.ParameterCount);
    }

    public static TheoryData<string, long[], string, string, string> BrokenConstraints => new()
    {
        // model, example shape, dimension, value, the constraint it breaks
        { nameof(UNetAnySize), new long[] { 1, 30, 32 }, "H", "30", "MultipleOf = 4" },
        { nameof(UNetAnySize), new long[] { 1, 32, 2 }, "W", "2", "Min = 4" },
        { nameof(UNetAnySize), new long[] { 1, 8, 34 }, "W", "34", "MultipleOf = 4" },
        { nameof(TextClassifier), new long[] { 129 }, "T", "129", "Max = 128" },
        { nameof(ResidualCnn1d), new long[] { 1, 8 }, "L", "8", "Min = 16" },
        { nameof(ResidualCnn1d), new long[] { 1, 15 }, "L", "15", "Min = 16" },
    };

    [Theory]
    [MemberData(nameof(BrokenConstraints))]
    public void Forward_and_OutputShapeFor_reject_a_size_that_breaks_a_Dim_constraint(string name, long[] example, string dim, string value, string constraint)
    {
        var (net, _) = Create(name);
        using (net)
        {
            using var input = Input(name, example);
            var forward = Assert.Throws<ArgumentException>(() => net.call(input));
            var shapeFor = Assert.Throws<ArgumentException>(() => OutputShapeFor(name, example));
            var macsFor = Assert.Throws<ArgumentException>(() => MultiplyAccumulatesFor(name, example));
            foreach (var error in new[] { forward, shapeFor, macsFor })
            {
                Assert.Contains(name, error.Message);
                Assert.Matches($@"\b{dim}\b", error.Message);
                Assert.Matches($@"\b{value}\b", error.Message);
                Assert.Contains(constraint, error.Message);
            }
        }
    }

    [Fact]
    public void MultiplyAccumulatesFor_is_the_hand_count_and_the_fixed_twin_s_constant()
    {
        // UNet is UNetAnySize at 28×28; the summary's formula for UNetAnySize is 14,496·H·W.
        Assert.Equal(UNet.MultiplyAccumulates, UNetAnySize.MultiplyAccumulatesFor(1, 28, 28));
        Assert.Equal(14_496L * 32 * 48, UNetAnySize.MultiplyAccumulatesFor(1, 32, 48));
        // TextClassifier per encoder block: attention 4·T·64² + 2·T²·64, the MLP 2·T·64·256, two LayerNorms 2·64·T;
        // then the final LayerNorm 64·T and the head 64·4.
        foreach (var t in new long[] { 1, 40, 128 })
        {
            var block = (4 * t * 64 * 64) + (2 * t * t * 64) + (2 * t * 64 * 256) + (2 * 64 * t);
            Assert.Equal((2 * block) + (64 * t) + (64 * 4), TextClassifier.MultiplyAccumulatesFor(t));
        }

        // ResidualCnn1d: stem 7·1·32 + its BatchNorm 32 per position; a residual block 2·(3·32·32 + 32) per position,
        // two at L and two at floor(L/2); the head 32·8.
        foreach (var l in new long[] { 16, 97 })
        {
            var block = 2 * ((3 * 32 * 32) + 32);
            Assert.Equal((((7 * 32) + 32) * l) + (2 * block * l) + (2 * block * (l / 2)) + (32 * 8), ResidualCnn1d.MultiplyAccumulatesFor(1, l));
        }
    }

    [Fact]
    public void The_constraints_admit_their_boundary_values()
    {
        // The largest T, the smallest L, the smallest H and W: accepted by OutputShapeFor and by forward.
        Assert.Equal(new long[] { 4 }, TextClassifier.OutputShapeFor(128));
        Assert.Equal(new long[] { 8 }, ResidualCnn1d.OutputShapeFor(1, 16));
        Assert.Equal(new long[] { 1, 4, 8 }, UNetAnySize.OutputShapeFor(1, 4, 8));
        using var net = new ResidualCnn1d();
        using var input = randn(2, 1, 16);
        using var output = net.call(input);
        Assert.Equal(new long[] { 2, 8 }, output.shape);
    }

    public static TheoryData<string, long[], long[]> WrongShapes => new()
    {
        // model, a batch's shape for forward, the same example's shape (no batch) for OutputShapeFor
        { nameof(UNetAnySize), new long[] { 2, 32, 32 }, new long[] { 32, 32 } },            // rank 3 instead of 4
        { nameof(UNetAnySize), new long[] { 2, 1, 1, 32, 32 }, new long[] { 1, 1, 32, 32 } }, // rank 5
        { nameof(UNetAnySize), new long[] { 2, 3, 32, 32 }, new long[] { 3, 32, 32 } },      // 3 channels instead of 1
        { nameof(ResidualCnn1d), new long[] { 2, 64 }, new long[] { 64 } },                   // rank 2 instead of 3
        { nameof(ResidualCnn1d), new long[] { 2, 2, 64 }, new long[] { 2, 64 } },             // 2 channels instead of 1
        { nameof(TextClassifier), new long[] { 2, 16, 1 }, new long[] { 16, 1 } },            // rank 3 instead of 2
    };

    [Theory]
    [MemberData(nameof(WrongShapes))]
    public void Forward_and_OutputShapeFor_reject_a_wrong_rank_or_channel_count(string name, long[] batchShape, long[] example)
    {
        var (net, _) = Create(name);
        using (net)
        {
            using var input = name == nameof(TextClassifier) ? randint(0, 1000, batchShape) : randn(batchShape);
            var forward = Assert.Throws<ArgumentException>(() => net.call(input));
            Assert.Contains(name, forward.Message);
            Assert.Contains($"[{string.Join(", ", batchShape)}]", forward.Message);

            var shapeFor = Assert.Throws<ArgumentException>(() => OutputShapeFor(name, example));
            Assert.Contains(name, shapeFor.Message);
            Assert.Contains($"[{string.Join(", ", example)}]", shapeFor.Message);
        }
    }

    [Fact]
    public void InputShape_and_OutputShape_mark_the_named_dimensions()
    {
        Assert.Equal(new long[] { -1 }, TextClassifier.InputShape);
        Assert.Equal(new long[] { 4 }, TextClassifier.OutputShape);
        Assert.Equal(new long[] { 1, -1, -1 }, UNetAnySize.InputShape);
        Assert.Equal(new long[] { 1, -1, -1 }, UNetAnySize.OutputShape);
        Assert.Equal(new long[] { 1, -1 }, ResidualCnn1d.InputShape);
        Assert.Equal(new long[] { 8 }, ResidualCnn1d.OutputShape);
    }

    private static (nn.Module<Tensor, Tensor> Net, string FirstWeight) Create(string name) => name switch
    {
        nameof(TextClassifier) => (new TextClassifier(), "embed.weight"),
        nameof(UNetAnySize) => (new UNetAnySize(), "conv1.weight"),
        nameof(ResidualCnn1d) => (new ResidualCnn1d(), "stem.weight"),
        _ => throw new ArgumentException(name),
    };

    private static long[] OutputShapeFor(string name, long[] example) => name switch
    {
        nameof(TextClassifier) => TextClassifier.OutputShapeFor(example),
        nameof(UNetAnySize) => UNetAnySize.OutputShapeFor(example),
        nameof(ResidualCnn1d) => ResidualCnn1d.OutputShapeFor(example),
        _ => throw new ArgumentException(name),
    };

    private static long MultiplyAccumulatesFor(string name, long[] example) => name switch
    {
        nameof(TextClassifier) => TextClassifier.MultiplyAccumulatesFor(example),
        nameof(UNetAnySize) => UNetAnySize.MultiplyAccumulatesFor(example),
        nameof(ResidualCnn1d) => ResidualCnn1d.MultiplyAccumulatesFor(example),
        _ => throw new ArgumentException(name),
    };

    /// <summary>A batch of <see cref="Batch"/> examples: token ids (Int64, below the vocabulary of 1000) or N(0, 1) values.</summary>
    private static Tensor Input(string name, long[] example)
    {
        var shape = new long[] { Batch }.Concat(example).ToArray();
        return name == nameof(TextClassifier) ? randint(0, 1000, shape, dtype: ScalarType.Int64) : randn(shape);
    }
}
