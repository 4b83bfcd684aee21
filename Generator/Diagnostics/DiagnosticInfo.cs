using System.Collections.Immutable;
using System.Linq;
using Dsl.Generator.Common;
using Dsl.Generator.Shapes.Symbolic;
using Microsoft.CodeAnalysis;

namespace Dsl.Generator.Diagnostics;

/// <summary>A diagnostic as data: descriptor ID, location and message arguments (all strings), so it can be cached.</summary>
public sealed record DiagnosticInfo(string Id, LocationInfo? Location, EquatableArray<string> Arguments)
{
    public static DiagnosticInfo Create(DiagnosticDescriptor descriptor, LocationInfo? location, params string[] arguments) =>
        new(descriptor.Id, location, new EquatableArray<string>(arguments));

    /// <summary>
    /// Machine-readable data for code fixes, as key, value, key, value, … (empty for most diagnostics); it becomes
    /// <see cref="Diagnostic.Properties"/>. Keys: <c>Suggestion</c> (DSL003: the name to use), <c>Projection</c>
    /// (DSL005: <c>Projection = true</c> would fix it), <c>Align</c> (DSL005/DSL006: <c>Crop,Pad</c>);
    /// <c>OutputPaddingLayer</c>, <c>OutputPadding</c>, <c>OutputPaddingSpan</c> (DSL005/DSL006: the OutputPadding the message offers);
    /// <c>Dim</c>, <c>DimProperty</c>, <c>DimValue</c> (DSL005/DSL006/DSL007: the [Dim] the message offers).
    /// </summary>
    public EquatableArray<string> Properties { get; init; }

    /// <summary>The diagnostic with one more entry in <see cref="Properties"/>.</summary>
    public DiagnosticInfo WithProperty(string key, string value) =>
        this with { Properties = new EquatableArray<string>(Properties.Concat(new[] { key, value })) };

    /// <summary>The diagnostic with the [Dim] that fixes it as properties (<c>Dim</c>, <c>DimProperty</c>, <c>DimValue</c>), if any.</summary>
    public DiagnosticInfo WithDimFix(DimFix? fix) =>
        fix is null
            ? this
            : WithProperty("Dim", fix.Name).WithProperty("DimProperty", fix.Property)
                .WithProperty("DimValue", fix.Value.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>
    /// The diagnostic with the OutputPadding that fixes it as properties (<c>OutputPaddingLayer</c>, <c>OutputPadding</c>,
    /// and <c>OutputPaddingSpan</c>: start and length of the layer's attribute in the diagnostic's file), if any.
    /// </summary>
    internal DiagnosticInfo WithOutputPaddingFix(Graph.OutputPaddingFix? fix) =>
        fix?.Location is null
            ? this
            : WithProperty("OutputPaddingLayer", fix.Layer)
                .WithProperty("OutputPadding", fix.Padding.ToString(System.Globalization.CultureInfo.InvariantCulture))
                .WithProperty("OutputPaddingSpan", string.Format(System.Globalization.CultureInfo.InvariantCulture, "{0},{1}", fix.Location.Span.Start, fix.Location.Span.Length));

    /// <summary>Moves the diagnostic to another location (an error inside a block is reported at the [Use] that made it fail).</summary>
    public DiagnosticInfo At(LocationInfo? location) => this with { Location = location };

    public Diagnostic ToDiagnostic() => ToDiagnostic(null);

    /// <summary>The diagnostic with its help link under <paramref name="documentationUrl"/> (see <see cref="DiagnosticDescriptors.DefaultDocumentationUrl"/>).</summary>
    public Diagnostic ToDiagnostic(Compilation? compilation, string documentationUrl) =>
        ToDiagnostic(compilation, DiagnosticDescriptors.WithDocumentationUrl(DiagnosticDescriptors.ById[Id], documentationUrl));

    /// <summary>
    /// The diagnostic, anchored to the compilation's syntax tree of its file when there is one: a location in a
    /// tree is what an IDE underlines (a path-only location reads as an external file).
    /// </summary>
    public Diagnostic ToDiagnostic(Compilation? compilation) => ToDiagnostic(compilation, DiagnosticDescriptors.ById[Id]);

    private Diagnostic ToDiagnostic(Compilation? compilation, DiagnosticDescriptor descriptor)
    {
        var location = Location?.ToLocation();
        if (Location is not null && compilation is not null)
        {
            var tree = compilation.SyntaxTrees.FirstOrDefault(t => t.FilePath == Location.FilePath);
            if (tree is not null && Location.Span.End <= tree.Length)
            {
                location = Microsoft.CodeAnalysis.Location.Create(tree, Location.Span);
            }
        }

        ImmutableDictionary<string, string?>? properties = null;
        if (Properties.Count > 0)
        {
            var builder = ImmutableDictionary.CreateBuilder<string, string?>();
            for (var i = 0; i + 1 < Properties.Count; i += 2)
            {
                builder[Properties[i]] = Properties[i + 1];
            }

            properties = builder.ToImmutable();
        }

        return Diagnostic.Create(descriptor, location, properties, Arguments.Cast<object>().ToArray());
    }
}
