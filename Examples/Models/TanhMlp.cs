using Dsl;

namespace Dsl.Examples.Models;

/// <summary>One 64-wide tanh layer of the MLPs below: a linear map and tanh, no normalisation.</summary>
[Block]
[Linear(Channels.Same, Name = "fc"), Tanh]
public partial class TanhLayer
{
}

/// <summary>The same layer with a residual add around it: y = x + tanh(W·x + b).</summary>
[Block]
[Linear(Channels.Same, Name = "fc"), Tanh(Name = "act")]
[Skip("input", "act")]
public partial class ResidualTanhLayer
{
}

/// <summary>
/// A 20-layer tanh MLP for 28×28 grey images without normalisation or skips: the classic case of vanishing gradients
/// (the input side's gradients shrink with every tanh). 784 → 64, 18 layers of 64, → 10.
/// </summary>
[Model(1, 28, 28)]
[Flatten, Linear(64, Name = "input_fc"), Tanh]
[Use<TanhLayer>(Repeat = 18, Name = "hidden")]
[Linear(10, Name = "head")]
public partial class TanhMlp20
{
}

/// <summary>TanhMlp20 with a residual add around each of its 18 hidden layers: same parameters, a short path for gradients.</summary>
[Model(1, 28, 28)]
[Flatten, Linear(64, Name = "input_fc"), Tanh]
[Use<ResidualTanhLayer>(Repeat = 18, Name = "hidden")]
[Linear(10, Name = "head")]
public partial class ResidualTanhMlp20
{
}
