using Dsl;

namespace Dsl.Examples.Models;

/// <summary>
/// A ReZero Transformer block (Bachlechner et al., 2020): no normalisation, each branch scaled by its own learned α that
/// starts at 0, so the block starts as the identity: h = x + α₁·attn(x), y = h + α₂·mlp(h).
/// </summary>
[Block]
[MultiHeadAttention(4, Name = "attn")]
[Skip("input", "attn", Scale = SkipScale.Scalar)]
[Linear(Channels.Quadruple, Name = "fc1"), GELU, Linear(Channels.Input, Name = "fc2")]
[Skip("attn", "fc2", Scale = SkipScale.Scalar)]
public partial class ReZeroBlock
{
}

/// <summary>A 12-block ReZero Transformer classifier over up to 64 token ids. [N, T] ids → [N, 4] logits.</summary>
[Model("T")]
[Dim("T", Max = 64)]
[Embedding(1000, 64, Name = "embed"), PositionalEmbedding(64, Name = "pos")]
[Use<ReZeroBlock>(Repeat = 12, Name = "encoder")]
[GlobalAvgPool(Name = "pool"), Linear(4, Name = "head")]
public partial class ReZeroTransformer
{
}

/// <summary>
/// A pre-norm Transformer block with LayerScale (Touvron et al., 2021): each branch scaled per channel by a learned γ
/// that starts at 1e-4: h = x + γ₁ ⊙ attn(ln(x)), y = h + γ₂ ⊙ mlp(ln(h)).
/// </summary>
[Block]
[LayerNorm(Name = "ln1"), MultiHeadAttention(4, Name = "attn")]
[Skip("input", "attn", Scale = SkipScale.PerChannel)]
[LayerNorm(Name = "ln2"), Linear(Channels.Quadruple, Name = "fc1"), GELU, Linear(Channels.Input, Name = "fc2")]
[Skip("attn", "fc2", Scale = SkipScale.PerChannel)]
public partial class LayerScaleBlock
{
}

/// <summary>A 12-block pre-norm LayerScale Transformer classifier over up to 64 token ids. [N, T] ids → [N, 4] logits.</summary>
[Model("T")]
[Dim("T", Max = 64)]
[Embedding(1000, 64, Name = "embed"), PositionalEmbedding(64, Name = "pos")]
[Use<LayerScaleBlock>(Repeat = 12, Name = "encoder")]
[LayerNorm(Name = "norm"), GlobalAvgPool(Name = "pool"), Linear(4, Name = "head")]
public partial class LayerScaleTransformer
{
}
