namespace Dsl.Generator.Parsing;

/// <summary>The names the parser looks for: the DSL's namespace and its non-layer attributes. Layer kinds live in <c>Layers/</c>.</summary>
public static class LayerCatalog
{
    public const string Namespace = "Dsl";
    public const string ModelAttribute = "Dsl.ModelAttribute";
    public const string BlockAttribute = "Dsl.BlockAttribute";
    public const string DimAttribute = "DimAttribute";
    public const string SkipAttribute = "SkipAttribute";
    public const string UseAttribute = "UseAttribute`1";
    public const string LayerAttributeBase = "LayerAttribute";

    /// <summary>The kind of a <c>[Use&lt;TBlock&gt;]</c>: a block used as a layer (planned by the graph, not a layer definition).</summary>
    public const string UseKind = "Use";

    /// <summary>The name skips use for the network's (or block's) input.</summary>
    public const string InputName = "input";
}
