using System;
using System.ComponentModel;
using System.Diagnostics;

namespace Dsl;

/// <summary>
/// Marks a <c>partial</c> class as a network and gives the shape of one example (no batch dimension), each
/// dimension a number or a name: <c>[Model(1, 28, 28)]</c> for 1×28×28 images, <c>[Model(1, "H", "W")]</c> for
/// grey images of any size, <c>[Model("T")]</c> for token ids of any length, <c>[Model(3, "L")]</c> for 3-channel
/// signals. Named dimensions take any value ≥ 1 unless a <see cref="DimAttribute"/> constrains them.
/// The layer attributes that follow, in source order, define the network; the generator makes the class a
/// <c>TorchSharp.torch.nn.Module&lt;Tensor, Tensor&gt;</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
[Conditional("DSL_KEEP_ATTRIBUTES")]
public sealed class ModelAttribute : Attribute
{
    /// <param name="shape">One example's input shape, without the batch dimension: numbers (<c>int</c>) and names (<c>string</c>).</param>
    public ModelAttribute(params object[] shape) => Shape = shape;

    /// <summary>One example's input shape, without the batch dimension: numbers (<c>int</c>) and names (<c>string</c>).</summary>
    public object[] Shape { get; }
}

/// <summary>
/// Constrains a named dimension of the model's input shape: <c>[Dim("H", Min = 16, Max = 4096, MultipleOf = 16)]</c>.
/// The generator checks every shape rule for every value the constraints allow, and the generated <c>forward</c>
/// rejects inputs that break them.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
[Conditional("DSL_KEEP_ATTRIBUTES")]
public sealed class DimAttribute : Attribute
{
    /// <param name="name">The dimension's name, as written in <see cref="ModelAttribute"/>.</param>
    public DimAttribute(string name) => Name = name;

    /// <summary>The dimension's name, as written in <see cref="ModelAttribute"/>.</summary>
    public string Name { get; }

    /// <summary>The smallest allowed value (default 1).</summary>
    [DefaultValue(1)]
    public int Min { get; set; } = 1;

    /// <summary>The largest allowed value (default 0: no limit).</summary>
    [DefaultValue(0)]
    public int Max { get; set; }

    /// <summary>Every allowed value is a multiple of this (default 1).</summary>
    [DefaultValue(1)]
    public int MultipleOf { get; set; } = 1;
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
    [DefaultValue(1)]
    public int Repeat { get; set; } = 1;

    /// <summary>
    /// Stochastic depth for every Add skip of the block (overriding their own <see cref="SkipAttribute.DropPath"/>):
    /// the first copy's rate; with <see cref="DropPathEnd"/>, the rate rises linearly to it over the copies
    /// (Huang et al., 2016). Default NaN: the skips keep their own.
    /// </summary>
    [DefaultValue(double.NaN)]
    public double DropPath { get; set; } = double.NaN;

    /// <summary>The last copy's stochastic-depth rate (default NaN: the same as <see cref="DropPath"/>).</summary>
    [DefaultValue(double.NaN)]
    public double DropPathEnd { get; set; } = double.NaN;
}

/// <summary>How a skip connection merges the output of <c>from</c> into the output of <c>to</c>.</summary>
public enum SkipMode
{
    /// <summary>Element-wise sum; the shapes must match (or set <see cref="SkipAttribute.Projection"/>).</summary>
    Add = 0,

    /// <summary>
    /// Concatenation along channels (dimension 1 of images and signals, the last dimension of sequences and vectors),
    /// <c>to</c>'s output first, then <c>from</c>'s: <c>cat([to, from])</c>.
    /// </summary>
    Concat = 1,

    /// <summary>
    /// Element-wise product <c>to ⊙ from</c>, broadcasting size-1 dimensions (a <c>[N, C, 1, 1]</c> gate scales a
    /// <c>[N, C, H, W]</c> map): squeeze-and-excitation and attention gates. The merged shape is the broadcast shape.
    /// </summary>
    Multiply = 2,

    /// <summary>
    /// A Highway carry gate: <c>T ⊙ to + (1 − T) ⊙ from</c> with <c>T = σ(W·from + b)</c> learned (a 1×1 convolution
    /// for images and signals, a linear map otherwise); <c>from</c> and <c>to</c> have equal shapes.
    /// </summary>
    Highway = 3,
}

/// <summary>A learned scale on the <c>to</c> branch of an Add skip: <c>from + s·to</c>.</summary>
public enum SkipScale
{
    /// <summary>No scale: <c>from + to</c>.</summary>
    None = 0,

    /// <summary>ReZero: one learned scalar α (initially <see cref="SkipAttribute.ScaleInit"/>, default 0).</summary>
    Scalar = 1,

    /// <summary>LayerScale: one learned value per channel γ (initially <see cref="SkipAttribute.ScaleInit"/>, default 1e-4).</summary>
    PerChannel = 2,
}

/// <summary>What a skip does when the spatial sizes of <c>from</c> and <c>to</c> differ.</summary>
public enum SkipAlign
{
    /// <summary>Nothing: the sizes must match, or it is a compile-time error.</summary>
    None = 0,

    /// <summary>Centre-crop the larger side to the smaller (the original U-Net).</summary>
    Crop = 1,

    /// <summary>Zero-pad the smaller side to the larger (most U-Net code).</summary>
    Pad = 2,
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

    /// <summary>Add (default), Concat, Multiply or Highway.</summary>
    [DefaultValue(SkipMode.Add)]
    public SkipMode Mode { get; set; } = SkipMode.Add;

    /// <summary>
    /// For <see cref="SkipMode.Add"/> with different shapes: insert a learned projection of <c>from</c>
    /// (ResNet option B): a bias-free 1×1 convolution, strided when the spatial size shrinks, followed by
    /// BatchNorm2d for images; a bias-free linear map for vectors and sequences.
    /// </summary>
    [DefaultValue(false)]
    public bool Projection { get; set; }

    /// <summary>
    /// With <see cref="Projection"/>: the projection's field and state_dict name (default null: <c>{from}_to_{to}</c>),
    /// e.g. <c>"downsample"</c> for torchvision's ResNet keys (<c>layer2.0.downsample.0.weight</c>).
    /// </summary>
    [DefaultValue(null)]
    public string? Name { get; set; }

    /// <summary>For <see cref="SkipMode.Add"/>: a learned scale on the <c>to</c> branch (ReZero or LayerScale).</summary>
    [DefaultValue(SkipScale.None)]
    public SkipScale Scale { get; set; } = SkipScale.None;

    /// <summary>The scale's initial value; NaN (the default) means 0 for <see cref="SkipScale.Scalar"/> and 1e-4 for <see cref="SkipScale.PerChannel"/>.</summary>
    [DefaultValue(double.NaN)]
    public double ScaleInit { get; set; } = double.NaN;

    /// <summary>
    /// For <see cref="SkipMode.Add"/>: stochastic depth. In training the <c>to</c> branch is zeroed per example with
    /// this probability and scaled by 1/(1 − p); in evaluation it is the plain Add. 0 ≤ p &lt; 1 (default 0: off).
    /// </summary>
    [DefaultValue(0.0)]
    public double DropPath { get; set; }

    /// <summary>For Add and Concat when the spatial sizes differ: crop the larger or pad the smaller (computed at compile time).</summary>
    [DefaultValue(SkipAlign.None)]
    public SkipAlign Align { get; set; } = SkipAlign.None;
}

/// <summary>
/// Puts your own TorchSharp module into the network as one layer: <c>[Module&lt;MyAttention&gt;(Channels = 64)]</c>.
/// <typeparamref name="TModule"/> must be a <c>Module&lt;Tensor, Tensor&gt;</c> with a public parameterless
/// constructor, or a public constructor that takes the inferred input channels (features) as a <c>long</c>.
/// Its output has the input's shape unless <see cref="Channels"/> or <see cref="Shape"/> says otherwise; the
/// generated code checks that shape at the first call. Its parameters are not known at compile time.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
[Conditional("DSL_KEEP_ATTRIBUTES")]
public sealed class ModuleAttribute<TModule> : LayerAttribute where TModule : class
{
    /// <summary>The output's channels (features) when they differ from the input's (default 0: the input's).</summary>
    [DefaultValue(0)]
    public int Channels { get; set; }

    /// <summary>One example's output shape (no batch dimension), numbers and names, when it differs otherwise from the input's.</summary>
    public object[]? Shape { get; set; }
}
