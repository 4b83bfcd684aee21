using Dsl;

namespace Dsl.Examples.Models;

/// <summary>
/// The U-Net for grey images of any size ≥ 8, odd ones too: each Concat skip centre-crops the encoder's features to
/// the decoder's size (the original U-Net's crop), which the generator works out for every size at compile time.
/// [N, 1, H, W] → [N, 1, 4·floor(H/4), 4·floor(W/4)].
/// </summary>
[Model(1, "H", "W")]
[Dim("H", Min = 8), Dim("W", Min = 8)]
[Conv2d(16, 3, Padding = 1, Name = "enc1"), ReLU(Name = "act1")]                  // [N, 16, H, W]
[MaxPool2d(2, Name = "pool1")]
[Conv2d(32, 3, Padding = 1, Name = "enc2"), ReLU(Name = "act2")]                  // [N, 32, floor(H/2), floor(W/2)]
[MaxPool2d(2, Name = "pool2")]
[Conv2d(64, 3, Padding = 1, Name = "bottleneck"), ReLU]                           // [N, 64, floor(H/4), floor(W/4)]
[ConvTranspose2d(32, 2, Stride = 2, Name = "up2")]                                // [N, 32, 2·floor(H/4), 2·floor(W/4)]
[Skip("act2", "up2", Mode = SkipMode.Concat, Align = SkipAlign.Crop)]
[Conv2d(32, 3, Padding = 1, Name = "dec2"), ReLU]
[ConvTranspose2d(16, 2, Stride = 2, Name = "up1")]                                // [N, 16, 4·floor(H/4), 4·floor(W/4)]
[Skip("act1", "up1", Mode = SkipMode.Concat, Align = SkipAlign.Crop)]
[Conv2d(16, 3, Padding = 1, Name = "dec1"), ReLU]
[Conv2d(1, 1, Name = "head")]
public partial class UNetOddSizes
{
}
