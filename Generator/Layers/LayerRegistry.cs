using System.Collections.Generic;
using System.Linq;

namespace Dsl.Generator.Layers;

/// <summary>Every layer kind the DSL knows: one line each. A test checks this list against the attributes in <c>Dsl.Attributes</c>.</summary>
public static class LayerRegistry
{
    public static IReadOnlyList<LayerDefinition> All { get; } = new LayerDefinition[]
    {
        new Conv2dLayer(),
        new Conv1dLayer(),
        new ConvTranspose2dLayer(),
        new ConvTranspose1dLayer(),
        new MaxPool2dLayer(),
        new AvgPool2dLayer(),
        new MaxPool1dLayer(),
        new AvgPool1dLayer(),
        new AdaptiveAvgPool2dLayer(),
        new AdaptiveAvgPool1dLayer(),
        new GlobalAvgPoolLayer(),
        new UpsampleLayer(),
        new LinearLayer(),
        new FlattenLayer(),
        new TransposeLayer(),
        new BatchNorm2dLayer(),
        new BatchNorm1dLayer(),
        new LayerNormLayer(),
        new GroupNormLayer(),
        new ReLULayer(),
        new GELULayer(),
        new SigmoidLayer(),
        new TanhLayer(),
        new SiLULayer(),
        new LeakyReLULayer(),
        new SoftmaxLayer(),
        new DropoutLayer(),
        new EmbeddingLayer(),
        new PositionalEmbeddingLayer(),
        new MultiHeadAttentionLayer(),
        new ModuleLayer(),
    };

    private static readonly Dictionary<string, LayerDefinition> ByAttribute = All.ToDictionary(d => d.AttributeName);
    private static readonly Dictionary<string, LayerDefinition> ByKind = All.ToDictionary(d => d.Kind);

    /// <summary>The definition of a Dsl attribute class (by metadata name), or null.</summary>
    public static LayerDefinition? ForAttribute(string attributeMetadataName) =>
        ByAttribute.TryGetValue(attributeMetadataName, out var d) ? d : null;

    /// <summary>The definition of a parsed layer's kind; throws for a kind without one (a bug, reported as DSL000).</summary>
    public static LayerDefinition ForKind(string kind) =>
        ByKind.TryGetValue(kind, out var d) ? d : throw new KeyNotFoundException($"no layer definition for the kind '{kind}'");
}
