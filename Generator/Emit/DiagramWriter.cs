using System.Collections.Generic;
using System.Linq;
using System.Text;
using Dsl.Generator.Common;
using Dsl.Generator.Graph;
using Dsl.Generator.Parsing;

namespace Dsl.Generator.Emit;

/// <summary>
/// The network as a Graphviz DOT graph (<c>dot -Tsvg</c>): the input as its own node, one node per layer (name,
/// kind, output shape, and the shape after its skips when they change it), solid data-flow edges, dashed coloured
/// skip edges labelled with the merge's kind (<see cref="MergeText"/>), and a cluster per block repetition. Node ids
/// are the qualified names of the summary (<c>stage2.1.conv1</c>), quoted. A model without blocks gets the text as
/// a literal; with blocks, each block class writes its layers once (<c>Diagram(nodes, edges, p, input)</c>) and the
/// model's property calls it inside each repetition's cluster.
/// </summary>
public static class DiagramWriter
{
    private const string Indent = "    ";

    /// <summary>One statement of the diagram: a node line, an edge line (edges follow all nodes), or a block use's call.</summary>
    public sealed class Piece
    {
        private Piece(bool edge, string text, BlockUse? use)
        {
            IsEdge = edge;
            Text = text;
            Use = use;
        }

        public bool IsEdge { get; }

        /// <summary>The line (a <see cref="BodyTemplate"/> in a block's part), without its newline.</summary>
        public string Text { get; }

        /// <summary>For a call: the use whose block's part is written.</summary>
        public BlockUse? Use { get; }

        public static Piece Node(string text) => new(false, text, null);

        public static Piece Edge(string text) => new(true, text, null);

        public static Piece Call(BlockUse use) => new(false, "", use);
    }

    /// <summary>The diagram of a model: its lines before the layers, its pieces, and each called block's part, by class name.</summary>
    public sealed class Composition
    {
        public Composition(List<string> header, List<Piece> pieces, Dictionary<string, List<Piece>> blocks)
        {
            Header = header;
            Pieces = pieces;
            Blocks = blocks;
        }

        public List<string> Header { get; }

        public List<Piece> Pieces { get; }

        public Dictionary<string, List<Piece>> Blocks { get; }

        /// <summary>The whole text, line by line: only a diagram without block calls has it at compile time.</summary>
        public List<string> Lines()
        {
            if (Blocks.Count > 0)
            {
                throw new System.InvalidOperationException("a diagram that calls its blocks' parts is composed at run time");
            }

            var lines = new List<string>(Header);
            lines.AddRange(Pieces.Where(p => !p.IsEdge).Select(p => p.Text));
            lines.AddRange(Pieces.Where(p => p.IsEdge).Select(p => p.Text));
            lines.Add("}");
            return lines;
        }
    }

    /// <summary>The diagram, each block use a call of its class's part (written once per class).</summary>
    public static Composition Compose(string modelName, PlannedBody body)
    {
        var header = new List<string>
        {
            $"digraph {Quote(modelName)} {{",
            $"{Indent}graph [rankdir=TB, labelloc=t, fontname=\"Helvetica\", fontsize=12, label={Quote($"{modelName}: {body.Input.Describe()} -> {body.Output.Describe()}")}];",
            $"{Indent}node [shape=box, style=\"rounded,filled\", fillcolor=\"#eef3f8\", color=\"#5b7083\", fontname=\"Helvetica\", fontsize=10];",
            $"{Indent}edge [color=\"#5b7083\", fontname=\"Helvetica\", fontsize=9];",
            $"{Indent}{Quote(LayerCatalog.InputName)} [label={Label(LayerCatalog.InputName, body.Input.Describe())}, shape=ellipse, fillcolor=\"#dff0d8\"];",
        };
        var pieces = new List<Piece>();
        var blocks = new Dictionary<string, List<Piece>>(System.StringComparer.Ordinal);
        WriteLayers(pieces, LayerFlow.Composed(body), Indent, blocks);
        return new Composition(header, pieces, blocks);
    }

    /// <summary>The model's <c>Diagram</c> when it calls its blocks' parts: two builders, nodes then edges.</summary>
    public static void WriteProperty(CodeWriter w, string summary, Composition diagram)
    {
        w.Line($"/// <summary>{summary}</summary>");
        w.Open("public static string Diagram");
        w.Open("get");
        w.Line("var nodes = new global::System.Text.StringBuilder();");
        w.Line("var edges = new global::System.Text.StringBuilder();");
        foreach (var line in diagram.Header)
        {
            w.LiteralLine("nodes.Append(", line, newline: true, ");");
        }

        WritePieces(w, diagram.Pieces);
        w.Line("return nodes.Append(edges).Append('}').ToString();");
        w.Close();
        w.Close();
        w.Line();
    }

    /// <summary>A block class's part: its layers' nodes and edges for one use.</summary>
    public static void WriteBlock(CodeWriter w, IReadOnlyList<Piece> pieces)
    {
        w.Line("/// <summary>This block's nodes and edges in the model's <c>Diagram</c>, for the use under the state_dict prefix <paramref name=\"p\"/> (<c>stage1.0.</c>) fed by the node <paramref name=\"input\"/>.</summary>");
        w.Open("internal static void Diagram(global::System.Text.StringBuilder nodes, global::System.Text.StringBuilder edges, string p, string input)");
        WritePieces(w, pieces);
        w.Close();
    }

    private static void WritePieces(CodeWriter w, IReadOnlyList<Piece> pieces)
    {
        foreach (var piece in pieces)
        {
            if (piece.Use is { } use)
            {
                w.Line(use.Call("Diagram", "nodes, edges"));
            }
            else
            {
                w.TemplateLine(piece.IsEdge ? "edges.Append(" : "nodes.Append(", piece.Text, newline: true, ");");
            }
        }
    }

    /// <param name="blocks">Block parts written so far (the model's level); null inside a block's part, where its own blocks are written out.</param>
    private static void WriteLayers(List<Piece> pieces, IReadOnlyList<FlowLayer> layers, string indent, Dictionary<string, List<Piece>>? blocks)
    {
        var line = new StringBuilder(); // each node's and edge's line, one builder for all (a node per layer of every model)
        foreach (var flow in layers)
        {
            var layer = flow.Layer;
            if (flow.Repetitions.Count == 0)
            {
                // "name" [label="name\nKind\n[N, 16, 28, 28]"]; the label's lines escaped and joined by DOT's \n.
                AppendQuoted(line.Clear().Append(indent), flow.Name).Append(" [label=\"");
                AppendEscaped(line, layer.Name).Append("\\n");
                AppendEscaped(line, layer.KindName).Append("\\n");
                AppendEscaped(line, layer.Output.Describe());
                if (!layer.Final.Equals(layer.Output))
                {
                    AppendEscaped(line.Append("\\nafter skips: "), layer.Final.Describe());
                }

                pieces.Add(Piece.Node(line.Append("\"];").ToString()));
                pieces.Add(Piece.Edge(AppendQuoted(AppendQuoted(line.Clear().Append(Indent), flow.Input).Append(" -> "), flow.Name).Append(';').ToString()));
            }

            foreach (var repetition in flow.Repetitions)
            {
                pieces.Add(Piece.Node($"{indent}subgraph {Quote("cluster_" + repetition.Name)} {{"));
                pieces.Add(Piece.Node($"{indent}{Indent}label={Quote($"{repetition.Name}: {repetition.Block.BlockName}")}; style=\"rounded,dashed\"; color=\"#8a9aa9\"; fontsize=10;"));
                if (blocks is null)
                {
                    WriteLayers(pieces, repetition.Layers, indent + Indent, null);
                }
                else
                {
                    var block = repetition.Block;
                    if (!blocks.ContainsKey(block.ClassName))
                    {
                        var part = new List<Piece>();
                        WriteLayers(part, LayerFlow.OfBody(block.Body), indent + Indent, null);
                        blocks[block.ClassName] = part;
                    }

                    pieces.Add(Piece.Call(new BlockUse(block, repetition.Name + ".", repetition.Input)));
                }

                pieces.Add(Piece.Node($"{indent}}}"));
            }

            foreach (var merge in flow.Merges)
            {
                var colour = Colour(merge.Merge);
                pieces.Add(Piece.Edge($"{Indent}{Quote(merge.From)} -> {Quote(flow.Output)} [style=dashed, penwidth=1.5, color=\"{colour}\", fontcolor=\"{colour}\", label={Quote(MergeText.MergeKind(merge.Merge))}];"));
            }
        }
    }

    /// <summary>A skip edge's colour by its merge: Add red (projected purple), Concat blue, Multiply green, Highway orange.</summary>
    private static string Colour(PlannedMerge merge) => merge.Mode switch
    {
        MergeMode.Add => merge.Projection is null ? "#c0392b" : "#8e44ad",
        MergeMode.Concat => "#2471a3",
        MergeMode.Multiply => "#1e8449",
        MergeMode.Highway => "#d35400",
        _ => "#7f8c8d",
    };

    /// <summary>A multi-line node label: each line escaped, joined by DOT's <c>\n</c>.</summary>
    private static string Label(params string[] lines) => "\"" + string.Join("\\n", lines.Select(Escape)) + "\"";

    /// <summary>A DOT quoted string (an id or a label): backslashes and quotes escaped, so any text is a valid id.</summary>
    public static string Quote(string text) => "\"" + Escape(text) + "\"";

    private static StringBuilder AppendQuoted(StringBuilder builder, string text) => AppendEscaped(builder.Append('"'), text).Append('"');

    private static readonly char[] Escaped = { '\\', '"', '\n', '\r' };

    private static string Escape(string text) =>
        text.IndexOfAny(Escaped) < 0 ? text : AppendEscaped(new StringBuilder(text.Length + 8), text).ToString(); // nearly every name and shape has nothing to escape

    private static StringBuilder AppendEscaped(StringBuilder builder, string text)
    {
        foreach (var c in text)
        {
            switch (c)
            {
                case '\\': builder.Append("\\\\"); break;
                case '"': builder.Append("\\\""); break;
                case '\n': builder.Append("\\n"); break;
                case '\r': break;
                default: builder.Append(c); break;
            }
        }

        return builder;
    }
}
