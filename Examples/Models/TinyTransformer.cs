using Dsl;

namespace Dsl.Examples.Models;

/// <summary>
/// One pre-norm Transformer encoder block over 16 token ids: h = x + attn(ln(x)), y = h + mlp(ln(h)) —
/// two skips, each merged into the output that later layers and skips see.
/// </summary>
[Model(16)]
[Embedding(100, 32, Name = "embed")]
[LayerNorm(Name = "ln1"), MultiHeadAttention(4, Name = "attn")]
[Skip("embed", "attn")]                                    // h = x + attn(ln(x))
[LayerNorm(Name = "ln2"), Linear(Channels.Quadruple, Name = "fc1"), GELU, Linear(32, Name = "fc2")]
[Skip("attn", "fc2")]                                      // y = h + mlp(ln(h))
[LayerNorm(Name = "ln3"), Flatten, Linear(4, Name = "head")]
public partial class TinyTransformer
{
}
