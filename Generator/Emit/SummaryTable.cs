using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.RegularExpressions;
using Dsl.Generator.Graph;
using Dsl.Generator.Shapes.Symbolic;

namespace Dsl.Generator.Emit;

/// <summary>
/// A torchinfo/Keras-like table computed at compile time: layer, kind, inputs (the layer before it and every skip
/// source merged into it, Keras's "Connected to"), output shape, parameters and multiply-accumulates per example;
/// then the totals and the memory (see <see cref="MemoryCounts"/>). Folded, a block use is one row (<c>stage1 ×3</c>
/// with the counts of all three); expanded, every repetition and every inner layer has its row, named as in the
/// state_dict (<c>stage2.1.conv1</c>).
/// </summary>
public static class SummaryTable
{
    private static readonly string[] Header = { "Layer", "Kind", "Inputs", "Output shape", "Params", "MACs" };

    /// <summary>The memory convention in one sentence, for the generated XML docs.</summary>
    public const string MemoryConvention =
        "Memory is float32: parameter bytes are 4 per parameter; activation bytes are 4 per element of every tensor a layer, " +
        "a skip projection and a merge produce for one example in training (what autograd keeps for the backward pass; " +
        "not the input, not tensors inside a layer, not gradients or optimiser state).";

    public static List<string> Lines(string modelName, PlannedBody body, bool expanded = false)
    {
        var rows = new List<string[]>();
        AddRows(rows, LayerFlow.Of(body, expanded), "");
        var widths = Enumerable.Range(0, Header.Length).Select(c => rows.Select(r => r[c].Length).Concat(new[] { Header[c].Length }).Max()).ToArray();
        string Format(string[] row) => string.Join("  ", row.Select((cell, c) => c >= 4 ? cell.PadLeft(widths[c]) : cell.PadRight(widths[c]))).TrimEnd();
        var rule = new string('-', widths.Sum() + (2 * (widths.Length - 1)));

        var lines = new List<string>
        {
            $"{modelName}: {body.Input.Describe()} -> {body.Output.Describe()}" + (expanded ? " (every layer of every block)" : ""),
            Format(Header),
            rule,
        };
        lines.AddRange(rows.Select(Format));
        lines.Add(rule);
        lines.AddRange(Totals(body));
        return lines;
    }

    /// <summary>The parameter total, with the user modules whose parameters are known only at run time.</summary>
    public static string ParameterText(PlannedBody body) =>
        body.UnknownParameterLayers == 0
            ? Count(body.Parameters)
            : $"{Count(body.Parameters)} + unknown (in {body.UnknownParameterLayers} user module{(body.UnknownParameterLayers == 1 ? "" : "s")})";

    /// <summary>The totals: parameters (all are trainable: buffers such as running statistics are not parameters), MACs, memory.</summary>
    private static IEnumerable<string> Totals(PlannedBody body)
    {
        var unknown = body.UnknownParameterLayers > 0;
        var trainable = Count(body.Parameters) + (unknown ? " + unknown" : "");
        yield return $"Total parameters: {ParameterText(body)}";
        yield return $"Trainable parameters: {trainable}";
        yield return $"Multiply-accumulates per example: {Macs(body.Macs)}" + (unknown ? " (without the user modules')" : "");
        yield return $"Parameter memory (float32): {Bytes(Dim.Of(body.Parameters * MemoryCounts.BytesPerElement))}" + (unknown ? " + unknown" : "");
        yield return $"Activation memory per example in training (float32, every layer's and merge's output): {Bytes(MemoryCounts.ActivationElements(body) * MemoryCounts.BytesPerElement)}";
    }

    private static void AddRows(List<string[]> rows, IReadOnlyList<FlowLayer> layers, string indent)
    {
        foreach (var flow in layers)
        {
            var layer = flow.Layer;
            var inputs = string.Join(", ", flow.Sources);
            if (!layer.IsBlockUse)
            {
                rows.Add(new[] { indent + flow.Name, layer.KindName, inputs, layer.Output.Describe(), layer.Result!.ParametersKnown ? Count(layer.OwnParameters) : "?", Macs(layer.Result.Macs) });
            }
            else if (flow.Repetitions.Count == 0)
            {
                var repeat = layer.Blocks.Count > 1 ? $" ×{layer.Blocks.Count}" : "";
                rows.Add(new[] { indent + flow.Name + repeat, layer.KindName, inputs, layer.Output.Describe(), Parameters(layer.OwnParameters, layer.UnknownParameterLayers), Macs(flow.OwnMacs) });
            }
            else
            {
                foreach (var repetition in flow.Repetitions)
                {
                    var block = repetition.Block.Body;
                    rows.Add(new[] { indent + repetition.Name, repetition.Block.BlockName, repetition.Input, block.Output.Describe(), Parameters(block.Parameters, block.UnknownParameterLayers), Macs(block.Macs) });
                    AddRows(rows, repetition.Layers, indent + "  ");
                }
            }

            // A second skip into the same layer merges into the first one's result: (gate ⊙ bn2) + input.
            var value = flow.Output;
            foreach (var merge in flow.Merges)
            {
                var m = merge.Merge;
                var expression = MergeText.MergeExpression(m, value, merge.From);
                rows.Add(new[]
                {
                    indent + expression, $"Skip ({MergeText.MergeKind(m)})", $"{flow.Output}, {merge.From}",
                    m.Result.Describe(), Count(m.Parameters), Macs(m.Macs),
                });
                value = $"({expression})";
            }
        }
    }

    private static string Parameters(long known, int unknownLayers) => Count(known) + (unknownLayers > 0 ? " + ?" : "");

    /// <summary>A count of multiply-accumulates: a number, or a formula in the named dimensions (<c>4096·H·W + 12·H</c>).</summary>
    public static string Macs(Dim macs) => macs.IsConstant ? Count(macs.Value) : Formula(macs);

    /// <summary>
    /// A size formula as people read it: <see cref="Dim"/>'s text with repeated factors as powers (<c>T·T</c> → <c>T²</c>)
    /// and thousands grouped (<c>98624·T</c> → <c>98,624·T</c>).
    /// </summary>
    public static string Formula(Dim value)
    {
        var text = RepeatedFactor.Replace(value.ToString(), m => m.Groups[1].Value + Superscript(1 + m.Groups[2].Captures.Count));
        return LongNumber.Replace(text, m => Count(long.Parse(m.Value, CultureInfo.InvariantCulture)));
    }

    /// <summary>A name times itself (<c>T·T</c>, <c>H·H·H</c>), not the start of a call such as <c>floor(</c>.</summary>
    private static readonly Regex RepeatedFactor = new(@"(?<![\w.])([A-Za-z_]\w*)(·\1(?![\w(]))+", RegexOptions.CultureInvariant);

    private static readonly Regex LongNumber = new(@"(?<![\w.])\d{4,}(?![\w.])", RegexOptions.CultureInvariant);

    private static string Superscript(int power) =>
        new(power.ToString(CultureInfo.InvariantCulture).Select(d => "⁰¹²³⁴⁵⁶⁷⁸⁹"[d - '0']).ToArray());

    /// <summary>Bytes: <c>20,264 bytes (19.8 KiB)</c>, or a formula in the named dimensions.</summary>
    private static string Bytes(Dim bytes)
    {
        if (!bytes.IsConstant)
        {
            return $"{Formula(bytes)} bytes";
        }

        var value = bytes.Value;
        var scaled = value >= 1L << 30 ? $"{(value / (double)(1L << 30)).ToString("N1", CultureInfo.InvariantCulture)} GiB"
            : value >= 1L << 20 ? $"{(value / (double)(1L << 20)).ToString("N1", CultureInfo.InvariantCulture)} MiB"
            : value >= 1L << 10 ? $"{(value / 1024.0).ToString("N1", CultureInfo.InvariantCulture)} KiB"
            : null;
        return $"{Count(value)} bytes" + (scaled is null ? "" : $" ({scaled})");
    }

    public static string Count(long value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
