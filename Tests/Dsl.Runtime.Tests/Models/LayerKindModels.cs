using Dsl;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Dsl.Runtime.Tests.Models.LayerKinds;

// Small models, one per layer kind added with symbolic dimensions, compiled by the generator in this test project.
// LayerKindRuntimeTests runs them with real TorchSharp on CPU and compares them with TorchSharp's own functions.

/// <summary>Conv1d with every argument away from its default.</summary>
[Model(4, "L")]
[Conv1d(8, 3, Stride = 2, Padding = 2, Dilation = 2, Groups = 2, Name = "conv")]
public partial class Conv1dStrided
{
}

/// <summary>ConvTranspose1d with output padding: L → 2L.</summary>
[Model(3, "L")]
[ConvTranspose1d(5, 3, Stride = 2, Padding = 1, OutputPadding = 1, Name = "deconv")]
public partial class ConvTranspose1dOutputPadding
{
}

/// <summary>BatchNorm1d over a signal [N, C, L].</summary>
[Model(6, "L")]
[BatchNorm1d(Name = "bn")]
public partial class BatchNorm1dSignal
{
}

/// <summary>BatchNorm1d over features [N, C] (after a global pool).</summary>
[Model(2, "L")]
[Conv1d(6, 3, Padding = 1, Name = "conv"), GlobalAvgPool, BatchNorm1d(Name = "bn")]
public partial class BatchNorm1dFeatures
{
}

/// <summary>MaxPool1d with a stride other than the kernel and padding.</summary>
[Model(3, "L")]
[MaxPool1d(3, Stride = 2, Padding = 1)]
public partial class MaxPool1dStrided
{
}

/// <summary>AvgPool1d with stride 1 and padding (the padding counts in the average, as in PyTorch).</summary>
[Model(3, "L")]
[AvgPool1d(2, Stride = 1, Padding = 1)]
public partial class AvgPool1dPadded
{
}

/// <summary>GroupNorm over an image.</summary>
[Model(6, "H", "W")]
[GroupNorm(3, Name = "gn")]
public partial class GroupNormImage
{
}

/// <summary>GroupNorm over a signal (the max pool of kernel 1 only makes the input a signal).</summary>
[Model(8, "L")]
[MaxPool1d(1), GroupNorm(4, Name = "gn")]
public partial class GroupNormSignal
{
}

[Model("T", 6)]
[SiLU]
public partial class SiLUNet
{
}

[Model("T", 4)]
[LeakyReLU(0.2)]
public partial class LeakyReLUNet
{
}

[Model("T", 7)]
[Linear(5, Name = "fc"), Softmax]
public partial class SoftmaxNet
{
}

[Model(2, "H", "W")]
[AdaptiveAvgPool2d(3, 2)]
public partial class AdaptivePool2dNet
{
}

[Model(3, "L")]
[AdaptiveAvgPool1d(5)]
public partial class AdaptivePool1dNet
{
}

/// <summary>GlobalAvgPool of a sequence [N, T, D] → [N, D]: the mean over T.</summary>
[Model("T", 8)]
[GlobalAvgPool]
public partial class GlobalPoolSequence
{
}

/// <summary>GlobalAvgPool of a signal [N, C, L] → [N, C]: the mean over L (the max pool of kernel 1 makes the input a signal).</summary>
[Model(5, "L")]
[MaxPool1d(1), GlobalAvgPool]
public partial class GlobalPoolSignal
{
}

/// <summary>A sequence [N, T, D] transposed to a signal [N, D, T].</summary>
[Model("T", 6)]
[Transpose]
public partial class TransposeSequence
{
}

/// <summary>A signal [N, C, L] transposed to a sequence [N, L, C], normalised over C.</summary>
[Model(3, "L")]
[MaxPool1d(1), Transpose, LayerNorm(Name = "ln")]
public partial class TransposeSignal
{
}

/// <summary>Transpose between a Linear (over a sequence) and a Conv1d (over a signal).</summary>
[Model("T", 6)]
[Linear(8, Name = "proj"), Transpose, Conv1d(4, 3, Padding = 1, Name = "conv")]
public partial class LinearTransposeConv
{
}

/// <summary>Token and learned position embeddings over sequences of up to 16 tokens.</summary>
[Model("T")]
[Dim("T", Max = 16)]
[Embedding(50, 8, Name = "embed"), PositionalEmbedding(16, Name = "pos")]
public partial class PositionalNet
{
}

[Model("T", 8)]
[MultiHeadAttention(2, Causal = true, Name = "attn")]
public partial class CausalAttentionNet
{
}

[Model("T", 8)]
[MultiHeadAttention(2, Name = "attn")]
public partial class FullAttentionNet
{
}

/// <summary>A user module with a constructor that takes the input channels: a learned per-channel scale of an image.</summary>
public sealed class ChannelScale : nn.Module<Tensor, Tensor>
{
    private readonly Parameter scale;

    public ChannelScale(long inChannels)
        : base(nameof(ChannelScale))
    {
        InChannels = inChannels;
        scale = new Parameter(torch.full(inChannels, 2.0f));
        RegisterComponents();
    }

    public long InChannels { get; }

    public override Tensor forward(Tensor x)
    {
        using var view = scale.view(1, -1, 1, 1);
        return x.mul(view);
    }
}

/// <summary>A user module with a parameterless constructor that maps 4 channels of a signal to 8 (declared with Channels = 8).</summary>
public sealed class FixedMix : nn.Module<Tensor, Tensor>
{
    private readonly Conv1d mix = nn.Conv1d(4, 8, 1);

    public FixedMix()
        : base(nameof(FixedMix)) => RegisterComponents();

    public override Tensor forward(Tensor x) => mix.call(x);
}

/// <summary>A user module that doubles the channels of a signal by repeating them, times a learned gain (declared with Shape = { 8, "L" }).</summary>
public sealed class RepeatChannels : nn.Module<Tensor, Tensor>
{
    private readonly Parameter gain = new(torch.ones(1));

    public RepeatChannels()
        : base(nameof(RepeatChannels)) => RegisterComponents();

    public override Tensor forward(Tensor x)
    {
        using var repeated = x.repeat(1, 2, 1);
        return repeated.mul(gain);
    }
}

/// <summary>A user module that returns its input unchanged while its declaration says it makes 8 channels.</summary>
public sealed class Identity4 : nn.Module<Tensor, Tensor>
{
    public Identity4()
        : base(nameof(Identity4)) => RegisterComponents();

    public override Tensor forward(Tensor x) => x.alias();
}

[Model(3, "H", "W")]
[Conv2d(6, 3, Padding = 1, Name = "conv"), Module<ChannelScale>(Name = "scale"), ReLU]
public partial class WithChannelsModule
{
}

[Model(4, "L")]
[Module<FixedMix>(Channels = 8, Name = "mix"), BatchNorm1d(Name = "bn")]
public partial class WithParameterlessModule
{
}

[Model(4, "L")]
[Module<RepeatChannels>(Shape = new object[] { 8, "L" }, Name = "repeat"), Conv1d(2, 1, Name = "conv")]
public partial class WithShapedModule
{
}

[Model(4, "L")]
[Module<Identity4>(Channels = 8, Name = "liar"), Conv1d(2, 1, Name = "conv")]
public partial class WithWrongModule
{
}
