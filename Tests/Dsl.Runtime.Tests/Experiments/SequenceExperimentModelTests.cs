using Dsl.Examples.Models;
using Dsl.Runtime.Tests.Models;
using TorchSharp;
using Xunit;

namespace Dsl.Runtime.Tests.Experiments;

/// <summary>The models of the transformer, timeseries and unet experiments: parameter counts by hand, against the compile-time count and TorchSharp's.</summary>
public class SequenceExperimentModelTests
{
    private const long D = 32;

    // A pre-norm block of width D: two LayerNorms (2D each), attention (4D² + 4D), fc1 D→4D (4D² + 4D), fc2 4D→D (4D² + D).
    private const long PreNormBlock = (2 * 2 * D) + (4 * D * D) + (4 * D) + (4 * D * D) + (4 * D) + (4 * D * D) + D;

    // A ReZero block: the same without the LayerNorms, and one α per branch.
    private const long ReZeroBlock = (4 * D * D) + (4 * D) + (4 * D * D) + (4 * D) + (4 * D * D) + D + 2;

    // Token embedding (11 ids × D), position embedding (12 × D), the head D→10.
    private const long EmbeddingsAndHead = (11 * D) + (12 * D) + (D * 10) + 10;

    [Fact]
    public void The_sorting_transformers_have_their_hand_counted_parameters()
    {
        Assert.Equal(12_704, PreNormBlock);
        Assert.Equal(12_578, ReZeroBlock);
        long PreNorm(long blocks) => EmbeddingsAndHead + (blocks * PreNormBlock) + (2 * D);
        long ReZero(long blocks) => EmbeddingsAndHead + (blocks * ReZeroBlock);

        Assert.Equal(SortPreNorm2.ParameterCount, PreNorm(2));
        Assert.Equal(SortPreNorm6.ParameterCount, PreNorm(6));
        Assert.Equal(SortPreNorm12.ParameterCount, PreNorm(12));
        Assert.Equal(SortNoSkip2.ParameterCount, PreNorm(2));
        Assert.Equal(SortNoSkip6.ParameterCount, PreNorm(6));
        Assert.Equal(SortNoSkip12.ParameterCount, PreNorm(12));
        Assert.Equal(SortReZero2.ParameterCount, ReZero(2));
        Assert.Equal(SortReZero6.ParameterCount, ReZero(6));
        Assert.Equal(SortReZero12.ParameterCount, ReZero(12));
        Assert.Equal(SortPreNorm12.ParameterCount, 153_578);

        using var preNorm = new SortPreNorm12();
        using var noSkip = new SortNoSkip6();
        using var reZero = new SortReZero12();
        Assert.Equal(PreNorm(12), ModuleFacts.ParameterCount(preNorm));
        Assert.Equal(PreNorm(6), ModuleFacts.ParameterCount(noSkip));
        Assert.Equal(ReZero(12), ModuleFacts.ParameterCount(reZero));
    }

    [Fact]
    public void The_sorting_transformers_tag_every_position()
    {
        using var model = new SortReZero2();
        using var ids = torch.zeros(new long[] { 3, 12 }, torch.int64);
        using var logits = model.call(ids);
        Assert.Equal(new long[] { 3, 12, 10 }, logits.shape);
    }

    [Fact]
    public void The_forecasting_cnns_have_their_hand_counted_parameters()
    {
        // Stem: a 7-tap convolution 1→32 without bias and a BatchNorm of 32; each block two 3-tap convolutions 32→32
        // without bias and two BatchNorms; the head flattens 32 channels × 24 steps into 24 values.
        const long Stem = (7 * 32) + (2 * 32);
        const long Block = (2 * 3 * 32 * 32) + (2 * 2 * 32);
        const long Head = (32 * 24 * 24) + 24;
        long expected = Stem + (6 * Block) + Head;

        Assert.Equal(56_376, expected);
        Assert.Equal(ForecastResNet1d.ParameterCount, expected);
        Assert.Equal(ForecastPlain1d.ParameterCount, expected);
        using var residual = new ForecastResNet1d();
        using var plain = new ForecastPlain1d();
        Assert.Equal(expected, ModuleFacts.ParameterCount(residual));
        Assert.Equal(expected, ModuleFacts.ParameterCount(plain));
    }

    [Fact]
    public void The_unet_without_skips_is_within_a_fifth_of_a_percent_of_the_unet()
    {
        // Shared: 3×3 convolutions with bias 1→16, 16→32, 32→64.
        const long Encoder = (9 * 16) + 16 + (9 * 16 * 32) + 32 + (9 * 32 * 64) + 64;
        // U-Net: 3×3 (64 + 32)→32, the 2×2 transposed convolution 32→16, 3×3 (16 + 16)→16, the 1×1 head 16→1.
        const long WithSkips = Encoder + (9 * 96 * 32) + 32 + (4 * 32 * 16) + 16 + (9 * 32 * 16) + 16 + 16 + 1;
        // Without skips: 3×3 64→48, the transposed convolution 48→16, 3×3 16→24, the head 24→1.
        const long WithoutSkips = Encoder + (9 * 64 * 48) + 48 + (4 * 48 * 16) + 16 + (9 * 16 * 24) + 24 + 24 + 1;

        Assert.Equal(57_681, WithSkips);
        Assert.Equal(57_585, WithoutSkips);
        Assert.Equal(UNet.ParameterCount, WithSkips);
        Assert.Equal(UNetNoSkip.ParameterCount, WithoutSkips);
        using var noSkip = new UNetNoSkip();
        Assert.Equal(WithoutSkips, ModuleFacts.ParameterCount(noSkip));
    }
}
