using Dsl;

namespace Dsl.Examples.Models;

/// <summary>
/// A small U-Net: an encoder that halves the size twice, a decoder that doubles it back, and Concat skips that
/// carry each encoder level's features past the bottleneck to the decoder level of the same size.
/// Image to image: [N, 1, 28, 28] → [N, 1, 28, 28] (e.g. denoising or a per-pixel mask's logits).
/// </summary>
[Model(1, 28, 28)]
[Conv2d(16, 3, Padding = 1), ReLU(Name = "enc1")]          // [N, 16, 28, 28]
[MaxPool2d(2)]                                             // [N, 16, 14, 14]
[Conv2d(32, 3, Padding = 1), ReLU(Name = "enc2")]          // [N, 32, 14, 14]
[MaxPool2d(2)]                                             // [N, 32, 7, 7]
[Conv2d(64, 3, Padding = 1), ReLU(Name = "bottleneck")]    // [N, 64, 7, 7]
[Upsample(2, Name = "up2")]                                // [N, 64, 14, 14]
[Skip("enc2", "up2", Mode = SkipMode.Concat)]              // [N, 96, 14, 14]
[Conv2d(32, 3, Padding = 1), ReLU]
[ConvTranspose2d(16, 2, Stride = 2, Name = "up1")]         // [N, 16, 28, 28]
[Skip("enc1", "up1", Mode = SkipMode.Concat)]              // [N, 32, 28, 28]
[Conv2d(16, 3, Padding = 1), ReLU]
[Conv2d(1, 1, Name = "head")]                              // [N, 1, 28, 28]
public partial class UNet
{
}
