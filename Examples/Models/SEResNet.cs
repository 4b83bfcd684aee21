using Dsl;

namespace Dsl.Examples.Models;

/// <summary>
/// A squeeze-and-excitation residual block (Hu et al., 2018): two 3×3 convolutions, then a gate per channel from the
/// block's own features, σ(W₂·relu(W₁·pool(x))), that multiplies them before the identity skip: y = relu(x + s ⊙ f(x)).
/// </summary>
[Block]
[Conv2d(Channels.Same, 3, Padding = 1, Bias = false, Name = "conv1"), BatchNorm2d(Name = "bn1"), ReLU]
[Conv2d(Channels.Same, 3, Padding = 1, Bias = false, Name = "conv2"), BatchNorm2d(Name = "bn2")]
[GlobalAvgPool(KeepDims = true, Name = "squeeze")]                                  // [N, C, 1, 1]
[Conv2d(Channels.Quarter, 1, Name = "reduce"), ReLU, Conv2d(Channels.Input, 1, Name = "expand")]
[Sigmoid(Name = "gate")]
[Skip("bn2", "gate", Mode = SkipMode.Multiply)]                                     // s ⊙ f(x), broadcast over H×W
[Skip("input", "gate")]                                                              // x + s ⊙ f(x)
[ReLU]
public partial class SEBlock
{
}

/// <summary>A small SE-ResNet for 28×28 grey images: a 32-channel stem, two squeeze-and-excitation residual blocks, a linear head.</summary>
[Model(1, 28, 28)]
[Conv2d(32, 3, Padding = 1, Bias = false, Name = "stem"), BatchNorm2d, ReLU]
[Use<SEBlock>(Repeat = 2, Name = "blocks")]
[GlobalAvgPool, Linear(10, Name = "fc")]
public partial class SEResNet
{
}
