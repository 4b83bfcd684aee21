using System;
using System.ComponentModel;
using System.Diagnostics;

namespace Dsl;

/// <summary>Batch normalisation over the channels of <c>[N, C, H, W]</c>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
[Conditional("DSL_KEEP_ATTRIBUTES")]
public sealed class BatchNorm2dAttribute : LayerAttribute
{
}

/// <summary>Layer normalisation over the last dimension (<c>[N, F]</c> or <c>[N, T, D]</c>).</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
[Conditional("DSL_KEEP_ATTRIBUTES")]
public sealed class LayerNormAttribute : LayerAttribute
{
}

/// <summary>Rectified linear unit, any shape.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
[Conditional("DSL_KEEP_ATTRIBUTES")]
public sealed class ReLUAttribute : LayerAttribute
{
}

/// <summary>Gaussian error linear unit, any shape.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
[Conditional("DSL_KEEP_ATTRIBUTES")]
public sealed class GELUAttribute : LayerAttribute
{
}

/// <summary>Logistic sigmoid, any shape.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
[Conditional("DSL_KEEP_ATTRIBUTES")]
public sealed class SigmoidAttribute : LayerAttribute
{
}

/// <summary>Hyperbolic tangent, any shape.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
[Conditional("DSL_KEEP_ATTRIBUTES")]
public sealed class TanhAttribute : LayerAttribute
{
}

/// <summary>Dropout during training, any shape.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
[Conditional("DSL_KEEP_ATTRIBUTES")]
public sealed class DropoutAttribute : LayerAttribute
{
    /// <param name="p">The probability of zeroing an element, in [0, 1].</param>
    public DropoutAttribute(double p = 0.5) => P = p;

    /// <summary>The probability of zeroing an element, in [0, 1].</summary>
    public double P { get; }
}

/// <summary>Batch normalisation over the channels of a signal <c>[N, C, L]</c>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
[Conditional("DSL_KEEP_ATTRIBUTES")]
public sealed class BatchNorm1dAttribute : LayerAttribute
{
}

/// <summary>Group normalisation over the channels of an image <c>[N, C, H, W]</c> or a signal <c>[N, C, L]</c>; <c>groups</c> must divide C.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
[Conditional("DSL_KEEP_ATTRIBUTES")]
public sealed class GroupNormAttribute : LayerAttribute
{
    /// <param name="groups">The number of channel groups.</param>
    public GroupNormAttribute(int groups) => Groups = groups;

    /// <summary>The number of channel groups.</summary>
    public int Groups { get; }
}

/// <summary>Sigmoid linear unit (swish), x·σ(x), any shape.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
[Conditional("DSL_KEEP_ATTRIBUTES")]
public sealed class SiLUAttribute : LayerAttribute
{
}

/// <summary>Leaky rectified linear unit, any shape.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
[Conditional("DSL_KEEP_ATTRIBUTES")]
public sealed class LeakyReLUAttribute : LayerAttribute
{
    /// <param name="slope">The slope for negative inputs (default 0.01).</param>
    public LeakyReLUAttribute(double slope = 0.01) => Slope = slope;

    /// <summary>The slope for negative inputs (default 0.01).</summary>
    public double Slope { get; }
}

/// <summary>Softmax over the last dimension, any shape.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
[Conditional("DSL_KEEP_ATTRIBUTES")]
public sealed class SoftmaxAttribute : LayerAttribute
{
}
