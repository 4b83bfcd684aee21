using Dsl;

namespace Dsl.Examples.Models;

/// <summary>ResNet's basic block without its skip: the control that shows what the skip does.</summary>
[Block]
[Conv2d(Channels.Same, 3, Padding = 1, Bias = false, Name = "conv1")]
[BatchNorm2d(Name = "bn1"), ReLU]
[Conv2d(Channels.Same, 3, Padding = 1, Bias = false, Name = "conv2")]
[BatchNorm2d(Name = "bn2"), ReLU]
public partial class PlainBlock
{
}

/// <summary>The down-sampling block without its projection skip.</summary>
[Block]
[Conv2d(Channels.Double, 3, Stride = 2, Padding = 1, Bias = false, Name = "conv1")]
[BatchNorm2d(Name = "bn1"), ReLU]
[Conv2d(Channels.Same, 3, Padding = 1, Bias = false, Name = "conv2")]
[BatchNorm2d(Name = "bn2"), ReLU]
public partial class PlainDownBlock
{
}

/// <summary>ResNet-20's layers without a single skip ("plain-20" in He et al., 2016): same depth and width, without the two projection shortcuts.</summary>
[Model(1, 28, 28)]
[Conv2d(16, 3, Padding = 1, Bias = false, Name = "stem"), BatchNorm2d, ReLU]
[Use<PlainBlock>(Repeat = 3, Name = "stage1")]
[Use<PlainDownBlock>(Name = "down2"), Use<PlainBlock>(Repeat = 2, Name = "stage2")]
[Use<PlainDownBlock>(Name = "down3"), Use<PlainBlock>(Repeat = 2, Name = "stage3")]
[GlobalAvgPool, Linear(10, Name = "fc")]
public partial class Plain20
{
}

/// <summary>ResNet-14's layers without skips ("plain-14"): the plain CNN of the densenet experiment.</summary>
[Model(1, 28, 28)]
[Conv2d(16, 3, Padding = 1, Bias = false, Name = "stem"), BatchNorm2d, ReLU]
[Use<PlainBlock>(Repeat = 2, Name = "stage1")]
[Use<PlainDownBlock>(Name = "down2"), Use<PlainBlock>(Name = "stage2")]
[Use<PlainDownBlock>(Name = "down3"), Use<PlainBlock>(Name = "stage3")]
[GlobalAvgPool, Linear(10, Name = "fc")]
public partial class Plain14
{
}

/// <summary>ResNet-32's layers without skips ("plain-32").</summary>
[Model(1, 28, 28)]
[Conv2d(16, 3, Padding = 1, Bias = false, Name = "stem"), BatchNorm2d, ReLU]
[Use<PlainBlock>(Repeat = 5, Name = "stage1")]
[Use<PlainDownBlock>(Name = "down2"), Use<PlainBlock>(Repeat = 4, Name = "stage2")]
[Use<PlainDownBlock>(Name = "down3"), Use<PlainBlock>(Repeat = 4, Name = "stage3")]
[GlobalAvgPool, Linear(10, Name = "fc")]
public partial class Plain32
{
}

/// <summary>ResNet-56's layers without skips ("plain-56"): deep enough for gradients to fade toward the input.</summary>
[Model(1, 28, 28)]
[Conv2d(16, 3, Padding = 1, Bias = false, Name = "stem"), BatchNorm2d, ReLU]
[Use<PlainBlock>(Repeat = 9, Name = "stage1")]
[Use<PlainDownBlock>(Name = "down2"), Use<PlainBlock>(Repeat = 8, Name = "stage2")]
[Use<PlainDownBlock>(Name = "down3"), Use<PlainBlock>(Repeat = 8, Name = "stage3")]
[GlobalAvgPool, Linear(10, Name = "fc")]
public partial class Plain56
{
}
