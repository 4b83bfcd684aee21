using System.Collections.Generic;
using System.Linq;
using Dsl.Generator.Common;
using Dsl.Generator.Graph;
using Dsl.Generator.Layers;
using Dsl.Generator.Parsing;
using Dsl.Generator.Shapes;
using Dsl.Generator.Shapes.Symbolic;

namespace Dsl.Generator.Emit;

/// <summary>
/// Writes a model's static <c>OnnxGraph()</c>: the checked graph as a <c>Dsl.OnnxGraphDescription</c> (ONNX opset 17,
/// evaluation mode), from the same walk as forward: each layer's nodes come from its definition, and merges become
/// Add / Concat / Mul nodes (Highway gate, learned scale, projection; Align as Slice / Pad on sizes read from the
/// tensors; DropPath is the identity). A block is written once, as its class's <c>OnnxGraph(g, p, input)</c>, which the
/// model calls for each use under its state_dict prefix (<c>stage1.0.</c>): the generated code grows with the blocks,
/// not with their repetitions (blocks inside blocks expand inline). The runtime adds the weights and writes the
/// protobuf. A model with a layer that has no ONNX form gets a method that says which.
/// </summary>
public static class OnnxEmitter
{
    /// <summary>The batch dimension's symbolic name.</summary>
    public const string BatchDim = "N";

    /// <returns>Each block class's <c>OnnxGraph(g, p, input)</c> statements, by class name (none when the model cannot be exported).</returns>
    public static IReadOnlyDictionary<string, List<string>> Write(CodeWriter w, string className, PlannedBody body, bool takesTokenIds)
    {
        var blocks = new Dictionary<string, (List<string> Lines, string Output)>(System.StringComparer.Ordinal);
        w.Line("/// <summary>");
        w.Line("/// The network as an ONNX graph (opset 17, evaluation mode: BatchNormalization on the running statistics, Dropout and");
        w.Line("/// DropPath the identity), its initializers named by state_dict keys; <c>export onnx</c> writes it with the weights.");
        w.Line("/// </summary>");
        w.Open("public static global::Dsl.OnnxGraphDescription OnnxGraph()");
        var g = new OnnxBuilder();
        g.Reserve("input");
        string output;
        try
        {
            output = WriteBody(g, body, "", "input", blocks);
        }
        catch (OnnxNotExportableException e)
        {
            w.Line($"throw new global::System.NotSupportedException({CSharpText.Literal($"{className} cannot be exported to ONNX: {e.Message}")});");
            w.Close();
            w.Line();
            return new Dictionary<string, List<string>>();
        }

        var inputDims = new[] { BatchDim }.Concat(body.Input.Dims.Select(d => d.IsConstant ? d.Value.ToString(System.Globalization.CultureInfo.InvariantCulture) : d.Names[0]));
        var outputDims = new[] { BatchDim }.Concat(body.Output.Dims.Select(OutputDim));
        w.Line($"var g = new global::Dsl.OnnxGraphDescription({CSharpText.Literal(className)});");
        w.Line($"g.Input(\"input\", {(takesTokenIds ? "true" : "false")}{string.Concat(inputDims.Select(d => ", " + CSharpText.Literal(d)))});");
        foreach (var line in g.Lines)
        {
            w.Line(line);
        }

        w.Line($"g.Output({CSharpText.Literal(output)}{string.Concat(outputDims.Select(d => ", " + CSharpText.Literal(d)))});");
        w.Line("return g;");
        w.Close();
        w.Line();
        return blocks.ToDictionary(b => b.Key, b => b.Value.Lines, System.StringComparer.Ordinal);
    }

    /// <summary>A block class's part of the graph: the statements <see cref="Write"/> returned for it.</summary>
    public static void WriteBlock(CodeWriter w, IReadOnlyList<string> lines)
    {
        w.Line("/// <summary>This block's nodes in the model's <c>OnnxGraph()</c>: its layers under the state_dict prefix <paramref name=\"p\"/> (<c>stage1.0.</c>), reading the value named <paramref name=\"input\"/>.</summary>");
        w.Open("internal static void OnnxGraph(global::Dsl.OnnxGraphDescription g, string p, string input)");
        foreach (var line in lines)
        {
            w.Line(line);
        }

        w.Close();
    }

    /// <summary>A number, a named dimension as it is, or unknown (empty) for a formula of names.</summary>
    private static string OutputDim(Dim d) =>
        d.IsConstant ? d.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)
        : d.Names.Count == 1 && d.ToString() == d.Names[0] ? d.Names[0] : "";

    /// <param name="blocks">
    /// At the model's level, the block bodies written so far: each block use becomes a call of its class's method,
    /// written the first time. Inside a block, null: blocks expand inline under the body's prefix.
    /// </param>
    private static string WriteBody(OnnxBuilder g, PlannedBody body, string prefix, string input, Dictionary<string, (List<string> Lines, string Output)>? blocks)
    {
        var values = new Dictionary<string, string>(System.StringComparer.Ordinal) { [LayerCatalog.InputName] = input };
        var x = input;
        foreach (var layer in body.Layers)
        {
            g.Prefix = prefix;
            string output;
            if (layer.Definition is { } definition)
            {
                g.Comment($"{prefix}{layer.Name}: {layer.KindName} -> {layer.Output.Describe()}");
                output = definition.Onnx(layer.Instance(ModelEmitter.Id(layer.Name), nullable: true), g, x);
            }
            else
            {
                output = x;
                for (var r = 0; r < layer.Blocks.Count; r++)
                {
                    var inner = prefix + layer.Name + "." + (layer.Blocks.Count > 1 ? r.ToString(System.Globalization.CultureInfo.InvariantCulture) + "." : "");
                    var block = layer.Blocks[r];
                    if (blocks is null)
                    {
                        output = WriteBody(g, block.Body, inner, output, null);
                        continue;
                    }

                    if (!blocks.TryGetValue(block.ClassName, out var written))
                    {
                        var interrupted = g.StartBody(inner);
                        var bodyOutput = WriteBody(g, block.Body, BodyTemplate.Prefix, BodyTemplate.Input, null);
                        written = (g.EndBody(interrupted), bodyOutput);
                        blocks[block.ClassName] = written;
                    }

                    g.Statement(new BlockUse(block, inner, output).Call("OnnxGraph", "g"));
                    output = BodyTemplate.Substitute(written.Output, inner, output);
                }

                g.Prefix = prefix;
            }

            foreach (var merge in layer.Merges)
            {
                g.Comment($"{prefix}{layer.Name}: skip from '{merge.From}' ({MergeText.MergeKind(merge)}) -> {merge.Result.Describe()}");
                output = WriteMerge(g, merge, layer.Name, output, values[merge.From]);
            }

            values[layer.Name] = output;
            x = output;
        }

        return x;
    }

    private static string WriteMerge(OnnxBuilder g, PlannedMerge merge, string to, string current, string from)
    {
        var pad = merge.AlignPads;
        var carry = merge.Aligned.Any(a => a.ChangesFrom) ? Align(g, from, current, merge.FromShape.Rank + 1, pad, $"{merge.From}_to_{to}_aligned") : from;
        var branch = merge.Aligned.Any(a => a.ChangesTo) ? Align(g, current, from, merge.ToShape!.Rank + 1, pad, $"{to}_aligned") : current;
        if (merge.Projection is { } projection)
        {
            carry = Projection(g, projection, carry);
        }

        var name = to + "_merged";
        switch (merge.Mode)
        {
            case MergeMode.Concat:
                return g.Node("Concat", name, new[] { branch, carry }, OnnxAttr.Int("axis", merge.Result.ChannelAxis + 1));
            case MergeMode.Multiply:
                return g.Node("Mul", name, new[] { branch, carry });
            case MergeMode.Highway:
            {
                // carry + T ⊙ (branch − carry), T = σ(gate(carry)), as the generated HighwayMerge.
                var field = PlannedMerge.GateField(merge.From, to);
                var logits = merge.Result.Layout is Layout.Image or Layout.Signal
                    ? g.Node("Conv", field, new[] { carry, g.Weight(field + ".weight"), g.Weight(field + ".bias") },
                        OnnxAttr.Ints("kernel_shape", OnnxBuilder.Repeat(1, merge.Result.Rank - 1)))
                    : g.Linear(field, carry, field + ".weight", field + ".bias");
                var gate = g.Node("Sigmoid", field + "_t", new[] { logits });
                var difference = g.Node("Sub", name + "_difference", new[] { branch, carry });
                var gated = g.Node("Mul", name + "_gated", new[] { gate, difference });
                return g.Node("Add", name, new[] { carry, gated });
            }

            default:
                if (merge.Scale == MergeScale.None)
                {
                    return g.Node("Add", name, new[] { branch, carry });
                }

                var scale = g.Weight(PlannedMerge.ScaleField(merge.From, to));
                if (merge.Scale == MergeScale.PerChannel && merge.Result.Layout is Layout.Image or Layout.Signal)
                {
                    var view = merge.Result.Layout == Layout.Image ? g.Ints(merge.Channels, 1, 1) : g.Ints(merge.Channels, 1);
                    scale = g.Node("Reshape", PlannedMerge.ScaleField(merge.From, to) + "_view", new[] { scale, view });
                }

                var scaled = g.Node("Mul", name + "_scaled", new[] { branch, scale });
                return g.Node("Add", name, new[] { carry, scaled });
        }
    }

    /// <summary>The skip's projection: Conv 1×1 (no bias) + BatchNormalization (<c>proj.0</c>, <c>proj.1</c>), or a bias-free linear map.</summary>
    private static string Projection(OnnxBuilder g, PlannedProjection p, string x)
    {
        var field = p.FieldName;
        if (!p.IsConvolution)
        {
            return g.Linear(field, x, field + ".weight", null);
        }

        var axes = p.Input.Rank - 1;
        var conv = g.Node("Conv", field + "_conv", new[] { x, g.Weight(field + ".0.weight") },
            OnnxAttr.Ints("kernel_shape", OnnxBuilder.Repeat(1, axes)), OnnxAttr.Ints("strides", OnnxBuilder.Repeat(p.Stride, axes)));
        return g.Node("BatchNormalization", field,
            new[] { conv, g.Weight(field + ".1.weight"), g.Weight(field + ".1.bias"), g.Weight(field + ".1.running_mean"), g.Weight(field + ".1.running_var") },
            OnnxAttr.Float("epsilon", 1e-5));
    }

    /// <summary>
    /// Centre-crops (Slice) or zero-pads (Pad) the spatial axes of <paramref name="self"/> to the smaller (larger) of
    /// its and <paramref name="other"/>'s sizes, read from the tensors so named dimensions work: as AlignCentre.
    /// </summary>
    private static string Align(OnnxBuilder g, string self, string other, int rank, bool pad, string hint)
    {
        var spatial = Enumerable.Range(2, rank - 2).Select(i => (long)i).ToArray();
        var selfShape = g.Node("Shape", hint + "_shape", new[] { self });
        var otherShape = g.Node("Shape", hint + "_other_shape", new[] { other });
        var selfSizes = g.Node("Slice", hint + "_sizes", new[] { selfShape, g.Ints(2), g.Ints(rank) });
        var otherSizes = g.Node("Slice", hint + "_other_sizes", new[] { otherShape, g.Ints(2), g.Ints(rank) });
        var target = g.Node(pad ? "Max" : "Min", hint + "_target", new[] { selfSizes, otherSizes });
        if (!pad)
        {
            var excess = g.Node("Sub", hint + "_excess", new[] { selfSizes, target });
            var start = g.Node("Div", hint + "_start", new[] { excess, g.Ints(2) });
            var end = g.Node("Add", hint + "_end", new[] { start, target });
            return g.Node("Slice", hint, new[] { self, start, end, g.Ints(spatial) });
        }

        var missing = g.Node("Sub", hint + "_missing", new[] { target, selfSizes });
        var before = g.Node("Div", hint + "_before", new[] { missing, g.Ints(2) });
        var after = g.Node("Sub", hint + "_after", new[] { missing, before });
        var pads = g.Node("Concat", hint + "_pads", new[] { g.Ints(0, 0), before, g.Ints(0, 0), after }, OnnxAttr.Int("axis", 0));
        return g.Node("Pad", hint, new[] { self, pads });
    }
}
