using Dsl;

namespace Dsl.Runtime.Tests.Models.Fuse;

// Small models for FuseTests: which BatchNorms fuse() may fold into the convolution before them, and which it must not.

/// <summary>A 1-D convolution with its own bias, then BatchNorm1d: folded, the bias kept and shifted.</summary>
[Model(3, 16)]
[Conv1d(6, 3, Padding = 1, Name = "conv"), BatchNorm1d(Name = "bn"), ReLU]
public partial class BiasedSignalNet
{
}

/// <summary>The convolution's raw output is also a skip's source: folding would change what the skip carries, so bn stays.</summary>
[Model(4, 6, 6)]
[Conv2d(4, 3, Padding = 1, Bias = false, Name = "conv"), BatchNorm2d(Name = "bn"), ReLU(Name = "act")]
[Skip("conv", "act")]
public partial class SkipFromConvolutionNet
{
}

/// <summary>A skip merges into the convolution, so the BatchNorm normalises the sum: bn stays; bn2 is folded.</summary>
[Model(4, 6, 6)]
[Conv2d(4, 3, Padding = 1, Name = "conv"), BatchNorm2d(Name = "bn"), Conv2d(4, 1, Name = "conv2"), BatchNorm2d(Name = "bn2")]
[Skip("input", "conv")]
public partial class SkipIntoConvolutionNet
{
}
