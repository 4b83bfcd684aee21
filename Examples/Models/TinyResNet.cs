using Dsl;

namespace Dsl.Examples.Models;

/// <summary>The smallest residual network: a stem, two convolutions, and one skip around them.</summary>
[Model(1, 28, 28)]                        // one example's input shape; the batch dimension is implicit
[Conv2d(16, 3, Padding = 1, Name = "stem")]
[BatchNorm2d, ReLU]
[Conv2d(16, 3, Padding = 1)]
[BatchNorm2d, ReLU]
[Conv2d(16, 3, Padding = 1)]
[BatchNorm2d(Name = "bn2")]
[Skip("stem", "bn2")]                     // residual: out(bn2) += out(stem)
[ReLU, GlobalAvgPool, Linear(10)]
public partial class TinyResNet
{
}
