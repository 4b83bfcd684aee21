using System;
using System.ComponentModel;
using System.Diagnostics;

namespace Dsl;

/// <summary>Fully connected layer on the last dimension (a vector <c>[N, F]</c> or a sequence <c>[N, T, F]</c>); input features are inferred.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
[Conditional("DSL_KEEP_ATTRIBUTES")]
public sealed class LinearAttribute : LayerAttribute
{
    /// <param name="outFeatures">Output features (or a relative count from <see cref="Channels"/>).</param>
    public LinearAttribute(int outFeatures) => OutFeatures = outFeatures;

    /// <summary>Output features (or a relative count from <see cref="Channels"/>).</summary>
    public int OutFeatures { get; }

    /// <summary>Whether the layer has a bias (default true).</summary>
    [DefaultValue(true)]
    public bool Bias { get; set; } = true;
}

/// <summary>Flattens every dimension after the batch: <c>[N, d1, d2, …] → [N, d1·d2·…]</c>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
[Conditional("DSL_KEEP_ATTRIBUTES")]
public sealed class FlattenAttribute : LayerAttribute
{
}

/// <summary>Token embedding: <c>[N, T]</c> integer ids → <c>[N, T, dim]</c>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
[Conditional("DSL_KEEP_ATTRIBUTES")]
public sealed class EmbeddingAttribute : LayerAttribute
{
    /// <param name="vocabularySize">How many distinct token ids there are.</param>
    /// <param name="dim">The embedding width.</param>
    public EmbeddingAttribute(int vocabularySize, int dim)
    {
        VocabularySize = vocabularySize;
        Dim = dim;
    }

    /// <summary>How many distinct token ids there are.</summary>
    public int VocabularySize { get; }

    /// <summary>The embedding width.</summary>
    public int Dim { get; }
}

/// <summary>Multi-head self-attention over a sequence <c>[N, T, D]</c> of any length; <c>heads</c> must divide <c>D</c>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
[Conditional("DSL_KEEP_ATTRIBUTES")]
public sealed class MultiHeadAttentionAttribute : LayerAttribute
{
    /// <param name="heads">The number of attention heads.</param>
    public MultiHeadAttentionAttribute(int heads) => Heads = heads;

    /// <summary>The number of attention heads.</summary>
    public int Heads { get; }

    /// <summary>Dropout on the attention weights during training (default 0).</summary>
    [DefaultValue(0.0)]
    public double Dropout { get; set; }

    /// <summary>Whether each position attends only to itself and earlier positions (a causal mask; default false).</summary>
    [DefaultValue(false)]
    public bool Causal { get; set; }
}

/// <summary>
/// A learned absolute position embedding added to a sequence <c>[N, T, D]</c>: position t gets its own learned
/// D-vector. It needs <c>T ≤ maxLength</c> for every allowed T (declare <c>[Dim("T", Max = maxLength)]</c>).
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
[Conditional("DSL_KEEP_ATTRIBUTES")]
public sealed class PositionalEmbeddingAttribute : LayerAttribute
{
    /// <param name="maxLength">The longest sequence it has positions for.</param>
    public PositionalEmbeddingAttribute(int maxLength) => MaxLength = maxLength;

    /// <summary>The longest sequence it has positions for.</summary>
    public int MaxLength { get; }
}

/// <summary>
/// Swaps the last two dimensions, and with them the layout: a sequence <c>[N, T, D]</c> becomes a signal
/// <c>[N, D, T]</c> (for 1-D convolutions) and back.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
[Conditional("DSL_KEEP_ATTRIBUTES")]
public sealed class TransposeAttribute : LayerAttribute
{
}
