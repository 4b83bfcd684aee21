using Dsl;

namespace Dsl.Examples.Models;

/// <summary>
/// <see cref="UNet"/> without its two Concat skips: the same encoder and bottleneck, and a decoder widened (48 and 24
/// channels where <see cref="UNet"/> has 32 and 16) so that the parameter count stays within 0.2 % of the U-Net's
/// (57,585 against 57,681). Everything the decoder knows passes through the 7×7 bottleneck.
/// [N, 1, 28, 28] → [N, 1, 28, 28].
/// </summary>
[Model(1, 28, 28)]
[Conv2d(16, 3, Padding = 1), ReLU(Name = "enc1")]          // [N, 16, 28, 28]
[MaxPool2d(2)]                                             // [N, 16, 14, 14]
[Conv2d(32, 3, Padding = 1), ReLU(Name = "enc2")]          // [N, 32, 14, 14]
[MaxPool2d(2)]                                             // [N, 32, 7, 7]
[Conv2d(64, 3, Padding = 1), ReLU(Name = "bottleneck")]    // [N, 64, 7, 7]
[Upsample(2, Name = "up2")]                                // [N, 64, 14, 14]
[Conv2d(48, 3, Padding = 1), ReLU]                         // [N, 48, 14, 14]
[ConvTranspose2d(16, 2, Stride = 2, Name = "up1")]         // [N, 16, 28, 28]
[Conv2d(24, 3, Padding = 1), ReLU]                         // [N, 24, 28, 28]
[Conv2d(1, 1, Name = "head")]                              // [N, 1, 28, 28]
public partial class UNetNoSkip
{
}
