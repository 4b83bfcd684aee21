using System;
using System.ComponentModel;
using System.Diagnostics;

namespace Dsl;

/// <summary>2-D convolution over <c>[N, C, H, W]</c>; input channels are inferred.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
[Conditional("DSL_KEEP_ATTRIBUTES")]
public sealed class Conv2dAttribute : LayerAttribute
{
    /// <param name="outChannels">Output channels (or a relative count from <see cref="Channels"/>).</param>
    /// <param name="kernelSize">Square kernel size.</param>
    public Conv2dAttribute(int outChannels, int kernelSize)
    {
        OutChannels = outChannels;
        KernelSize = kernelSize;
    }

    /// <summary>Output channels (or a relative count from <see cref="Channels"/>).</summary>
    public int OutChannels { get; }

    /// <summary>Square kernel size.</summary>
    public int KernelSize { get; }

    /// <summary>Stride (default 1).</summary>
    [DefaultValue(1)]
    public int Stride { get; set; } = 1;

    /// <summary>Zero padding on each side (default 0).</summary>
    [DefaultValue(0)]
    public int Padding { get; set; }

    /// <summary>Dilation (default 1).</summary>
    [DefaultValue(1)]
    public int Dilation { get; set; } = 1;

    /// <summary>Groups (default 1); must divide both input and output channels.</summary>
    [DefaultValue(1)]
    public int Groups { get; set; } = 1;

    /// <summary>Whether the layer has a bias (default true).</summary>
    [DefaultValue(true)]
    public bool Bias { get; set; } = true;
}

/// <summary>2-D transposed convolution over <c>[N, C, H, W]</c>; input channels are inferred.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
[Conditional("DSL_KEEP_ATTRIBUTES")]
public sealed class ConvTranspose2dAttribute : LayerAttribute
{
    /// <param name="outChannels">Output channels (or a relative count from <see cref="Channels"/>).</param>
    /// <param name="kernelSize">Square kernel size.</param>
    public ConvTranspose2dAttribute(int outChannels, int kernelSize)
    {
        OutChannels = outChannels;
        KernelSize = kernelSize;
    }

    /// <summary>Output channels (or a relative count from <see cref="Channels"/>).</summary>
    public int OutChannels { get; }

    /// <summary>Square kernel size.</summary>
    public int KernelSize { get; }

    /// <summary>Stride (default 1).</summary>
    [DefaultValue(1)]
    public int Stride { get; set; } = 1;

    /// <summary>Padding removed from each side of the output (default 0).</summary>
    [DefaultValue(0)]
    public int Padding { get; set; }

    /// <summary>Extra size added to one side of the output (default 0); must be smaller than the stride or the dilation.</summary>
    [DefaultValue(0)]
    public int OutputPadding { get; set; }

    /// <summary>Dilation (default 1).</summary>
    [DefaultValue(1)]
    public int Dilation { get; set; } = 1;

    /// <summary>Whether the layer has a bias (default true).</summary>
    [DefaultValue(true)]
    public bool Bias { get; set; } = true;
}

/// <summary>2-D max pooling over <c>[N, C, H, W]</c>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
[Conditional("DSL_KEEP_ATTRIBUTES")]
public sealed class MaxPool2dAttribute : LayerAttribute
{
    /// <param name="kernelSize">Square window size.</param>
    public MaxPool2dAttribute(int kernelSize) => KernelSize = kernelSize;

    /// <summary>Square window size.</summary>
    public int KernelSize { get; }

    /// <summary>Stride (default 0: the kernel size).</summary>
    [DefaultValue(0)]
    public int Stride { get; set; }

    /// <summary>Implicit negative-infinity padding on each side (default 0; at most half the kernel).</summary>
    [DefaultValue(0)]
    public int Padding { get; set; }
}

/// <summary>2-D average pooling over <c>[N, C, H, W]</c>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
[Conditional("DSL_KEEP_ATTRIBUTES")]
public sealed class AvgPool2dAttribute : LayerAttribute
{
    /// <param name="kernelSize">Square window size.</param>
    public AvgPool2dAttribute(int kernelSize) => KernelSize = kernelSize;

    /// <summary>Square window size.</summary>
    public int KernelSize { get; }

    /// <summary>Stride (default 0: the kernel size).</summary>
    [DefaultValue(0)]
    public int Stride { get; set; }

    /// <summary>Zero padding on each side (default 0; at most half the kernel).</summary>
    [DefaultValue(0)]
    public int Padding { get; set; }
}

/// <summary>
/// Averages over positions: an image <c>[N, C, H, W] → [N, C]</c>, a signal <c>[N, C, L] → [N, C]</c> (mean over L),
/// a sequence <c>[N, T, D] → [N, D]</c> (mean over T).
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
[Conditional("DSL_KEEP_ATTRIBUTES")]
public sealed class GlobalAvgPoolAttribute : LayerAttribute
{
    /// <summary>
    /// Keep the pooled axes with size 1 (<c>[N, C, H, W] → [N, C, 1, 1]</c>, signals <c>[N, C, 1]</c>, sequences
    /// <c>[N, 1, D]</c>): a gate that a <see cref="SkipMode.Multiply"/> skip broadcasts over the positions
    /// (squeeze-and-excitation). Default false: <c>[N, C]</c>.
    /// </summary>
    [DefaultValue(false)]
    public bool KeepDims { get; set; }
}

/// <summary>Nearest-neighbour upsampling by an integer factor: <c>[N, C, H, W] → [N, C, H·s, W·s]</c>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
[Conditional("DSL_KEEP_ATTRIBUTES")]
public sealed class UpsampleAttribute : LayerAttribute
{
    /// <param name="scale">The integer scale factor.</param>
    public UpsampleAttribute(int scale) => Scale = scale;

    /// <summary>The integer scale factor.</summary>
    public int Scale { get; }
}

/// <summary>1-D convolution over a signal <c>[N, C, L]</c>; input channels are inferred.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
[Conditional("DSL_KEEP_ATTRIBUTES")]
public sealed class Conv1dAttribute : LayerAttribute
{
    /// <param name="outChannels">Output channels (or a relative count from <see cref="Channels"/>).</param>
    /// <param name="kernelSize">Kernel size.</param>
    public Conv1dAttribute(int outChannels, int kernelSize)
    {
        OutChannels = outChannels;
        KernelSize = kernelSize;
    }

    /// <summary>Output channels (or a relative count from <see cref="Channels"/>).</summary>
    public int OutChannels { get; }

    /// <summary>Kernel size.</summary>
    public int KernelSize { get; }

    /// <summary>Stride (default 1).</summary>
    [DefaultValue(1)]
    public int Stride { get; set; } = 1;

    /// <summary>Zero padding on each side (default 0).</summary>
    [DefaultValue(0)]
    public int Padding { get; set; }

    /// <summary>Dilation (default 1).</summary>
    [DefaultValue(1)]
    public int Dilation { get; set; } = 1;

    /// <summary>Groups (default 1); must divide both input and output channels.</summary>
    [DefaultValue(1)]
    public int Groups { get; set; } = 1;

    /// <summary>Whether the layer has a bias (default true).</summary>
    [DefaultValue(true)]
    public bool Bias { get; set; } = true;
}

/// <summary>1-D transposed convolution over a signal <c>[N, C, L]</c>; input channels are inferred.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
[Conditional("DSL_KEEP_ATTRIBUTES")]
public sealed class ConvTranspose1dAttribute : LayerAttribute
{
    /// <param name="outChannels">Output channels (or a relative count from <see cref="Channels"/>).</param>
    /// <param name="kernelSize">Kernel size.</param>
    public ConvTranspose1dAttribute(int outChannels, int kernelSize)
    {
        OutChannels = outChannels;
        KernelSize = kernelSize;
    }

    /// <summary>Output channels (or a relative count from <see cref="Channels"/>).</summary>
    public int OutChannels { get; }

    /// <summary>Kernel size.</summary>
    public int KernelSize { get; }

    /// <summary>Stride (default 1).</summary>
    [DefaultValue(1)]
    public int Stride { get; set; } = 1;

    /// <summary>Padding removed from each side of the output (default 0).</summary>
    [DefaultValue(0)]
    public int Padding { get; set; }

    /// <summary>Extra size added to one side of the output (default 0); must be smaller than the stride or the dilation.</summary>
    [DefaultValue(0)]
    public int OutputPadding { get; set; }

    /// <summary>Dilation (default 1).</summary>
    [DefaultValue(1)]
    public int Dilation { get; set; } = 1;

    /// <summary>Whether the layer has a bias (default true).</summary>
    [DefaultValue(true)]
    public bool Bias { get; set; } = true;
}

/// <summary>1-D max pooling over a signal <c>[N, C, L]</c>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
[Conditional("DSL_KEEP_ATTRIBUTES")]
public sealed class MaxPool1dAttribute : LayerAttribute
{
    /// <param name="kernelSize">Window size.</param>
    public MaxPool1dAttribute(int kernelSize) => KernelSize = kernelSize;

    /// <summary>Window size.</summary>
    public int KernelSize { get; }

    /// <summary>Stride (default 0: the kernel size).</summary>
    [DefaultValue(0)]
    public int Stride { get; set; }

    /// <summary>Implicit negative-infinity padding on each side (default 0; at most half the kernel).</summary>
    [DefaultValue(0)]
    public int Padding { get; set; }
}

/// <summary>1-D average pooling over a signal <c>[N, C, L]</c>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
[Conditional("DSL_KEEP_ATTRIBUTES")]
public sealed class AvgPool1dAttribute : LayerAttribute
{
    /// <param name="kernelSize">Window size.</param>
    public AvgPool1dAttribute(int kernelSize) => KernelSize = kernelSize;

    /// <summary>Window size.</summary>
    public int KernelSize { get; }

    /// <summary>Stride (default 0: the kernel size).</summary>
    [DefaultValue(0)]
    public int Stride { get; set; }

    /// <summary>Zero padding on each side (default 0; at most half the kernel).</summary>
    [DefaultValue(0)]
    public int Padding { get; set; }
}

/// <summary>Adaptive average pooling to a fixed size: <c>[N, C, H, W] → [N, C, h, w]</c>, for any input size.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
[Conditional("DSL_KEEP_ATTRIBUTES")]
public sealed class AdaptiveAvgPool2dAttribute : LayerAttribute
{
    /// <param name="height">The output height.</param>
    /// <param name="width">The output width.</param>
    public AdaptiveAvgPool2dAttribute(int height, int width)
    {
        Height = height;
        Width = width;
    }

    /// <summary>The output height.</summary>
    public int Height { get; }

    /// <summary>The output width.</summary>
    public int Width { get; }
}

/// <summary>Adaptive average pooling to a fixed length: <c>[N, C, L] → [N, C, l]</c>, for any input length.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
[Conditional("DSL_KEEP_ATTRIBUTES")]
public sealed class AdaptiveAvgPool1dAttribute : LayerAttribute
{
    /// <param name="length">The output length.</param>
    public AdaptiveAvgPool1dAttribute(int length) => Length = length;

    /// <summary>The output length.</summary>
    public int Length { get; }
}
