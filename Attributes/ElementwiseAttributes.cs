using System;
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
