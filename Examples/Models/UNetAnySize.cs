using Dsl;

namespace Dsl.Examples.Models;

/// <summary>
/// The U-Net of <see cref="UNet"/> for grey images of any size whose sides are multiples of 4 — what its two
/// pool/upsample levels need for the Concat skips to line up, and what the generator proves for every such size.
/// [N, 1, H, W] → [N, 1, H, W].
/// </summary>
[Model(1, "H", "W")]
[Dim("H", Min = 4, MultipleOf = 4), Dim("W", Min = 4, MultipleOf = 4)]
[Conv2d(16, 3, Padding = 1), ReLU(Name = "enc1")]          // [N, 16, H, W]
[MaxPool2d(2)]                                             // [N, 16, H/2, W/2]
[Conv2d(32, 3, Padding = 1), ReLU(Name = "enc2")]          // [N, 32, H/2, W/2]
[MaxPool2d(2)]                                             // [N, 32, H/4, W/4]
[Conv2d(64, 3, Padding = 1), ReLU(Name = "bottleneck")]    // [N, 64, H/4, W/4]
[Upsample(2, Name = "up2")]                                // [N, 64, H/2, W/2]
[Skip("enc2", "up2", Mode = SkipMode.Concat)]              // [N, 96, H/2, W/2]
[Conv2d(32, 3, Padding = 1), ReLU]
[ConvTranspose2d(16, 2, Stride = 2, Name = "up1")]         // [N, 16, H, W]
[Skip("enc1", "up1", Mode = SkipMode.Concat)]              // [N, 32, H, W]
[Conv2d(16, 3, Padding = 1), ReLU]
[Conv2d(1, 1, Name = "head")]                              // [N, 1, H, W]
public partial class UNetAnySize
{
}
