using System.Linq;
using Dsl.Generator.Common;

namespace Dsl.Generator.Shapes;

/// <summary>The shape of one example (no batch dimension); shown with the batch as <c>[N, 16, 28, 28]</c>.</summary>
public sealed record Shape(EquatableArray<int> Dims)
{
    public Shape(params int[] dims)
        : this(new EquatableArray<int>(dims))
    {
    }

    public int Rank => Dims.Count;

    public int this[int index] => Dims[index];

    /// <summary>The channel (feature) dimension: the first of an image, the last of a sequence or vector.</summary>
    public int ChannelAxis => Rank == 3 ? 0 : Rank - 1;

    public int Channels => Dims[ChannelAxis];

    public Shape WithDim(int axis, int value) => new(Dims.Select((d, i) => i == axis ? value : d).ToArray());

    public long Elements => Dims.Aggregate(1L, (acc, d) => acc * d);

    /// <summary>With the batch: <c>[N, 16, 28, 28]</c>.</summary>
    public override string ToString() => "[" + string.Join(", ", new[] { "N" }.Concat(Dims.Select(d => d.ToString()))) + "]";

    /// <summary>A name-safe form for specialised block classes: <c>16x28x28</c>.</summary>
    public string ToIdentifierPart() => string.Join("x", Dims);
}
