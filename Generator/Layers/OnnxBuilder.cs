using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Dsl.Generator.Common;

namespace Dsl.Generator.Layers;

/// <summary>A node attribute as C#: the construction of a <c>Dsl.OnnxAttribute</c>.</summary>
public sealed record OnnxAttr(string CSharp)
{
    public static OnnxAttr Int(string name, long value) => new($"new global::Dsl.OnnxAttribute(\"{name}\", {value}L)");

    public static OnnxAttr Ints(string name, params long[] values) =>
        new($"new global::Dsl.OnnxAttribute(\"{name}\", new long[] {{ {string.Join(", ", values)} }})");

    public static OnnxAttr Float(string name, double value) => new($"new global::Dsl.OnnxAttribute(\"{name}\", {OnnxBuilder.FloatLiteral(value)})");

    public static OnnxAttr String(string name, string value) => new($"new global::Dsl.OnnxAttribute(\"{name}\", \"{value}\")");
}

/// <summary>A layer that has no ONNX form (a user's module): the generated <c>OnnxGraph()</c> throws with this message.</summary>
public sealed class OnnxNotExportableException : System.Exception
{
    public OnnxNotExportableException(string message) : base(message)
    {
    }
}

/// <summary>
/// What a layer definition's ONNX member writes into: nodes (as the C# lines of the generated <c>OnnxGraph()</c>),
/// initializers named by their state_dict keys under the current block prefix, and small constants. Value names are
/// unique in the graph; a layer's output is named after its state_dict path (<c>stage1.0.conv1</c>).
/// </summary>
public sealed class OnnxBuilder
{
    private List<string> _lines = new();
    private HashSet<string> _names = new(System.StringComparer.Ordinal);
    private HashSet<string> _weights = new(System.StringComparer.Ordinal);
    private readonly Dictionary<string, string> _constants = new(System.StringComparer.Ordinal);
    private string _displayPrefix = "";
    private readonly TextBuffer _line = new(); // the statement being written, reused

    /// <summary>The state_dict prefix of the body being written (<c>stage1.0.</c>; empty for the model's own layers).</summary>
    public string Prefix { get; set; } = "";

    /// <summary>The generated statements, one per line, on a <c>Dsl.OnnxGraphDescription</c> named <c>g</c>.</summary>
    public IReadOnlyList<string> Lines => _lines;

    /// <summary>Reserves a name (the graph input) so no node output takes it.</summary>
    public void Reserve(string name) => _names.Add(name);

    /// <summary>
    /// Writes what follows into a block body's own lines, under <see cref="BodyTemplate.Prefix"/>, with names of its own (each use
    /// has its own prefix; the constants stay the graph's); <paramref name="displayPrefix"/> is the prefix of its first
    /// use, for messages. Returns what <see cref="EndBody"/> restores.
    /// </summary>
    public Interrupted StartBody(string displayPrefix)
    {
        var saved = new Interrupted(_lines, _names, _weights, _displayPrefix, Prefix);
        _lines = new List<string>();
        _names = new HashSet<string>(System.StringComparer.Ordinal);
        _weights = new HashSet<string>(System.StringComparer.Ordinal);
        _displayPrefix = displayPrefix;
        return saved;
    }

    /// <summary>Ends a block body: returns its lines and goes back to what it interrupted.</summary>
    public List<string> EndBody(Interrupted saved)
    {
        var body = _lines;
        (_lines, _names, _weights, _displayPrefix, Prefix) = (saved.Lines, saved.Names, saved.Weights, saved.DisplayPrefix, saved.Prefix);
        return body;
    }

    /// <summary>The state a block body's lines interrupt.</summary>
    public sealed record Interrupted(List<string> Lines, HashSet<string> Names, HashSet<string> Weights, string DisplayPrefix, string Prefix);

    /// <summary>Adds a statement as it is (a call of a block's <c>OnnxGraph</c>).</summary>
    public void Statement(string line) => _lines.Add(line);

    /// <summary>A layer's qualified name as a user reads it (in messages): the body prefix replaced by its first use's.</summary>
    public string Display(string field) => (Prefix.StartsWith(BodyTemplate.Prefix, System.StringComparison.Ordinal) ? _displayPrefix + Prefix.Substring(1) : Prefix) + field;

    /// <summary>A fresh value name under the prefix: <paramref name="hint"/>, or with <c>_2</c>, <c>_3</c>, … when taken.</summary>
    public string Fresh(string hint)
    {
        if (BodyTemplate.IsTemplate(hint))
        {
            throw new System.InvalidOperationException("a node's name hint comes from a field, never from a value name: " + hint);
        }

        var name = Prefix + hint.TrimStart('@');
        var candidate = name;
        for (var i = 2; !_names.Add(candidate); i++)
        {
            candidate = name + "_" + i.ToString(CultureInfo.InvariantCulture);
        }

        return candidate;
    }

    /// <summary>A state_dict entry under the prefix (<c>conv1.weight</c>), as an initializer the graph reads.</summary>
    public string Weight(string key)
    {
        var name = Prefix + key.TrimStart('@');
        if (_weights.Add(name))
        {
            _lines.Add(BodyTemplate.AppendExpression(_line.Clear().Append("g.Weight("), name).Append(");").ToString());
        }

        return name;
    }

    /// <summary>A convolution's inputs: <paramref name="x"/>, its weight, and its bias when it has one.</summary>
    public string[] ConvolutionInputs(string x, string field, bool bias) =>
        bias ? new[] { x, Weight(field + ".weight"), Weight(field + ".bias") } : new[] { x, Weight(field + ".weight") };

    /// <summary>A 1-D int64 constant (shared by every node that needs the same values).</summary>
    public string Ints(params long[] values)
    {
        var key = "i:" + string.Join(",", values);
        if (!_constants.TryGetValue(key, out var name))
        {
            name = "const_" + _constants.Count.ToString(CultureInfo.InvariantCulture);
            _names.Add(name);
            _constants[key] = name;
            _lines.Add($"g.Int64s({CSharpText.Literal(name)}{string.Concat(values.Select(v => ", " + v.ToString(CultureInfo.InvariantCulture) + "L"))});");
        }

        return name;
    }

    /// <summary>A 0-D int64 constant.</summary>
    public string Scalar(long value)
    {
        var key = "s:" + value.ToString(CultureInfo.InvariantCulture);
        if (!_constants.TryGetValue(key, out var name))
        {
            name = "const_" + _constants.Count.ToString(CultureInfo.InvariantCulture);
            _names.Add(name);
            _constants[key] = name;
            _lines.Add($"g.Int64Scalar({CSharpText.Literal(name)}, {value.ToString(CultureInfo.InvariantCulture)}L);");
        }

        return name;
    }

    /// <summary>A 1-D float constant (shared like <see cref="Ints"/>).</summary>
    public string Floats(params double[] values)
    {
        var key = "f:" + string.Join(",", values.Select(v => ((float)v).ToString("R", CultureInfo.InvariantCulture)));
        if (!_constants.TryGetValue(key, out var name))
        {
            name = "const_" + _constants.Count.ToString(CultureInfo.InvariantCulture);
            _names.Add(name);
            _constants[key] = name;
            _lines.Add($"g.Floats({CSharpText.Literal(name)}{string.Concat(values.Select(v => ", " + FloatLiteral(v)))});");
        }

        return name;
    }

    /// <summary>Adds a node with one output named after <paramref name="hint"/>; returns the output's name.</summary>
    public string Node(string op, string hint, string[] inputs, params OnnxAttr[] attributes)
    {
        var output = Fresh(hint);
        var line = CSharpText.AppendLineLiteral(_line.Clear().Append("g.Node("), op, newline: false).Append(", new[] { ");
        for (var i = 0; i < inputs.Length; i++)
        {
            BodyTemplate.AppendExpression(i == 0 ? line : line.Append(", "), inputs[i]);
        }

        BodyTemplate.AppendExpression(line.Append(" }, new[] { "), output).Append(" }");
        foreach (var attribute in attributes)
        {
            line.Append(", ").Append(attribute.CSharp);
        }

        _lines.Add(line.Append(");").ToString());
        return output;
    }

    /// <summary>Adds a comment line (which layer the next nodes come from), for whoever reads the generated code.</summary>
    public void Comment(string text) => _lines.Add("// " + text.Replace(BodyTemplate.Prefix, "").Replace(BodyTemplate.Input, "input").Replace("\n", " "));

    /// <summary>
    /// <c>x·Wᵀ (+ b)</c> for a state_dict <c>[out, in]</c> weight over the last axis of any rank (Linear, attention
    /// projections, Highway gates on vectors): Transpose, MatMul and Add, which ONNX Runtime fuses.
    /// </summary>
    public string Linear(string hint, string x, string weightKey, string? biasKey)
    {
        var weight = Weight(weightKey);
        var transposed = Node("Transpose", hint + "_weight_t", new[] { weight }, OnnxAttr.Ints("perm", 1, 0));
        if (biasKey is null)
        {
            return Node("MatMul", hint, new[] { x, transposed });
        }

        var product = Node("MatMul", hint + "_matmul", new[] { x, transposed });
        return Node("Add", hint, new[] { product, Weight(biasKey) });
    }

    /// <summary><paramref name="value"/> <paramref name="count"/> times (an attribute per spatial axis).</summary>
    public static long[] Repeat(long value, int count) => Enumerable.Repeat(value, count).ToArray();

    /// <summary>A C# float literal (round-trip digits).</summary>
    public static string FloatLiteral(double value)
    {
        var f = (float)value;
        return float.IsPositiveInfinity(f) ? "float.PositiveInfinity"
            : float.IsNegativeInfinity(f) ? "float.NegativeInfinity"
            : f.ToString("R", CultureInfo.InvariantCulture) + "f";
    }
}
