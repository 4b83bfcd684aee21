using Dsl;

namespace Dsl.Runtime.Tests.Models.SkipFamily;

// Small models, one per member of the skip family, compiled by the generator in this test project; SkipFamilyTests
// compares each with the same arithmetic written out with TorchSharp's own functions.

/// <summary>A squeeze-and-excitation gate: f ⊙ σ(mean(f)), broadcast over 4×4.</summary>
[Model(3, 4, 4)]
[Conv2d(3, 1, Name = "f"), GlobalAvgPool(KeepDims = true, Name = "pool"), Sigmoid(Name = "g")]
[Skip("f", "g", Mode = SkipMode.Multiply)]
public partial class GateNet
{
}

/// <summary>A Highway merge: T ⊙ tanh(t(x)) + (1 − T) ⊙ x.</summary>
[Model(6)]
[Linear(6, Name = "t"), Tanh(Name = "h")]
[Skip("input", "h", Mode = SkipMode.Highway)]
public partial class HighwayNet
{
}

/// <summary>ReZero: x + α·f(x), α = 0 at first.</summary>
[Model(6)]
[Linear(6, Name = "f")]
[Skip("input", "f", Scale = SkipScale.Scalar)]
public partial class ReZeroNet
{
}

/// <summary>LayerScale on an image: x + γ ⊙ f(x), γ per channel, starting at 0.5.</summary>
[Model(4, 3, 3)]
[Conv2d(4, 1, Name = "f")]
[Skip("input", "f", Scale = SkipScale.PerChannel, ScaleInit = 0.5)]
public partial class LayerScaleNet
{
}

/// <summary>Stochastic depth: x + drop(f(x)) with p = 0.5.</summary>
[Model(8)]
[Linear(8, Name = "f")]
[Skip("input", "f", DropPath = 0.5)]
public partial class DropPathNet
{
}

/// <summary>A Concat that centre-crops the encoder's 5×5 to the decoder's 4×4.</summary>
[Model(1, 5, 5)]
[Conv2d(2, 1, Name = "a"), MaxPool2d(2), Upsample(2, Name = "u")]
[Skip("a", "u", Mode = SkipMode.Concat, Align = SkipAlign.Crop)]
public partial class CropNet
{
}

/// <summary>An Add that zero-pads the decoder's 4×4 to the encoder's 5×5 (named sizes: the amounts come from the tensors).</summary>
[Model(2, "H", "W")]
[Dim("H", Min = 2), Dim("W", Min = 2)]
[Conv2d(2, 1, Name = "a"), MaxPool2d(2), Upsample(2, Name = "u")]
[Skip("a", "u", Align = SkipAlign.Pad)]
public partial class PadNet
{
}

/// <summary>A small classifier whose residual branch is dropped half the time in training: for the trainer's seeding and resume.</summary>
[Model(1, 28, 28)]
[Conv2d(8, 3, Stride = 2, Padding = 1, Name = "stem"), ReLU]
[Conv2d(8, 3, Padding = 1, Name = "branch")]
[Skip("stem", "branch", DropPath = 0.5)]
[ReLU, GlobalAvgPool, Linear(10, Name = "fc")]
public partial class DropPathClassifier
{
}
