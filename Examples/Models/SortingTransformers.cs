using Dsl;

namespace Dsl.Examples.Models;

/// <summary>
/// The pre-norm encoder block of the <c>transformer</c> experiment: h = x + attn(ln(x)), y = h + mlp(ln(h)); the MLP
/// widens to 4× and returns to the block's width. (The same layers as <c>EncoderBlock</c>; each example file is
/// self-contained.)
/// </summary>
[Block]
[LayerNorm(Name = "ln1"), MultiHeadAttention(4, Name = "attn")]
[Skip("input", "attn")]                                              // h = x + attn(ln(x))
[LayerNorm(Name = "ln2"), Linear(Channels.Quadruple, Name = "fc1"), GELU, Linear(Channels.Input, Name = "fc2")]
[Skip("attn", "fc2")]                                                // y = h + mlp(ln(h))
public partial class SortEncoderBlock
{
}

/// <summary>
/// The ReZero block of the <c>transformer</c> experiment (Bachlechner et al., 2020): no normalisation, each branch
/// scaled by a learned α that starts at 0: h = x + α₁·attn(x), y = h + α₂·mlp(h). (The same layers as <c>ReZeroBlock</c>.)
/// </summary>
[Block]
[MultiHeadAttention(4, Name = "attn")]
[Skip("input", "attn", Scale = SkipScale.Scalar)]
[Linear(Channels.Quadruple, Name = "fc1"), GELU, Linear(Channels.Input, Name = "fc2")]
[Skip("attn", "fc2", Scale = SkipScale.Scalar)]
public partial class SortReZeroBlock
{
}

/// <summary>
/// The pre-norm encoder block with its two residual adds taken out: h = attn(ln(x)), y = mlp(ln(h)). The same layers
/// and parameters as <see cref="SortEncoderBlock"/>; the control of the <c>transformer</c> experiment.
/// </summary>
[Block]
[LayerNorm(Name = "ln1"), MultiHeadAttention(4, Name = "attn")]
[LayerNorm(Name = "ln2"), Linear(Channels.Quadruple, Name = "fc1"), GELU, Linear(Channels.Input, Name = "fc2")]
public partial class NoSkipEncoderBlock
{
}

/// <summary>
/// A 2-block pre-norm Transformer encoder (residual adds, <see cref="SortEncoderBlock"/>) that tags each position of up to
/// 12 digit ids (10 is padding) with a digit: [N, T] ids → [N, T, 10] logits. Width 32, 4 heads.
/// </summary>
[Model("T")]
[Dim("T", Max = 12)]
[Embedding(11, 32, Name = "embed"), PositionalEmbedding(12, Name = "pos")]   // [N, T, 32]
[Use<SortEncoderBlock>(Repeat = 2, Name = "encoder")]
[LayerNorm(Name = "norm"), Linear(10, Name = "head")]                        // [N, T, 10]
public partial class SortPreNorm2
{
}

/// <summary><see cref="SortPreNorm2"/> with 6 blocks.</summary>
[Model("T")]
[Dim("T", Max = 12)]
[Embedding(11, 32, Name = "embed"), PositionalEmbedding(12, Name = "pos")]
[Use<SortEncoderBlock>(Repeat = 6, Name = "encoder")]
[LayerNorm(Name = "norm"), Linear(10, Name = "head")]
public partial class SortPreNorm6
{
}

/// <summary><see cref="SortPreNorm2"/> with 12 blocks.</summary>
[Model("T")]
[Dim("T", Max = 12)]
[Embedding(11, 32, Name = "embed"), PositionalEmbedding(12, Name = "pos")]
[Use<SortEncoderBlock>(Repeat = 12, Name = "encoder")]
[LayerNorm(Name = "norm"), Linear(10, Name = "head")]
public partial class SortPreNorm12
{
}

/// <summary><see cref="SortPreNorm2"/> without residual adds (<see cref="NoSkipEncoderBlock"/>): the same parameters.</summary>
[Model("T")]
[Dim("T", Max = 12)]
[Embedding(11, 32, Name = "embed"), PositionalEmbedding(12, Name = "pos")]
[Use<NoSkipEncoderBlock>(Repeat = 2, Name = "encoder")]
[LayerNorm(Name = "norm"), Linear(10, Name = "head")]
public partial class SortNoSkip2
{
}

/// <summary><see cref="SortNoSkip2"/> with 6 blocks.</summary>
[Model("T")]
[Dim("T", Max = 12)]
[Embedding(11, 32, Name = "embed"), PositionalEmbedding(12, Name = "pos")]
[Use<NoSkipEncoderBlock>(Repeat = 6, Name = "encoder")]
[LayerNorm(Name = "norm"), Linear(10, Name = "head")]
public partial class SortNoSkip6
{
}

/// <summary><see cref="SortNoSkip2"/> with 12 blocks.</summary>
[Model("T")]
[Dim("T", Max = 12)]
[Embedding(11, 32, Name = "embed"), PositionalEmbedding(12, Name = "pos")]
[Use<NoSkipEncoderBlock>(Repeat = 12, Name = "encoder")]
[LayerNorm(Name = "norm"), Linear(10, Name = "head")]
public partial class SortNoSkip12
{
}

/// <summary>
/// A 2-block ReZero Transformer (<see cref="SortReZeroBlock"/>: no normalisation anywhere, each branch scaled by a learned
/// α that starts at 0) on the same task: [N, T] ids → [N, T, 10] logits. Width 32, 4 heads.
/// </summary>
[Model("T")]
[Dim("T", Max = 12)]
[Embedding(11, 32, Name = "embed"), PositionalEmbedding(12, Name = "pos")]
[Use<SortReZeroBlock>(Repeat = 2, Name = "encoder")]
[Linear(10, Name = "head")]
public partial class SortReZero2
{
}

/// <summary><see cref="SortReZero2"/> with 6 blocks.</summary>
[Model("T")]
[Dim("T", Max = 12)]
[Embedding(11, 32, Name = "embed"), PositionalEmbedding(12, Name = "pos")]
[Use<SortReZeroBlock>(Repeat = 6, Name = "encoder")]
[Linear(10, Name = "head")]
public partial class SortReZero6
{
}

/// <summary><see cref="SortReZero2"/> with 12 blocks.</summary>
[Model("T")]
[Dim("T", Max = 12)]
[Embedding(11, 32, Name = "embed"), PositionalEmbedding(12, Name = "pos")]
[Use<SortReZeroBlock>(Repeat = 12, Name = "encoder")]
[Linear(10, Name = "head")]
public partial class SortReZero12
{
}
