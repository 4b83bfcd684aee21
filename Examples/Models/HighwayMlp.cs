using Dsl;

namespace Dsl.Examples.Models;

/// <summary>One Highway layer (Srivastava et al., 2015): y = T ⊙ relu(W·x) + (1 − T) ⊙ x, with T = σ(W_T·x + b) learned.</summary>
[Block]
[Linear(Channels.Same, Name = "transform"), ReLU(Name = "h")]
[Skip("input", "h", Mode = SkipMode.Highway)]
public partial class HighwayLayer
{
}

/// <summary>A Highway MLP for 28×28 grey images: flatten, a 64-wide projection, eight Highway layers, a linear head.</summary>
[Model(1, 28, 28)]
[Flatten, Linear(64, Name = "proj"), ReLU]
[Use<HighwayLayer>(Repeat = 8, Name = "highway")]
[Linear(10, Name = "head")]
public partial class HighwayMlp
{
}
