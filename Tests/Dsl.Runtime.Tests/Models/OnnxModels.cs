using Dsl;

namespace Dsl.Runtime.Tests.Models.Onnx;

// Layer kinds no example uses, for the ONNX export tests (they run as every other catalogued test model does).

/// <summary>A transposed 2-D convolution, padded average pooling, an adaptive pool with divisible sizes, dropout.</summary>
[Model(3, 8, 8)]
[ConvTranspose2d(4, 3, Stride = 2, Padding = 1, OutputPadding = 1, Name = "deconv")]
[AvgPool2d(3, Stride = 2, Padding = 1), AdaptiveAvgPool2d(4, 2), Dropout(0.5)]
public partial class DeconvPoolNet
{
}

/// <summary>An adaptive pool to length 1 over a signal of any length (GlobalAveragePool).</summary>
[Model(2, "L")]
[Conv1d(4, 3, Padding = 1, Name = "conv"), AdaptiveAvgPool1d(1)]
public partial class AdaptiveToOneNet
{
}

/// <summary>A user module inside a repeated block: the block's ONNX nodes are written once, the refusal names its first use.</summary>
[Block]
[Conv2d(4, 3, Padding = 1, Name = "conv"), Module<Dsl.Runtime.Tests.Models.LayerKinds.ChannelScale>(Name = "scale")]
public partial class ScaledBlock
{
}

/// <summary>Two uses of <see cref="ScaledBlock"/>.</summary>
[Model(4, 6, 6)]
[Use<ScaledBlock>(Repeat = 2, Name = "stage")]
public partial class RepeatedModuleNet
{
}
