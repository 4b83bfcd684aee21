using System;
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
    public int Stride { get; set; } = 1;

    /// <summary>Zero padding on each side (default 0).</summary>
    public int Padding { get; set; }

    /// <summary>Dilation (default 1).</summary>
    public int Dilation { get; set; } = 1;

    /// <summary>Groups (default 1); must divide both input and output channels.</summary>
    public int Groups { get; set; } = 1;

    /// <summary>Whether the layer has a bias (default true).</summary>
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
    public int Stride { get; set; } = 1;

    /// <summary>Padding removed from each side of the output (default 0).</summary>
    public int Padding { get; set; }

    /// <summary>Extra size added to one side of the output (default 0); must be smaller than the stride.</summary>
    public int OutputPadding { get; set; }

    /// <summary>Dilation (default 1).</summary>
    public int Dilation { get; set; } = 1;

    /// <summary>Whether the layer has a bias (default true).</summary>
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

    /// <summary>Stride (default: the kernel size).</summary>
    public int Stride { get; set; }

    /// <summary>Implicit negative-infinity padding on each side (default 0; at most half the kernel).</summary>
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

    /// <summary>Stride (default: the kernel size).</summary>
    public int Stride { get; set; }

    /// <summary>Zero padding on each side (default 0; at most half the kernel).</summary>
    public int Padding { get; set; }
}

/// <summary>Averages each channel over its spatial positions: <c>[N, C, H, W] → [N, C]</c>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
[Conditional("DSL_KEEP_ATTRIBUTES")]
public sealed class GlobalAvgPoolAttribute : LayerAttribute
{
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
