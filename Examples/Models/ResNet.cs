using System.Collections.Generic;
using Dsl;

namespace Dsl.Examples.Models;

/// <summary>ResNet's basic block: two 3×3 convolutions with an identity skip; keeps width and size.</summary>
[Block]
[Conv2d(Channels.Same, 3, Padding = 1, Bias = false, Name = "conv1")]
[BatchNorm2d(Name = "bn1"), ReLU]
[Conv2d(Channels.Same, 3, Padding = 1, Bias = false, Name = "conv2")]
[BatchNorm2d(Name = "bn2")]
[Skip("input", "bn2")]
[ReLU]
public partial class BasicBlock
{
}

/// <summary>The basic block that halves the size and doubles the width; its skip is a strided 1×1 projection (option B).</summary>
[Block]
[Conv2d(Channels.Double, 3, Stride = 2, Padding = 1, Bias = false, Name = "conv1")]
[BatchNorm2d(Name = "bn1"), ReLU]
[Conv2d(Channels.Same, 3, Padding = 1, Bias = false, Name = "conv2")]
[BatchNorm2d(Name = "bn2")]
[Skip("input", "bn2", Projection = true)]
[ReLU]
public partial class DownBlock
{
}

/// <summary>ResNet-20 (He et al., 2016, CIFAR variant) for 28×28 grey images: 6n+2 layers with n = 3.</summary>
[Model(1, 28, 28)]
[Conv2d(16, 3, Padding = 1, Bias = false, Name = "stem"), BatchNorm2d, ReLU]
[Use<BasicBlock>(Repeat = 3, Name = "stage1")]
[Use<DownBlock>(Name = "down2"), Use<BasicBlock>(Repeat = 2, Name = "stage2")]
[Use<DownBlock>(Name = "down3"), Use<BasicBlock>(Repeat = 2, Name = "stage3")]
[GlobalAvgPool, Linear(10, Name = "fc")]
public partial class ResNet20
{
}

/// <summary>ResNet-14 (6n+2 layers with n = 2): about DenseNetBC's parameter count, for the densenet experiment.</summary>
[Model(1, 28, 28)]
[Conv2d(16, 3, Padding = 1, Bias = false, Name = "stem"), BatchNorm2d, ReLU]
[Use<BasicBlock>(Repeat = 2, Name = "stage1")]
[Use<DownBlock>(Name = "down2"), Use<BasicBlock>(Name = "stage2")]
[Use<DownBlock>(Name = "down3"), Use<BasicBlock>(Name = "stage3")]
[GlobalAvgPool, Linear(10, Name = "fc")]
public partial class ResNet14
{
}

/// <summary>ResNet-32 (6n+2 layers with n = 5): the middle depth of He et al.'s CIFAR table.</summary>
[Model(1, 28, 28)]
[Conv2d(16, 3, Padding = 1, Bias = false, Name = "stem"), BatchNorm2d, ReLU]
[Use<BasicBlock>(Repeat = 5, Name = "stage1")]
[Use<DownBlock>(Name = "down2"), Use<BasicBlock>(Repeat = 4, Name = "stage2")]
[Use<DownBlock>(Name = "down3"), Use<BasicBlock>(Repeat = 4, Name = "stage3")]
[GlobalAvgPool, Linear(10, Name = "fc")]
public partial class ResNet32
{
}

/// <summary>ResNet-56: the same blocks, n = 9.</summary>
[Model(1, 28, 28)]
[Conv2d(16, 3, Padding = 1, Bias = false, Name = "stem"), BatchNorm2d, ReLU]
[Use<BasicBlock>(Repeat = 9, Name = "stage1")]
[Use<DownBlock>(Name = "down2"), Use<BasicBlock>(Repeat = 8, Name = "stage2")]
[Use<DownBlock>(Name = "down3"), Use<BasicBlock>(Repeat = 8, Name = "stage3")]
[GlobalAvgPool, Linear(10, Name = "fc")]
public partial class ResNet56
{
}

/// <summary>
/// The basic block with a ReZero skip (Bachlechner et al., 2020; SkipInit, De and Smith, 2020, with BatchNorm kept): the
/// branch is scaled by a learned α that starts at 0, so the block starts as the identity: y = relu(x + α·bn2(conv2(…))).
/// </summary>
[Block]
[Conv2d(Channels.Same, 3, Padding = 1, Bias = false, Name = "conv1")]
[BatchNorm2d(Name = "bn1"), ReLU]
[Conv2d(Channels.Same, 3, Padding = 1, Bias = false, Name = "conv2")]
[BatchNorm2d(Name = "bn2")]
[Skip("input", "bn2", Scale = SkipScale.Scalar)]
[ReLU]
public partial class ReZeroBasicBlock
{
}

/// <summary>ResNet-56 whose 25 identity blocks are ReZero blocks (α = 0 at the start); the two down-sampling blocks keep their projection skips.</summary>
[Model(1, 28, 28)]
[Conv2d(16, 3, Padding = 1, Bias = false, Name = "stem"), BatchNorm2d, ReLU]
[Use<ReZeroBasicBlock>(Repeat = 9, Name = "stage1")]
[Use<DownBlock>(Name = "down2"), Use<ReZeroBasicBlock>(Repeat = 8, Name = "stage2")]
[Use<DownBlock>(Name = "down3"), Use<ReZeroBasicBlock>(Repeat = 8, Name = "stage3")]
[GlobalAvgPool, Linear(10, Name = "fc")]
public partial class ReZeroResNet56
{
}

/// <summary>
/// ResNet-56 with stochastic depth (Huang et al., 2016): block l of the 27 drops its residual branch with probability
/// 0.5·l/27 in training (the linear rule, p_L = 0.5), and keeps it in evaluation. Same layers and weights as ResNet56.
/// </summary>
[Model(1, 28, 28)]
[Conv2d(16, 3, Padding = 1, Bias = false, Name = "stem"), BatchNorm2d, ReLU]
[Use<BasicBlock>(Repeat = 9, DropPath = 0.5 * 1 / 27, DropPathEnd = 0.5 * 9 / 27, Name = "stage1")]
[Use<DownBlock>(DropPath = 0.5 * 10 / 27, Name = "down2")]
[Use<BasicBlock>(Repeat = 8, DropPath = 0.5 * 11 / 27, DropPathEnd = 0.5 * 18 / 27, Name = "stage2")]
[Use<DownBlock>(DropPath = 0.5 * 19 / 27, Name = "down3")]
[Use<BasicBlock>(Repeat = 8, DropPath = 0.5 * 20 / 27, DropPathEnd = 0.5 * 27 / 27, Name = "stage3")]
[GlobalAvgPool, Linear(10, Name = "fc")]
public partial class ResNet56DropPath
{
}

/// <summary>
/// ResNet's basic block that halves the size and changes the width, in torchvision's layout: the first convolution is
/// strided and the skip's projection is the field <c>downsample</c> (state_dict <c>downsample.0.weight</c>, <c>downsample.1.*</c>).
/// </summary>
[Block]
[Conv2d(Channels.Double, 3, Stride = 2, Padding = 1, Bias = false, Name = "conv1")]
[BatchNorm2d(Name = "bn1"), ReLU]
[Conv2d(Channels.Same, 3, Padding = 1, Bias = false, Name = "conv2")]
[BatchNorm2d(Name = "bn2")]
[Skip("input", "bn2", Projection = true, Name = "downsample")]
[ReLU]
public partial class DownsampleBlock
{
}

/// <summary>
/// ResNet-18 (He et al., 2016) for ImageNet, with torchvision's layers and names, so torchvision's weights load into it
/// (<see cref="TorchvisionKeys"/> renames the second-to-fourth stages' keys). Any image of at least 1×1 fits, as in
/// torchvision; each side shrinks to ⌈n/32⌉ before the global pool.
/// </summary>
[Model(3, "H", "W")]
[Conv2d(64, 7, Stride = 2, Padding = 3, Bias = false, Name = "conv1"), BatchNorm2d(Name = "bn1"), ReLU(Name = "relu")]
[MaxPool2d(3, Stride = 2, Padding = 1, Name = "maxpool")]
[Use<BasicBlock>(Repeat = 2, Name = "layer1")]
[Use<DownsampleBlock>(Name = "layer2_0"), Use<BasicBlock>(Name = "layer2_1")]
[Use<DownsampleBlock>(Name = "layer3_0"), Use<BasicBlock>(Name = "layer3_1")]
[Use<DownsampleBlock>(Name = "layer4_0"), Use<BasicBlock>(Name = "layer4_1")]
[GlobalAvgPool(Name = "avgpool"), Linear(1000, Name = "fc")]
public partial class ResNet18
{
    /// <summary>
    /// torchvision's state_dict prefixes → this model's, for <c>Weights.Load</c>: torchvision's <c>layer2</c> is a
    /// Sequential of two different blocks (<c>layer2.0</c>, <c>layer2.1</c>), which the DSL names <c>layer2_0</c> and
    /// <c>layer2_1</c> (a layer name is an identifier); every other key is the same.
    /// </summary>
    public static IReadOnlyDictionary<string, string> TorchvisionKeys { get; } = new Dictionary<string, string>
    {
        ["layer2.0."] = "layer2_0.",
        ["layer2.1."] = "layer2_1.",
        ["layer3.0."] = "layer3_0.",
        ["layer3.1."] = "layer3_1.",
        ["layer4.0."] = "layer4_0.",
        ["layer4.1."] = "layer4_1.",
    };
}
