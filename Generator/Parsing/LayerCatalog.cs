using System.Collections.Generic;

namespace Dsl.Generator.Parsing;

/// <summary>What the generator knows about each layer attribute: its class name, default layer-name prefix and argument defaults.</summary>
public static class LayerCatalog
{
    public const string Namespace = "Dsl";
    public const string ModelAttribute = "Dsl.ModelAttribute";
    public const string BlockAttribute = "Dsl.BlockAttribute";
    public const string SkipAttribute = "SkipAttribute";
    public const string UseAttribute = "UseAttribute`1";

    /// <summary>The name skips use for the network's (or block's) input.</summary>
    public const string InputName = "input";

    private static readonly Dictionary<string, LayerKind> KindsByAttribute = new()
    {
        ["Conv2dAttribute"] = LayerKind.Conv2d,
        ["ConvTranspose2dAttribute"] = LayerKind.ConvTranspose2d,
        ["LinearAttribute"] = LayerKind.Linear,
        ["BatchNorm2dAttribute"] = LayerKind.BatchNorm2d,
        ["LayerNormAttribute"] = LayerKind.LayerNorm,
        ["ReLUAttribute"] = LayerKind.ReLU,
        ["GELUAttribute"] = LayerKind.GELU,
        ["SigmoidAttribute"] = LayerKind.Sigmoid,
        ["TanhAttribute"] = LayerKind.Tanh,
        ["DropoutAttribute"] = LayerKind.Dropout,
        ["MaxPool2dAttribute"] = LayerKind.MaxPool2d,
        ["AvgPool2dAttribute"] = LayerKind.AvgPool2d,
        ["GlobalAvgPoolAttribute"] = LayerKind.GlobalAvgPool,
        ["FlattenAttribute"] = LayerKind.Flatten,
        ["UpsampleAttribute"] = LayerKind.Upsample,
        ["EmbeddingAttribute"] = LayerKind.Embedding,
        ["MultiHeadAttentionAttribute"] = LayerKind.MultiHeadAttention,
        [UseAttribute] = LayerKind.Use,
    };

    /// <summary>The layer kind of a Dsl attribute class (by metadata name), if it is a layer.</summary>
    public static bool TryGetKind(string attributeMetadataName, out LayerKind kind) =>
        KindsByAttribute.TryGetValue(attributeMetadataName, out kind);

    /// <summary>The prefix of default layer names (<c>conv1</c>, <c>bn2</c>, …), numbered per prefix.</summary>
    public static string DefaultNamePrefix(LayerKind kind) => kind switch
    {
        LayerKind.Conv2d => "conv",
        LayerKind.ConvTranspose2d => "deconv",
        LayerKind.Linear => "fc",
        LayerKind.BatchNorm2d => "bn",
        LayerKind.LayerNorm => "ln",
        LayerKind.ReLU => "relu",
        LayerKind.GELU => "gelu",
        LayerKind.Sigmoid => "sigmoid",
        LayerKind.Tanh => "tanh",
        LayerKind.Dropout => "dropout",
        LayerKind.MaxPool2d => "maxpool",
        LayerKind.AvgPool2d => "avgpool",
        LayerKind.GlobalAvgPool => "globalpool",
        LayerKind.Flatten => "flatten",
        LayerKind.Upsample => "up",
        LayerKind.Embedding => "embed",
        LayerKind.MultiHeadAttention => "attn",
        _ => "block",
    };

    /// <summary>The value of an argument the user did not write.</summary>
    public static double DefaultValue(LayerKind kind, string argument) => (kind, argument) switch
    {
        (_, "Stride") when kind is LayerKind.MaxPool2d or LayerKind.AvgPool2d => 0, // 0: the kernel size
        (_, "Stride") => 1,
        (_, "Dilation") => 1,
        (_, "Groups") => 1,
        (_, "Bias") => 1,
        (_, "Repeat") => 1,
        (LayerKind.Dropout, "P") => 0.5,
        _ => 0,
    };
}
