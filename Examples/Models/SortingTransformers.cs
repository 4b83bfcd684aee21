using Dsl;

namespace Dsl.Examples.Models;

/// <summary>
/// The pre-norm encoder block with its two residual adds taken out: h = attn(ln(x)), y = mlp(ln(h)). The same layers
/// and parameters as <see cref="EncoderBlock"/>; the control of the <c>transformer</c> experiment.
/// </summary>
[Block]
[LayerNorm(Name = "ln1"), MultiHeadAttention(4, Name = "attn")]
[LayerNorm(Name = "ln2"), Linear(Channels.Quadruple, Name = "fc1"), GELU, Linear(Channels.Input, Name = "fc2")]
public partial class NoSkipEncoderBlock
{
}

/// <summary>
/// A 2-block pre-norm Transformer encoder (residual adds, <see cref="EncoderBlock"/>) that tags each position of up to
/// 12 digit ids (10 is padding) with a digit: [N, T] ids → [N, T, 10] logits. Width 32, 4 heads.
/// </summary>
[Model("T")]
[Dim("T", Max = 12)]
[Embedding(11, 32, Name = "embed"), PositionalEmbedding(12, Name = "pos")]   // [N, T, 32]
[Use<EncoderBlock>(Repeat = 2, Name = "encoder")]
[LayerNorm(Name = "norm"), Linear(10, Name = "head")]                        // [N, T, 10]
public partial class SortPreNorm2
{
}

/// <summary><see cref="SortPreNorm2"/> with 6 blocks.</summary>
[Model("T")]
[Dim("T", Max = 12)]
[Embedding(11, 32, Name = "embed"), PositionalEmbedding(12, Name = "pos")]
[Use<EncoderBlock>(Repeat = 6, Name = "encoder")]
[LayerNorm(Name = "norm"), Linear(10, Name = "head")]
public partial class SortPreNorm6
{
}

/// <summary><see cref="SortPreNorm2"/> with 12 blocks.</summary>
[Model("T")]
[Dim("T", Max = 12)]
[Embedding(11, 32, Name = "embed"), PositionalEmbedding(12, Name = "pos")]
[Use<EncoderBlock>(Repeat = 12, Name = "encoder")]
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
/// A 2-block ReZero Transformer (<see cref="ReZeroBlock"/>: no normalisation anywhere, each branch scaled by a learned
/// α that starts at 0) on the same task: [N, T] ids → [N, T, 10] logits. Width 32, 4 heads.
/// </summary>
[Model("T")]
[Dim("T", Max = 12)]
[Embedding(11, 32, Name = "embed"), PositionalEmbedding(12, Name = "pos")]
[Use<ReZeroBlock>(Repeat = 2, Name = "encoder")]
[Linear(10, Name = "head")]
public partial class SortReZero2
{
}

/// <summary><see cref="SortReZero2"/> with 6 blocks.</summary>
[Model("T")]
[Dim("T", Max = 12)]
[Embedding(11, 32, Name = "embed"), PositionalEmbedding(12, Name = "pos")]
[Use<ReZeroBlock>(Repeat = 6, Name = "encoder")]
[Linear(10, Name = "head")]
public partial class SortReZero6
{
}

/// <summary><see cref="SortReZero2"/> with 12 blocks.</summary>
[Model("T")]
[Dim("T", Max = 12)]
[Embedding(11, 32, Name = "embed"), PositionalEmbedding(12, Name = "pos")]
[Use<ReZeroBlock>(Repeat = 12, Name = "encoder")]
[Linear(10, Name = "head")]
public partial class SortReZero12
{
}
