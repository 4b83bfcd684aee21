namespace Dsl.Generator;

/// <summary>Names of the pipeline steps, so tests can check what stayed cached after an edit.</summary>
public static class TrackingNames
{
    /// <summary>Whether the consumer's language version has nullable annotations (C# 8 or later).</summary>
    public const string NullableAnnotations = nameof(NullableAnnotations);

    /// <summary>[Model] classes turned into equatable declarations.</summary>
    public const string ModelDeclarations = nameof(ModelDeclarations);

    /// <summary>Checked and emitted models: generated source and diagnostics.</summary>
    public const string ModelOutputs = nameof(ModelOutputs);

    /// <summary>[Block] classes turned into equatable declarations.</summary>
    public const string BlockDeclarations = nameof(BlockDeclarations);

    /// <summary>Structural diagnostics of blocks.</summary>
    public const string BlockDiagnostics = nameof(BlockDiagnostics);

    /// <summary>The documentation base of help links (build property DslDocumentationUrl, or the default).</summary>
    public const string DocumentationUrl = nameof(DocumentationUrl);
}
