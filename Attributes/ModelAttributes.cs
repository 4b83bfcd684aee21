using System;
using System.Diagnostics;

namespace Dsl;

/// <summary>
/// Marks a <c>partial</c> class as a network and gives the shape of one example (no batch dimension),
/// for example <c>[Model(1, 28, 28)]</c> for 1×28×28 images or <c>[Model(32)]</c> for 32 token ids.
/// The layer attributes that follow, in source order, define the network; the generator makes the class a
/// <c>TorchSharp.torch.nn.Module&lt;Tensor, Tensor&gt;</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
[Conditional("DSL_KEEP_ATTRIBUTES")]
public sealed class ModelAttribute : Attribute
{
    /// <param name="shape">One example's input shape, without the batch dimension.</param>
    public ModelAttribute(params int[] shape) => Shape = shape;

    /// <summary>One example's input shape, without the batch dimension.</summary>
    public int[] Shape { get; }
}

/// <summary>
/// Marks a class whose layers and skips form a reusable block with no fixed input shape.
/// Put it in a model or another block with <see cref="UseAttribute{TBlock}"/>; it is shape-checked at every use.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
[Conditional("DSL_KEEP_ATTRIBUTES")]
public sealed class BlockAttribute : Attribute
{
}

/// <summary>
/// Uses the block <typeparamref name="TBlock"/> (a class marked <see cref="BlockAttribute"/>) as one layer,
/// or as <see cref="Repeat"/> layers in a row.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
[Conditional("DSL_KEEP_ATTRIBUTES")]
public sealed class UseAttribute<TBlock> : LayerAttribute where TBlock : class
{
    /// <summary>How many copies of the block run one after the other (default 1).</summary>
    public int Repeat { get; set; } = 1;
}

/// <summary>How a skip connection merges the output of <c>from</c> into the output of <c>to</c>.</summary>
public enum SkipMode
{
    /// <summary>Element-wise sum; the shapes must match (or set <see cref="SkipAttribute.Projection"/>).</summary>
    Add = 0,

    /// <summary>Concatenation along channels (dimension 1 of images, the last dimension of sequences and vectors).</summary>
    Concat = 1,
}

/// <summary>
/// A skip connection: after layer <c>to</c> runs, the output of layer <c>from</c> is merged
/// into its output. <c>"input"</c> names the network's (or block's) input.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
[Conditional("DSL_KEEP_ATTRIBUTES")]
public sealed class SkipAttribute : Attribute
{
    /// <param name="from">The layer whose output is carried forward, or <c>"input"</c>.</param>
    /// <param name="to">The layer into whose output it is merged.</param>
    public SkipAttribute(string from, string to)
    {
        From = from;
        To = to;
    }

    /// <summary>The layer whose output is carried forward, or <c>"input"</c>.</summary>
    public string From { get; }

    /// <summary>The layer into whose output it is merged.</summary>
    public string To { get; }

    /// <summary>Add (default) or Concat.</summary>
    public SkipMode Mode { get; set; } = SkipMode.Add;

    /// <summary>
    /// For <see cref="SkipMode.Add"/> with different shapes: insert a learned projection of <c>from</c>
    /// (ResNet option B): a bias-free 1×1 convolution, strided when the spatial size shrinks, followed by
    /// BatchNorm2d for images; a bias-free linear map for vectors and sequences.
    /// </summary>
    public bool Projection { get; set; }
}
