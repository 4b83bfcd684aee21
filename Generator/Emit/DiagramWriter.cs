using System.Collections.Generic;
using System.Linq;
using System.Text;
using Dsl.Generator.Graph;
using Dsl.Generator.Parsing;

namespace Dsl.Generator.Emit;

/// <summary>
/// The network as a Graphviz DOT graph (<c>dot -Tsvg</c>): the input as its own node, one node per layer (name,
/// kind, output shape, and the shape after its skips when they change it), solid data-flow edges, dashed coloured
/// skip edges labelled with the merge's kind (<see cref="MergeText"/>), and a cluster per block repetition. Node ids
/// are the qualified names of the summary (<c>stage2.1.conv1</c>), quoted.
/// </summary>
public static class DiagramWriter
{
    private const string Indent = "    ";

    public static List<string> Lines(string modelName, PlannedBody body)
    {
        var lines = new List<string>
        {
            $"digraph {Quote(modelName)} {{",
            $"{Indent}graph [rankdir=TB, labelloc=t, fontname=\"Helvetica\", fontsize=12, label={Quote($"{modelName}: {body.Input.Describe()} -> {body.Output.Describe()}")}];",
            $"{Indent}node [shape=box, style=\"rounded,filled\", fillcolor=\"#eef3f8\", color=\"#5b7083\", fontname=\"Helvetica\", fontsize=10];",
            $"{Indent}edge [color=\"#5b7083\", fontname=\"Helvetica\", fontsize=9];",
            $"{Indent}{Quote(LayerCatalog.InputName)} [label={Label(LayerCatalog.InputName, body.Input.Describe())}, shape=ellipse, fillcolor=\"#dff0d8\"];",
        };
        var edges = new List<string>();
        WriteLayers(lines, edges, LayerFlow.Of(body, expand: true), Indent);
        lines.AddRange(edges);
        lines.Add("}");
        return lines;
    }

    private static void WriteLayers(List<string> lines, List<string> edges, IReadOnlyList<FlowLayer> layers, string indent)
    {
        foreach (var flow in layers)
        {
            var layer = flow.Layer;
            if (flow.Repetitions.Count == 0)
            {
                var label = new List<string> { layer.Name, layer.KindName, layer.Output.Describe() };
                if (!layer.Final.Equals(layer.Output))
                {
                    label.Add("after skips: " + layer.Final.Describe());
                }

                lines.Add($"{indent}{Quote(flow.Name)} [label={Label(label.ToArray())}];");
                edges.Add($"{Indent}{Quote(flow.Input)} -> {Quote(flow.Name)};");
            }

            foreach (var repetition in flow.Repetitions)
            {
                lines.Add($"{indent}subgraph {Quote("cluster_" + repetition.Name)} {{");
                lines.Add($"{indent}{Indent}label={Quote($"{repetition.Name}: {repetition.Block.BlockName}")}; style=\"rounded,dashed\"; color=\"#8a9aa9\"; fontsize=10;");
                WriteLayers(lines, edges, repetition.Layers, indent + Indent);
                lines.Add($"{indent}}}");
            }

            foreach (var merge in flow.Merges)
            {
                var colour = Colour(merge.Merge);
                edges.Add($"{Indent}{Quote(merge.From)} -> {Quote(flow.Output)} [style=dashed, penwidth=1.5, color=\"{colour}\", fontcolor=\"{colour}\", label={Quote(MergeText.MergeKind(merge.Merge))}];");
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

    private static string Escape(string text)
    {
        var sb = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            switch (c)
            {
                case '\\': sb.Append("\\\\"); break;
                case '"': sb.Append("\\\""); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': break;
                default: sb.Append(c); break;
            }
        }

        return sb.ToString();
    }
}
