using Microsoft.CodeAnalysis;

namespace Dsl.Generator.Diagnostics;

/// <summary>
/// Every diagnostic the generator reports. IDs are never reused; docs/diagnostics.md has an example of each,
/// and AnalyzerReleases.Unshipped.md tracks them.
/// </summary>
public static class DiagnosticDescriptors
{
    private const string Category = "Dsl";

    /// <summary>
    /// Where docs/diagnostics.md is read when the build sets no <c>DslDocumentationUrl</c> (the one place this URL is
    /// written); every help link is this base, <c>#</c>, and the lower-case ID.
    /// </summary>
    public const string DefaultDocumentationUrl = "https://github.com/dsl-dotnet/dsl/blob/main/docs/diagnostics.md";

    /// <summary>The MSBuild property (made compiler-visible by build/Dsl.props) that replaces <see cref="DefaultDocumentationUrl"/>.</summary>
    public const string DocumentationUrlProperty = "build_property.DslDocumentationUrl";

    /// <summary>The help link of an ID under a documentation base: <c>{base}#dsl005</c>.</summary>
    public static string HelpLink(string documentationUrl, string id) => documentationUrl + "#" + id.ToLowerInvariant();

    /// <summary>
    /// The descriptor with its help link under another documentation base (the same descriptor when the base is the
    /// default); everything else, the ID and the severity included, is unchanged so .editorconfig still applies.
    /// </summary>
    public static DiagnosticDescriptor WithDocumentationUrl(DiagnosticDescriptor descriptor, string documentationUrl) =>
        documentationUrl == DefaultDocumentationUrl
            ? descriptor
            : new DiagnosticDescriptor(descriptor.Id, descriptor.Title, descriptor.MessageFormat, descriptor.Category,
                descriptor.DefaultSeverity, descriptor.IsEnabledByDefault, descriptor.Description,
                HelpLink(documentationUrl, descriptor.Id), System.Linq.Enumerable.ToArray(descriptor.CustomTags));

    /// <summary>Every descriptor, by ID.</summary>
    public static System.Collections.Generic.IReadOnlyDictionary<string, DiagnosticDescriptor> ById => LazyById.Value;

    private static readonly System.Lazy<System.Collections.Generic.Dictionary<string, DiagnosticDescriptor>> LazyById = new(() =>
        System.Linq.Enumerable.ToDictionary(
            System.Linq.Enumerable.OfType<DiagnosticDescriptor>(
                System.Linq.Enumerable.Select(typeof(DiagnosticDescriptors).GetFields(), f => f.GetValue(null))),
            d => d.Id));

    private static DiagnosticDescriptor Error(string id, string title, string message) =>
        new(id, title, message, Category, DiagnosticSeverity.Error, isEnabledByDefault: true,
            helpLinkUri: HelpLink(DefaultDocumentationUrl, id));

    /// <summary>DSL000: <c>The Dsl generator failed on '{0}': {1}. This is a bug in the generator; please report it with this message.</c></summary>
    public static readonly DiagnosticDescriptor InternalError = Error("DSL000",
        "Internal generator error", "The Dsl generator failed on '{0}': {1}. This is a bug in the generator; please report it with this message.");

    /// <summary>DSL001: <c>Model '{0}' has no valid input shape: {1}</c></summary>
    public static readonly DiagnosticDescriptor MissingInputShape = Error("DSL001",
        "Model has no input shape", "Model '{0}' has no valid input shape: {1}");

    /// <summary>DSL002: <c>'{0}' must be declared partial so the generator can make it a TorchSharp module</c></summary>
    public static readonly DiagnosticDescriptor NotPartial = Error("DSL002",
        "Model class must be partial", "'{0}' must be declared partial so the generator can make it a TorchSharp module");

    /// <summary>DSL003: <c>Skip refers to '{0}', which is not a layer of '{1}'{2}</c></summary>
    public static readonly DiagnosticDescriptor UnknownSkipEndpoint = Error("DSL003",
        "Unknown skip endpoint", "Skip refers to '{0}', which is not a layer of '{1}'{2}");

    /// <summary>DSL004: <c>Skip from '{0}' to '{1}' goes backwards: {2}</c></summary>
    public static readonly DiagnosticDescriptor SkipBackwards = Error("DSL004",
        "Skip goes backwards", "Skip from '{0}' to '{1}' goes backwards: {2}");

    /// <summary>DSL005: <c>Skip from '{0}' to '{1}' adds {2} to {3}: the shapes differ. {4}</c></summary>
    public static readonly DiagnosticDescriptor AddShapeMismatch = Error("DSL005",
        "Add skip with mismatched shapes", "Skip from '{0}' to '{1}' adds {2} to {3}: the shapes differ. {4}");

    /// <summary>DSL006: <c>Skip from '{0}' to '{1}' concatenates {2} with {3}: {4}</c></summary>
    public static readonly DiagnosticDescriptor ConcatShapeMismatch = Error("DSL006",
        "Concat skip with mismatched shapes", "Skip from '{0}' to '{1}' concatenates {2} with {3}: {4}");

    /// <summary>DSL007: <c>Layer '{0}' ({1}) turns {2} into {3}: the spatial size must stay positive. {4}</c></summary>
    public static readonly DiagnosticDescriptor SpatialSizeNotPositive = Error("DSL007",
        "Spatial size becomes zero or negative", "Layer '{0}' ({1}) turns {2} into {3}: the spatial size must stay positive. {4}");

    /// <summary>DSL008: <c>Layer '{0}' ({1}) needs {2} but receives {3}{4}</c></summary>
    public static readonly DiagnosticDescriptor RankMismatch = Error("DSL008",
        "Layer does not fit the rank of its input", "Layer '{0}' ({1}) needs {2} but receives {3}{4}");

    /// <summary>DSL009: <c>Layer '{0}' ({1}): {2}</c></summary>
    public static readonly DiagnosticDescriptor InvalidArgument = Error("DSL009",
        "Invalid layer argument", "Layer '{0}' ({1}): {2}");

    /// <summary>DSL010: <c>Layer '{0}' (MultiHeadAttention): {1} heads do not divide the model width {2} of input {3}</c></summary>
    public static readonly DiagnosticDescriptor HeadsDoNotDivide = Error("DSL010",
        "Attention heads do not divide the model width",
        "Layer '{0}' (MultiHeadAttention): {1} heads do not divide the model width {2} of input {3}; choose a head count that divides {2}");

    /// <summary>DSL011: <c>Two layers of '{0}' are named '{1}'; layer names must be unique</c></summary>
    public static readonly DiagnosticDescriptor DuplicateLayerName = Error("DSL011",
        "Duplicate layer name", "Two layers of '{0}' are named '{1}'; layer names must be unique");

    /// <summary>DSL012: <c>'{0}' cannot name a layer: {1}</c></summary>
    public static readonly DiagnosticDescriptor InvalidLayerName = Error("DSL012",
        "Invalid layer name", "'{0}' cannot name a layer: {1}");

    /// <summary>DSL013: <c>'{0}' has no layers: add layer attributes such as [Linear(10)] after [{1}]</c></summary>
    public static readonly DiagnosticDescriptor NoLayers = Error("DSL013",
        "No layers", "'{0}' has no layers: add layer attributes such as [Linear(10)] after [{1}]");

    /// <summary>DSL014: <c>'{0}' is not a block: mark it [Block] to use it with [Use&lt;{0}&gt;]</c></summary>
    public static readonly DiagnosticDescriptor NotABlock = Error("DSL014",
        "Used type is not a block", "'{0}' is not a block: mark it [Block] (in this project) to use it with [Use<{0}>]");

    /// <summary>DSL015: <c>Block '{0}' uses itself through {1}; blocks cannot be recursive</c></summary>
    public static readonly DiagnosticDescriptor RecursiveBlock = Error("DSL015",
        "Recursive block", "Block '{0}' uses itself through {1}; blocks cannot be recursive");

    /// <summary>DSL016: <c>Skip from '{0}' to '{1}' cannot project {2} onto {3}: {4}</c></summary>
    public static readonly DiagnosticDescriptor ProjectionImpossible = Error("DSL016",
        "Skip projection impossible", "Skip from '{0}' to '{1}' cannot project {2} onto {3}: {4}");

    /// <summary>DSL017: <c>'{0}' cannot be a {1}: {2}</c></summary>
    public static readonly DiagnosticDescriptor UnsupportedDeclaration = Error("DSL017",
        "Unsupported model or block declaration", "'{0}' cannot be a {1}: {2}");

    /// <summary>DSL018: <c>[Dim("{0}")] on '{1}' is invalid: {2}</c></summary>
    public static readonly DiagnosticDescriptor InvalidDimConstraint = Error("DSL018",
        "Invalid named-dimension constraint", "[Dim(\"{0}\")] on '{1}' is invalid: {2}");

    /// <summary>DSL019: <c>Layer '{0}' ({1}) needs a fixed {2}, but on input {3} it is {4}, which depends on a named dimension: {5}</c></summary>
    public static readonly DiagnosticDescriptor NeedsFixedSize = Error("DSL019",
        "Layer needs a fixed size", "Layer '{0}' ({1}) needs a fixed {2}, but on input {3} it is {4}, which depends on a named dimension: {5}");

    /// <summary>DSL020: <c>Layer '{0}' ({1}) has positions for sequences of up to {2}, but its length {3} can be longer: {4}</c></summary>
    public static readonly DiagnosticDescriptor SequenceTooLong = Error("DSL020",
        "Sequence may be longer than the positional embedding", "Layer '{0}' ({1}) has positions for sequences of up to {2}, but its length {3} can be longer: {4}");

    /// <summary>DSL021: <c>Layer '{0}' ({1}) needs {2} but receives {3}; add [Transpose] before it to swap the last two dimensions</c></summary>
    public static readonly DiagnosticDescriptor LayoutMismatch = Error("DSL021",
        "Layer gets the other layout", "Layer '{0}' ({1}) needs {2} but receives {3}; add [Transpose] before it to swap the last two dimensions (and with them the layout)");

    /// <summary>DSL022: <c>'{0}' declares the {1} '{2}', which the generated code also defines: {3}</c></summary>
    public static readonly DiagnosticDescriptor MemberClash = Error("DSL022",
        "Member clashes with generated code", "'{0}' declares the {1} '{2}', which the generated code also defines: {3}");

    /// <summary>DSL023: <c>'{0}' cannot be used with [Module&lt;{0}&gt;]: {1}</c></summary>
    public static readonly DiagnosticDescriptor NotAModule = Error("DSL023",
        "Module type is not usable", "'{0}' cannot be used with [Module<{0}>]: {1}");

    /// <summary>DSL024: <c>Skip from '{0}' to '{1}' cannot combine {2} with {3}: {4}</c></summary>
    public static readonly DiagnosticDescriptor SkipOptionsConflict = Error("DSL024",
        "Skip options that do not combine", "Skip from '{0}' to '{1}' cannot combine {2} with {3}: {4}");

    /// <summary>DSL025: <c>Skip from '{0}' to '{1}' is declared more than once: {2}</c></summary>
    public static readonly DiagnosticDescriptor DuplicateSkip = Error("DSL025",
        "Duplicate skip", "Skip from '{0}' to '{1}' is declared more than once: {2}");

    /// <summary>DSL026: <c>Skip from '{0}' to '{1}' ({2}) cannot merge {3} into {4}: {5}</c></summary>
    public static readonly DiagnosticDescriptor SkipShapesDoNotFit = Error("DSL026",
        "Skip shapes do not fit the merge", "Skip from '{0}' to '{1}' ({2}) cannot merge {3} into {4}: {5}");

    /// <summary>DSL027: <c>'{0}' has {1} layers with every block expanded, more than the generator's bound of {2}: {3}</c></summary>
    public static readonly DiagnosticDescriptor ModelTooLarge = Error("DSL027",
        "Model too large", "'{0}' has {1} layers with every block expanded, more than the generator's bound of {2}: {3}");

    /// <summary>DSL028: <c>Blocks are nested {0} levels deep through [Use&lt;{1}&gt;] ({2}), more than the generator's bound of {3}; nest fewer blocks</c></summary>
    public static readonly DiagnosticDescriptor BlocksNestedTooDeeply = Error("DSL028",
        "Blocks nested too deeply", "Blocks are nested {0} levels deep through [Use<{1}>] ({2}), more than the generator's bound of {3}; nest fewer blocks");
}
