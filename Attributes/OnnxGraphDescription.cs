using System;
using System.Collections;
using System.Collections.Generic;

namespace Dsl;

/// <summary>
/// A model's ONNX graph as the generator knows it, without weights or protobuf: the input and output (dimensions
/// fixed or symbolic), the nodes in order, the state_dict keys the nodes read as initializers, and small constants.
/// Generated as a model's static <c>OnnxGraph()</c>; the runtime adds the weights and writes the <c>.onnx</c> file.
/// </summary>
public sealed class OnnxGraphDescription
{
    /// <summary>An empty graph named <paramref name="name"/>.</summary>
    public OnnxGraphDescription(string name) => Name = name;

    /// <summary>The graph's name (the model's class name).</summary>
    public string Name { get; }

    /// <summary>The graph's inputs (one: the model's).</summary>
    public IList<OnnxValue> Inputs { get; } = new List<OnnxValue>();

    /// <summary>The graph's outputs (one: the model's).</summary>
    public IList<OnnxValue> Outputs { get; } = new List<OnnxValue>();

    /// <summary>The nodes, in a topological order.</summary>
    public IList<OnnxNode> Nodes { get; } = new List<OnnxNode>();

    /// <summary>The state_dict keys the nodes read (each an initializer of that name), in first-use order.</summary>
    public IList<string> Weights { get; } = new List<string>();

    /// <summary>Constants the nodes read (shapes, axes, scalars), as initializers, in first-use order.</summary>
    public IList<OnnxConstant> Constants { get; } = new List<OnnxConstant>();

    // A block's nodes are written once and added for each of its uses, with the graph's shared constants each time.
    private readonly Dictionary<string, OnnxConstant> _constantsByName = new(StringComparer.Ordinal);

    /// <summary>Adds an input; each dimension is a number, or a name (an ONNX <c>dim_param</c>).</summary>
    public OnnxGraphDescription Input(string name, bool int64, params string[] dims)
    {
        Inputs.Add(new OnnxValue(name, int64, dims));
        return this;
    }

    /// <summary>Adds an output; each dimension is a number, a name, or empty (unknown).</summary>
    public OnnxGraphDescription Output(string name, params string[] dims)
    {
        Outputs.Add(new OnnxValue(name, false, dims));
        return this;
    }

    /// <summary>Adds a node.</summary>
    public OnnxGraphDescription Node(string op, string[] inputs, string[] outputs, params OnnxAttribute[] attributes)
    {
        Nodes.Add(new OnnxNode(op, inputs, outputs, attributes));
        return this;
    }

    /// <summary>Names a state_dict entry the nodes read.</summary>
    public OnnxGraphDescription Weight(string key)
    {
        Weights.Add(key);
        return this;
    }

    /// <summary>Adds a 1-D int64 constant (again with the same values: nothing changes).</summary>
    public OnnxGraphDescription Int64s(string name, params long[] values) => Constant(new OnnxConstant(name, values, null));

    /// <summary>Adds a 0-D int64 constant (for inputs that must be scalars, such as Trilu's k; again: nothing changes).</summary>
    public OnnxGraphDescription Int64Scalar(string name, long value) => Constant(new OnnxConstant(name, new[] { value }, null, scalar: true));

    /// <summary>Adds a 1-D float constant (again with the same values: nothing changes).</summary>
    public OnnxGraphDescription Floats(string name, params float[] values) => Constant(new OnnxConstant(name, null, values));

    private OnnxGraphDescription Constant(OnnxConstant constant)
    {
        if (_constantsByName.TryGetValue(constant.Name, out var existing))
        {
            if (!existing.SameValues(constant))
            {
                throw new ArgumentException($"the graph already has a different constant named '{constant.Name}'");
            }

            return this;
        }

        _constantsByName.Add(constant.Name, constant);
        Constants.Add(constant);
        return this;
    }
}

/// <summary>A graph input or output: its name, element type, and dimensions (a number, a name, or empty for unknown).</summary>
public sealed class OnnxValue
{
    /// <summary>A value.</summary>
    public OnnxValue(string name, bool int64, string[] dims)
    {
        Name = name;
        Int64 = int64;
        Dims = dims;
    }

    /// <summary>The value's name.</summary>
    public string Name { get; }

    /// <summary>Whether its elements are int64 (token ids) rather than float.</summary>
    public bool Int64 { get; }

    /// <summary>Each dimension: digits (fixed), a name (symbolic), or empty (unknown).</summary>
    public string[] Dims { get; }
}

/// <summary>One ONNX node.</summary>
public sealed class OnnxNode
{
    /// <summary>A node.</summary>
    public OnnxNode(string op, string[] inputs, string[] outputs, OnnxAttribute[] attributes)
    {
        Op = op;
        Inputs = inputs;
        Outputs = outputs;
        Attributes = attributes;
    }

    /// <summary>The operator (default domain).</summary>
    public string Op { get; }

    /// <summary>Input value names (empty string: an optional input left out).</summary>
    public string[] Inputs { get; }

    /// <summary>Output value names.</summary>
    public string[] Outputs { get; }

    /// <summary>The attributes.</summary>
    public OnnxAttribute[] Attributes { get; }
}

/// <summary>A node attribute: an int, ints, a float or a string.</summary>
public sealed class OnnxAttribute
{
    /// <summary>An int attribute.</summary>
    public OnnxAttribute(string name, long value)
    {
        Name = name;
        Int = value;
    }

    /// <summary>An ints attribute.</summary>
    public OnnxAttribute(string name, long[] values)
    {
        Name = name;
        Ints = values;
    }

    /// <summary>A float attribute.</summary>
    public OnnxAttribute(string name, float value)
    {
        Name = name;
        Float = value;
    }

    /// <summary>A string attribute.</summary>
    public OnnxAttribute(string name, string value)
    {
        Name = name;
        String = value;
    }

    /// <summary>The attribute's name.</summary>
    public string Name { get; }

    /// <summary>The int value (when <see cref="Ints"/>, <see cref="Float"/> and <see cref="String"/> are unset).</summary>
    public long Int { get; }

    /// <summary>The ints value, or null.</summary>
    public long[]? Ints { get; }

    /// <summary>The float value, or null.</summary>
    public float? Float { get; }

    /// <summary>The string value, or null.</summary>
    public string? String { get; }
}

/// <summary>A 1-D (or 0-D) constant: int64 or float values.</summary>
public sealed class OnnxConstant
{
    /// <summary>A constant (exactly one of the arrays is set); <paramref name="scalar"/>: 0-D, one value.</summary>
    public OnnxConstant(string name, long[]? int64s, float[]? floats, bool scalar = false)
    {
        if ((int64s is null) == (floats is null))
        {
            throw new ArgumentException("a constant has int64 values or float values");
        }

        Name = name;
        Int64s = int64s;
        Floats = floats;
        Scalar = scalar;
    }

    /// <summary>Whether it is 0-D (one value, no dimensions).</summary>
    public bool Scalar { get; }

    /// <summary>The constant's name.</summary>
    public string Name { get; }

    /// <summary>Its int64 values, or null.</summary>
    public long[]? Int64s { get; }

    /// <summary>Its float values, or null.</summary>
    public float[]? Floats { get; }

    /// <summary>Whether <paramref name="other"/> has the same kind, rank and values.</summary>
    internal bool SameValues(OnnxConstant other)
    {
        if (Scalar != other.Scalar || (Int64s is null) != (other.Int64s is null))
        {
            return false;
        }

        // float.Equals: NaN equals NaN, so a constant is always its own duplicate.
        return Int64s is not null
            ? ((IStructuralEquatable)Int64s).Equals(other.Int64s, StructuralComparisons.StructuralEqualityComparer)
            : ((IStructuralEquatable)Floats!).Equals(other.Floats, StructuralComparisons.StructuralEqualityComparer);
    }
}
