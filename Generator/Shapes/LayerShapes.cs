using Dsl.Generator.Shapes.Symbolic;

namespace Dsl.Generator.Shapes;

/// <summary>
/// PyTorch's size formulas, for fixed sizes and for symbolic ones:
/// out = ⌊(in + 2·pad − dil·(k−1) − 1) / stride⌋ + 1 for convolutions and pools,
/// (in − 1)·stride − 2·pad + dil·(k−1) + out_pad + 1 for transposed convolutions.
/// </summary>
public static class LayerShapes
{
    public static int ConvolvedSize(int size, int kernel, int stride, int padding, int dilation) =>
        FloorDiv(size + (2 * padding) - (dilation * (kernel - 1)) - 1, stride) + 1;

    public static int TransposedSize(int size, int kernel, int stride, int padding, int outputPadding, int dilation) =>
        ((size - 1) * stride) - (2 * padding) + (dilation * (kernel - 1)) + outputPadding + 1;

    public static Dim Convolved(Dim size, long kernel, long stride, long padding, long dilation) =>
        (size + ((2 * padding) - (dilation * (kernel - 1)) - 1)).FloorDiv(stride) + 1;

    public static Dim Transposed(Dim size, long kernel, long stride, long padding, long outputPadding, long dilation) =>
        (size * stride) + (-stride - (2 * padding) + (dilation * (kernel - 1)) + outputPadding + 1);

    /// <summary>A channel count as written (positive) or relative to the input (−k means k × input), as in <c>Dsl.Channels</c>.</summary>
    public static int ResolveChannels(int written, int input) => written < 0 ? -written * input : written;

    private static int FloorDiv(int a, int b) => a >= 0 ? a / b : -((-a + b - 1) / b);
}
