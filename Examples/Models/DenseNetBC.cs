using Dsl;

namespace Dsl.Examples.Models;

/// <summary>
/// A DenseNet-BC bottleneck layer (Huang et al., 2017) with growth rate k = 12: BN-ReLU-Conv1×1(4k)-BN-ReLU-Conv3×3(k),
/// whose k new maps are concatenated to everything before it: [new, input] along channels.
/// </summary>
[Block]
[BatchNorm2d, ReLU, Conv2d(48, 1, Bias = false, Name = "bottleneck")]
[BatchNorm2d, ReLU, Conv2d(12, 3, Padding = 1, Bias = false, Name = "grow")]
[Skip("input", "grow", Mode = SkipMode.Concat)]
public partial class DenseLayer
{
}

/// <summary>A DenseNet-BC transition: BN-ReLU-Conv1×1 that halves the channels (compression 0.5), then 2×2 average pooling.</summary>
[Block]
[BatchNorm2d, ReLU, Conv2d(Channels.Half, 1, Bias = false, Name = "compress"), AvgPool2d(2, Name = "pool")]
public partial class Transition
{
}

/// <summary>DenseNet-BC with k = 12 and depth 40 for 28×28 grey images: three dense blocks of 6 bottleneck layers with two transitions.</summary>
[Model(1, 28, 28)]
[Conv2d(24, 3, Padding = 1, Bias = false, Name = "stem")]                // 2k channels
[Use<DenseLayer>(Repeat = 6, Name = "dense1"), Use<Transition>(Name = "trans1")]   // 24 + 6·12 = 96 → 48, 14×14
[Use<DenseLayer>(Repeat = 6, Name = "dense2"), Use<Transition>(Name = "trans2")]   // 48 + 72 = 120 → 60, 7×7
[Use<DenseLayer>(Repeat = 6, Name = "dense3")]                                     // 60 + 72 = 132
[BatchNorm2d(Name = "norm"), ReLU, GlobalAvgPool, Linear(10, Name = "fc")]
public partial class DenseNetBC
{
}
