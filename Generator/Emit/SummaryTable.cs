using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.RegularExpressions;
using Dsl.Generator.Common;
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

    /// <summary>The folded table, line by line.</summary>
    public static List<string> Lines(string modelName, PlannedBody body) => Compose(modelName, body, expanded: false).Lines();

    /// <summary>A row of the table, or a block use's call of its class's part (its inner rows).</summary>
    public sealed class Item
    {
        private Item(string[]? cells, BlockUse? use)
        {
            Cells = cells;
            Use = use;
        }

        /// <summary>The row's cells (<see cref="BodyTemplate"/>s in a block's part), or null for a call.</summary>
        public string[]? Cells { get; }

        /// <summary>For a call: the use whose block's rows are written.</summary>
        public BlockUse? Use { get; }

        public static Item Row(string[] cells) => new(cells, null);

        public static Item Call(BlockUse use) => new(null, use);
    }

    /// <summary>
    /// A table: its title, header and rule, its rows and calls, its totals, the column widths over every row it shows
    /// (the blocks' rows of each use included), and each called block's rows by class name.
    /// </summary>
    public sealed class Composition
    {
        public Composition(string title, int[] widths, List<Item> items, List<string> totals, Dictionary<string, List<string[]>> blocks)
        {
            Title = title;
            Widths = widths;
            Items = items;
            Totals = totals;
            Blocks = blocks;
        }

        public string Title { get; }

        public int[] Widths { get; }

        public List<Item> Items { get; }

        public List<string> Totals { get; }

        public Dictionary<string, List<string[]>> Blocks { get; }

        public string Rule => new('-', Widths.Sum() + (2 * (Widths.Length - 1)));

        /// <summary>A row's line: each cell padded to its column's width (numbers right-aligned), two spaces between, no trailing blanks.</summary>
        public string Format(string[] row)
        {
            var line = new System.Text.StringBuilder(Widths.Sum() + (2 * Widths.Length));
            for (var c = 0; c < row.Length; c++)
            {
                if (c > 0)
                {
                    line.Append(' ', 2);
                }

                Pad(line, row[c], c);
            }

            var end = line.Length;
            while (end > 0 && line[end - 1] == ' ')
            {
                end--;
            }

            return line.ToString(0, end);
        }

        /// <summary>A cell padded as <see cref="Format"/> pads it, into a builder.</summary>
        private System.Text.StringBuilder Pad(System.Text.StringBuilder line, string cell, int column) =>
            Right(column) ? line.Append(' ', System.Math.Max(0, Widths[column] - cell.Length)).Append(cell)
                : line.Append(cell).Append(' ', System.Math.Max(0, Widths[column] - cell.Length));

        /// <summary>The whole table, line by line: only a table without block calls has it at compile time.</summary>
        public List<string> Lines()
        {
            if (Blocks.Count > 0)
            {
                throw new System.InvalidOperationException("a table that calls its blocks' rows is composed at run time");
            }

            var lines = new List<string> { Title, Format(Header), Rule };
            lines.AddRange(Items.Select(i => Format(i.Cells!)));
            lines.Add(Rule);
            lines.AddRange(Totals);
            return lines;
        }

        /// <summary>
        /// A block row as a C# statement, written into <paramref name="builder"/> (the file's): its cells padded as
        /// <see cref="Format"/> pads them, the fixed ones here, the ones that name the use's layers (<c>p</c>,
        /// <c>input</c>) at run time; the last cell (MACs) is never blank, so nothing is trimmed.
        /// </summary>
        public TextBuffer AppendRowStatement(TextBuffer builder, string[] row)
        {
            if (row[row.Length - 1].Trim().Length == 0)
            {
                throw new System.InvalidOperationException("a summary row ends with a blank cell");
            }

            builder.Append('s');
            var literal = new System.Text.StringBuilder();
            for (var c = 0; c < row.Length; c++)
            {
                if (c > 0)
                {
                    literal.Append(' ', 2);
                }

                if (!BodyTemplate.IsTemplate(row[c]))
                {
                    Pad(literal, row[c], c);
                    continue;
                }

                if (literal.Length > 0)
                {
                    CSharpText.AppendLineLiteral(builder.Append(".Append("), literal.ToString(), newline: false).Append(')');
                    literal.Clear();
                }

                var parenthesised = row[c].Length > 1 ? 1 : 0; // a template longer than one stand-in is several parts joined by +
                builder.Append(".Append(").Append('(', parenthesised);
                BodyTemplate.AppendExpression(builder, row[c]).Append(')', parenthesised)
                    .Append(Right(c) ? ".PadLeft(" : ".PadRight(").Append(Widths[c]).Append("))");
            }

            return CSharpText.AppendLineLiteral(builder.Append(".Append("), literal.ToString(), newline: true).Append(");");
        }

        private static bool Right(int column) => column >= 4;
    }

    /// <param name="expanded">Every layer of every repetition, each block use a call of its class's rows (written once per class); otherwise folded.</param>
    public static Composition Compose(string modelName, PlannedBody body, bool expanded)
    {
        var items = new List<Item>();
        var blocks = new Dictionary<string, List<string[]>>(System.StringComparer.Ordinal);
        AddRows(items, expanded ? LayerFlow.Composed(body) : LayerFlow.Folded(body), "", expanded ? blocks : null);
        var widths = Header.Select(h => h.Length).ToArray();
        foreach (var item in items)
        {
            var rows = item.Use is { } use ? blocks[use.Block.ClassName] : (IEnumerable<string[]>)new[] { item.Cells! };
            foreach (var row in rows)
            {
                for (var c = 0; c < widths.Length; c++)
                {
                    widths[c] = System.Math.Max(widths[c], item.Use is { } u ? BodyTemplate.Length(row[c], u.Prefix, u.Input) : row[c].Length);
                }
            }
        }

        var title = $"{modelName}: {body.Input.Describe()} -> {body.Output.Describe()}" + (expanded ? " (every layer of every block)" : "");
        return new Composition(title, widths, items, Totals(body).ToList(), blocks);
    }

    /// <summary>The model's <c>SummaryExpanded</c> when it calls its blocks' parts.</summary>
    public static void WriteProperty(CodeWriter w, string summary, Composition table)
    {
        w.Line($"/// <summary>{summary}</summary>");
        w.Open("public static string SummaryExpanded");
        w.Open("get");
        w.Line("var s = new global::System.Text.StringBuilder();");
        foreach (var line in new[] { table.Title, table.Format(Header), table.Rule })
        {
            w.LiteralLine("s.Append(", line, newline: true, ");");
        }

        foreach (var item in table.Items)
        {
            if (item.Use is { } use)
            {
                w.Line(use.Call("SummaryExpanded", "s"));
            }
            else
            {
                w.LiteralLine("s.Append(", table.Format(item.Cells!), newline: true, ");");
            }
        }

        var tail = new[] { table.Rule }.Concat(table.Totals).ToList();
        for (var i = 0; i < tail.Count; i++)
        {
            w.LiteralLine("s.Append(", tail[i], newline: i < tail.Count - 1, ");");
        }

        w.Line("return s.ToString();");
        w.Close();
        w.Close();
        w.Line();
    }

    /// <summary>A block class's part of the model's expanded summary: its rows for one use, padded to the model's columns.</summary>
    public static void WriteBlock(CodeWriter w, Composition table, IReadOnlyList<string[]> rows)
    {
        w.Line("/// <summary>This block's rows in the model's <c>SummaryExpanded</c>, for the use under the state_dict prefix <paramref name=\"p\"/> (<c>stage1.0.</c>) fed by <paramref name=\"input\"/>.</summary>");
        w.Open("internal static void SummaryExpanded(global::System.Text.StringBuilder s, string p, string input)");
        foreach (var row in rows)
        {
            table.AppendRowStatement(w.StartLine(), row).Append('\n');
        }

        w.Close();
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

    /// <param name="blocks">Block parts written so far (the model's level of the expanded table); null: folded, or inside a block's part, where its own blocks are written out.</param>
    private static void AddRows(List<Item> items, IReadOnlyList<FlowLayer> layers, string indent, Dictionary<string, List<string[]>>? blocks)
    {
        foreach (var flow in layers)
        {
            var layer = flow.Layer;
            var inputs = string.Join(", ", flow.Sources);
            if (!layer.IsBlockUse)
            {
                items.Add(Item.Row(new[] { indent + flow.Name, layer.KindName, inputs, layer.Output.Describe(), layer.Result!.ParametersKnown ? Count(layer.OwnParameters) : "?", Macs(layer.Result.Macs) }));
            }
            else if (flow.Repetitions.Count == 0)
            {
                var repeat = layer.Blocks.Count > 1 ? $" ×{layer.Blocks.Count}" : "";
                items.Add(Item.Row(new[] { indent + flow.Name + repeat, layer.KindName, inputs, layer.Output.Describe(), Parameters(layer.OwnParameters, layer.UnknownParameterLayers), Macs(layer.OwnMacs) }));
            }
            else
            {
                foreach (var repetition in flow.Repetitions)
                {
                    var block = repetition.Block;
                    items.Add(Item.Row(new[] { indent + repetition.Name, block.BlockName, repetition.Input, block.Body.Output.Describe(), Parameters(block.Body.Parameters, block.Body.UnknownParameterLayers), Macs(block.Body.Macs) }));
                    if (blocks is null)
                    {
                        AddRows(items, repetition.Layers, indent + "  ", null);
                        continue;
                    }

                    if (!blocks.ContainsKey(block.ClassName))
                    {
                        var part = new List<Item>();
                        AddRows(part, LayerFlow.OfBody(block.Body), indent + "  ", null);
                        blocks[block.ClassName] = part.Select(i => i.Cells!).ToList();
                    }

                    items.Add(Item.Call(new BlockUse(block, repetition.Name + ".", repetition.Input)));
                }
            }

            // A second skip into the same layer merges into the first one's result: (gate ⊙ bn2) + input.
            var value = flow.Output;
            foreach (var merge in flow.Merges)
            {
                var m = merge.Merge;
                var expression = MergeText.MergeExpression(m, value, merge.From);
                items.Add(Item.Row(new[]
                {
                    indent + expression, $"Skip ({MergeText.MergeKind(m)})", $"{flow.Output}, {merge.From}",
                    m.Result.Describe(), Count(m.Parameters), Macs(m.Macs),
                }));
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
    public static string Formula(Dim value) =>
        Formulas.GetValue(value, static v =>
        {
            var text = RepeatedFactor.Replace(v.ToString(), m => m.Groups[1].Value + Superscript(1 + m.Groups[2].Captures.Count));
            return LongNumber.Replace(text, m => Count(long.Parse(m.Value, CultureInfo.InvariantCulture)));
        });

    /// <summary>Each count's formula once: a block's counts are shown again for every repetition and in both summaries.</summary>
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<Dim, string> Formulas = new();

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

    /// <summary><c>1,806,336</c>: thousands grouped, as "N0" in the invariant culture writes them (by hand: "N0" was a tenth of the summary's time).</summary>
    public static string Count(long value)
    {
        if (value is > -1000 and < 1000)
        {
            return value.ToString(CultureInfo.InvariantCulture);
        }

        var digits = value.ToString(CultureInfo.InvariantCulture);
        var sign = digits[0] == '-' ? 1 : 0;
        var count = digits.Length - sign;
        var text = new System.Text.StringBuilder(digits.Length + (count / 3));
        text.Append(digits, 0, sign);
        for (var i = 0; i < count; i++)
        {
            if (i > 0 && (count - i) % 3 == 0)
            {
                text.Append(',');
            }

            text.Append(digits[sign + i]);
        }

        return text.ToString();
    }
}
