using Dsl;

namespace DslModel1;

/// <summary>A small residual network for 28×28 grey images in 10 classes (Fashion-MNIST).</summary>
/// <remarks>
/// Layers run in the order written. Each layer's input size is inferred from the one before, and a shape that does
/// not fit is a compiler error on the attribute at fault. <c>dotnet run -- summary DslModel1</c> prints every shape.
/// </remarks>
[Model(1, 28, 28)]
[Conv2d(16, 3, Padding = 1), BatchNorm2d, ReLU(Name = "stem")]
// Stage 1: two 3×3 convolutions with an identity skip around them: out(res1) += out(stem).
[Conv2d(16, 3, Padding = 1), BatchNorm2d, ReLU]
[Conv2d(16, 3, Padding = 1), BatchNorm2d(Name = "res1")]
[Skip("stem", "res1")]
[ReLU(Name = "act1")]
// Stage 2: half the size and twice the channels, so the skip needs a strided 1×1 projection.
[Conv2d(32, 3, Stride = 2, Padding = 1), BatchNorm2d, ReLU]
[Conv2d(32, 3, Padding = 1), BatchNorm2d(Name = "res2")]
[Skip("act1", "res2", Projection = true)]
[ReLU, GlobalAvgPool, Linear(10)]
public partial class DslModel1
{
}
