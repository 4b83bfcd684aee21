using Dsl;

namespace Dsl.Examples.Models;

/// <summary>
/// A pre-norm Transformer encoder block, written once: h = x + attn(ln(x)), y = h + mlp(ln(h)); the MLP widens to
/// 4× and returns to the block's own width (<c>Channels.Input</c>), so the block fits any model width.
/// </summary>
[Block]
[LayerNorm(Name = "ln1"), MultiHeadAttention(4, Name = "attn")]
[Skip("input", "attn")]                                              // h = x + attn(ln(x))
[LayerNorm(Name = "ln2"), Linear(Channels.Quadruple, Name = "fc1"), GELU, Linear(Channels.Input, Name = "fc2")]
[Skip("attn", "fc2")]                                                // y = h + mlp(ln(h))
public partial class EncoderBlock
{
}

/// <summary>
/// A Transformer encoder classifier over token ids of any length up to 128: token and learned position embeddings,
/// two pre-norm encoder blocks, mean pooling over the tokens, a linear head. [N, T] ids → [N, 4] logits.
/// </summary>
[Model("T")]
[Dim("T", Max = 128)]
[Embedding(1000, 64, Name = "embed"), PositionalEmbedding(128, Name = "pos")]  // [N, T, 64]
[Use<EncoderBlock>(Repeat = 2, Name = "encoder")]
[LayerNorm(Name = "norm"), GlobalAvgPool(Name = "pool")]                   // [N, 64]: the mean over T
[Linear(4, Name = "head")]
public partial class TextClassifier
{
}
