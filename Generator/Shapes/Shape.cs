using System.Linq;
using Dsl.Generator.Common;
using Dsl.Generator.Shapes.Symbolic;

namespace Dsl.Generator.Shapes;

/// <summary>
/// What a tensor of one example (no batch dimension) means, which decides which layers may consume it:
/// a rank-3 tensor <c>[N, a, b]</c> is a <see cref="Signal"/> (channels first, as 1-D layers want) or a
/// <see cref="Sequence"/> (features last, as Linear, LayerNorm and attention want).
/// </summary>
public enum Layout
{
    /// <summary><c>[N, F]</c>: features (or token ids).</summary>
    Vector,

    /// <summary><c>[N, T, D]</c>: D features at each of T positions.</summary>
    Sequence,

    /// <summary><c>[N, C, L]</c>: C channels over a length L.</summary>
    Signal,

    /// <summary><c>[N, C, H, W]</c>.</summary>
    Image,
}

/// <summary>The shape of one example (no batch dimension) and its layout; shown with the batch as <c>[N, 16, H/2, W/2]</c>.</summary>
public sealed record Shape(EquatableArray<Dim> Dims, Layout Layout)
{
    public Shape(Layout layout, params Dim[] dims)
        : this(new EquatableArray<Dim>(dims), layout)
    {
    }

    /// <summary>A fixed shape whose layout follows from its rank (rank 2: a sequence).</summary>
    public static Shape Fixed(params long[] dims) => new(LayoutOfRank(dims.Length, signal: false), dims.Select(Dim.Of).ToArray());

    /// <summary>The layout of a tensor of this rank (per example) when nothing says otherwise.</summary>
    public static Layout LayoutOfRank(int rank, bool signal) => rank switch
    {
        1 => Layout.Vector,
        2 => signal ? Layout.Signal : Layout.Sequence,
        _ => Layout.Image,
    };

    public int Rank => Dims.Count;

    public Dim this[int index] => Dims[index];

    /// <summary>The channel (feature) axis: the first of an image or a signal, the last of a sequence or vector.</summary>
    public int ChannelAxis => Layout is Layout.Image or Layout.Signal ? 0 : Rank - 1;

    public Dim Channels => Dims[ChannelAxis];

    /// <summary>Whether every dimension is a fixed number.</summary>
    public bool IsFixed => Dims.All(d => d.IsConstant);

    public Shape WithDim(int axis, Dim value) => new(Layout, Dims.Select((d, i) => i == axis ? value : d).ToArray());

    public Shape WithLayout(Layout layout) => new(Dims, layout);

    public Dim Elements => _elements ??= Dims.Aggregate(Dim.Of(1), (acc, d) => acc * d);

    private Dim? _elements;

    /// <summary>
    /// How many positions carry a channel vector: H·W of an image, L of a signal, T of a sequence, 1 of a vector
    /// (the product of every dimension but the channel axis); what per-position MAC counts multiply by.
    /// </summary>
    public Dim Positions => Dims.Where((_, axis) => axis != ChannelAxis).Aggregate(Dim.Of(1), (acc, d) => acc * d);

    /// <summary>With the batch: <c>[N, 16, 28, 28]</c>. Kept once made: the emitters print each shape many times.</summary>
    public override string ToString() => _text ??= Dims.Count == 0 ? "[N]" : "[N, " + string.Join(", ", Dims.Select(d => d.ToString())) + "]";

    private string? _text;

    // A copy (`with`) starts without the kept text and count: its dims may differ.
    private Shape(Shape original)
    {
        Dims = original.Dims;
        Layout = original.Layout;
    }

    // Equality by what the shape is, not by whether its text or count was made yet (a record would compare those fields too).
    public bool Equals(Shape? other) => other is not null && Layout == other.Layout && Dims.Equals(other.Dims);

    public override int GetHashCode() => unchecked((Dims.GetHashCode() * 397) ^ (int)Layout);

    /// <summary>
    /// With the layout where the rank alone does not tell it: a rank-3 tensor reads as a sequence <c>[N, T, D]</c>
    /// unless marked <c>[N, 16, L] (signal)</c>.
    /// </summary>
    public string Describe() => Layout == Layout.Signal ? this + " (signal)" : ToString();

    /// <summary>What a layer expects, in words: <c>a signal [N, C, L]</c>.</summary>
    public static string Expected(Layout layout) => layout switch
    {
        Layout.Vector => "a vector [N, F]",
        Layout.Sequence => "a sequence [N, T, D]",
        Layout.Signal => "a signal [N, C, L]",
        Layout.Image => "an image [N, C, H, W]",
        _ => throw new System.ArgumentOutOfRangeException(nameof(layout)),
    };

    /// <summary>A name-safe form for specialised block classes: <c>16x28x28</c>, <c>16xH_2xW_2</c>, <c>T_x64_seq</c>.</summary>
    public string ToIdentifierPart()
    {
        var text = string.Join("x", Dims.Select(d => d.ToString()));
        var chars = text.Select(c => char.IsLetterOrDigit(c) ? c : '_').ToArray();
        var part = new string(chars);
        while (part.Contains("__"))
        {
            part = part.Replace("__", "_");
        }

        return part.Trim('_') + (Layout == Layout.Signal ? "_signal" : "");
    }
}
