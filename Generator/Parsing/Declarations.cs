using Dsl.Generator.Common;
using Dsl.Generator.Diagnostics;

namespace Dsl.Generator.Parsing;

/// <summary>Every layer the DSL knows. <see cref="Use"/> is a block used as one layer.</summary>
public enum LayerKind
{
    Conv2d,
    ConvTranspose2d,
    Linear,
    BatchNorm2d,
    LayerNorm,
    ReLU,
    GELU,
    Sigmoid,
    Tanh,
    Dropout,
    MaxPool2d,
    AvgPool2d,
    GlobalAvgPool,
    Flatten,
    Upsample,
    Embedding,
    MultiHeadAttention,
    Use,
}

/// <summary>How a skip merges (mirrors <c>Dsl.SkipMode</c>).</summary>
public enum MergeMode
{
    Add = 0,
    Concat = 1,
}

/// <summary>One attribute argument: its name (the attribute's property name), value and where it was written.</summary>
public sealed record LayerArgument(string Name, double Value, LocationInfo? Location);

/// <summary>One layer attribute, in source order. Arguments not written by the user are absent (defaults live in <see cref="LayerCatalog"/>).</summary>
public sealed record LayerDeclaration(
    LayerKind Kind,
    string? ExplicitName,
    LocationInfo? NameLocation,
    EquatableArray<LayerArgument> Arguments,
    string? BlockTypeName,
    LocationInfo? Location);

/// <summary>One [Skip] attribute.</summary>
public sealed record SkipDeclaration(
    string From,
    string To,
    MergeMode Mode,
    bool Projection,
    LocationInfo? Location,
    LocationInfo? FromLocation,
    LocationInfo? ToLocation);

/// <summary>The layers and skips of a model or a block.</summary>
public sealed record BodyDeclaration(EquatableArray<LayerDeclaration> Layers, EquatableArray<SkipDeclaration> Skips);

/// <summary>A block a model uses (directly or through other blocks), by its fully qualified name.</summary>
public sealed record BlockDefinition(string FullName, string Name, bool IsBlock, BodyDeclaration Body);

/// <summary>A type that contains the model class (nested models need partial containers).</summary>
public sealed record ContainingType(string Keyword, string Name);

/// <summary>Everything the generator needs about one [Model] class, as equatable data.</summary>
public sealed record ModelDeclaration(
    string Namespace,
    EquatableArray<ContainingType> ContainingTypes,
    string ClassName,
    string Accessibility,
    string HintName,
    EquatableArray<int> InputShape,
    LocationInfo? ModelLocation,
    BodyDeclaration Body,
    EquatableArray<BlockDefinition> Blocks,
    EquatableArray<DiagnosticInfo> Diagnostics);

/// <summary>A [Block] class, parsed on its own so its structural errors are reported on its own attributes.</summary>
public sealed record BlockDeclaration(
    string Name,
    LocationInfo? Location,
    BodyDeclaration Body,
    EquatableArray<BlockDefinition> Blocks,
    EquatableArray<DiagnosticInfo> Diagnostics);
