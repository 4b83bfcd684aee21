using System.Collections.Generic;
using System.Linq;
using System.Runtime.CompilerServices;
using Dsl.Generator.Common;
using Dsl.Generator.Graph;
using Dsl.Generator.Parsing;
using Dsl.Generator.Shapes.Symbolic;

namespace Dsl.Generator.Emit;

/// <summary>A skip merged into a layer, with the display name of what it merges in.</summary>
public sealed class FlowMerge
{
    public FlowMerge(PlannedMerge merge, string from)
    {
        Merge = merge;
        From = from;
    }

    public PlannedMerge Merge { get; }

    /// <summary>The qualified name of the layer merged in (<c>input</c> only for the model's own input).</summary>
    public string From { get; }
}

/// <summary>One repetition of a block use, with its inner layers (qualified <c>stage2.1.conv1</c>).</summary>
public sealed class FlowRepetition
{
    public FlowRepetition(string name, BlockSpecialisation block, string input, IReadOnlyList<FlowLayer> layers, string output)
    {
        Name = name;
        Block = block;
        Input = input;
        Layers = layers;
        Output = output;
    }

    /// <summary><c>stage2.1</c>, or the use's own name when it is not repeated; its layers' prefix is this and a dot.</summary>
    public string Name { get; }

    public BlockSpecialisation Block { get; }

    public string Input { get; }

    /// <summary>Its inner layers (none from <see cref="LayerFlow.Composed"/>: the block's own part writes them).</summary>
    public IReadOnlyList<FlowLayer> Layers { get; }

    /// <summary>The qualified name whose value is the repetition's output (its last layer; its input when it has none).</summary>
    public string Output { get; }
}

/// <summary>
/// A planned layer as the summary and the diagram show it: its qualified name, what feeds it, the skips merged
/// into it, and for a block use (unless folded) each repetition with its inner layers.
/// </summary>
public sealed class FlowLayer
{
    public FlowLayer(PlannedLayer layer, string name, string input, IReadOnlyList<FlowRepetition> repetitions, IReadOnlyList<FlowMerge> merges, string output)
    {
        Layer = layer;
        Name = name;
        Input = input;
        Repetitions = repetitions;
        Merges = merges;
        Output = output;
    }

    public PlannedLayer Layer { get; }

    /// <summary>The qualified name (<c>stage2.1.conv1</c>; at the top level the layer's name).</summary>
    public string Name { get; }

    /// <summary>The qualified name of what feeds it: the layer before it, or <c>input</c>.</summary>
    public string Input { get; }

    /// <summary>For an unfolded block use, each repetition; otherwise empty.</summary>
    public IReadOnlyList<FlowRepetition> Repetitions { get; }

    public IReadOnlyList<FlowMerge> Merges { get; }

    /// <summary>The qualified name of the layer's value as later layers see it (its own name, or an unfolded block's last layer).</summary>
    public string Output { get; }

    /// <summary>What feeds it and what its skips merge in, in order, without repeats (the summary's Inputs column).</summary>
    public IEnumerable<string> Sources => new[] { Input }.Concat(Merges.Select(m => m.From)).Distinct();
}

/// <summary>
/// Walks a plan into <see cref="FlowLayer"/>s: folded (block uses as one layer, the summary), or expanded for text that a
/// model composes from its blocks' parts (<see cref="BodyTemplate"/>): <see cref="Composed"/> gives the repetitions
/// without their inner layers and <see cref="OfBody"/> a block body once, under the stand-ins, its own blocks inline.
/// </summary>
public static class LayerFlow
{
    private static readonly ConditionalWeakTable<PlannedBody, IReadOnlyList<FlowLayer>> Bodies = new();

    /// <summary>Block uses as one layer each.</summary>
    public static IReadOnlyList<FlowLayer> Folded(PlannedBody body) => Walk(body, "", LayerCatalog.InputName, expand: false, composed: false);

    /// <summary>Expanded, but each repetition of a block use without its inner layers: those come from <see cref="OfBody"/> (computed once per body: the summary and the diagram both walk it).</summary>
    public static IReadOnlyList<FlowLayer> Composed(PlannedBody body) =>
        ComposedBodies.GetValue(body, b => Walk(b, "", LayerCatalog.InputName, expand: true, composed: true));

    private static readonly ConditionalWeakTable<PlannedBody, IReadOnlyList<FlowLayer>> ComposedBodies = new();

    /// <summary>A block body expanded, named under <see cref="BodyTemplate.Prefix"/> with <see cref="BodyTemplate.Input"/> as its input (computed once per body).</summary>
    public static IReadOnlyList<FlowLayer> OfBody(PlannedBody body) =>
        Bodies.GetValue(body, b => Walk(b, BodyTemplate.Prefix, BodyTemplate.Input, expand: true, composed: false));

    private static List<FlowLayer> Walk(PlannedBody body, string prefix, string input, bool expand, bool composed)
    {
        var names = new Dictionary<string, string>(System.StringComparer.Ordinal) { [LayerCatalog.InputName] = input };
        var layers = new List<FlowLayer>();
        var previous = input;
        foreach (var layer in body.Layers)
        {
            var name = prefix + layer.Name;
            var repetitions = new List<FlowRepetition>();
            var output = name;
            if (layer.IsBlockUse && expand)
            {
                var feed = previous;
                for (var r = 0; r < layer.Blocks.Count; r++)
                {
                    var block = layer.Blocks[r].Body;
                    var repetition = layer.Blocks.Count > 1 ? $"{name}.{r}" : name;
                    string last;
                    IReadOnlyList<FlowLayer> inner;
                    if (composed)
                    {
                        var template = OfBody(block);
                        inner = System.Array.Empty<FlowLayer>();
                        last = template.Count == 0 ? feed : BodyTemplate.Substitute(template[template.Count - 1].Output, repetition + ".", feed);
                    }
                    else
                    {
                        inner = Walk(block, repetition + ".", feed, expand, composed: false);
                        last = inner.Count == 0 ? feed : inner[inner.Count - 1].Output;
                    }

                    repetitions.Add(new FlowRepetition(repetition, layer.Blocks[r], feed, inner, last));
                    feed = last;
                }

                output = feed;
            }

            var merges = layer.Merges.Select(m => new FlowMerge(m, names[m.From])).ToList();
            layers.Add(new FlowLayer(layer, name, previous, repetitions, merges, output));
            names[layer.Name] = output;
            previous = output;
        }

        return layers;
    }
}
