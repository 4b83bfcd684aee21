using System.Linq;
using Dsl.Generator.Common;
using Microsoft.CodeAnalysis;

namespace Dsl.Generator.Diagnostics;

/// <summary>A diagnostic as data: descriptor ID, location and message arguments (all strings), so it can be cached.</summary>
public sealed record DiagnosticInfo(string Id, LocationInfo? Location, EquatableArray<string> Arguments)
{
    public static DiagnosticInfo Create(DiagnosticDescriptor descriptor, LocationInfo? location, params string[] arguments) =>
        new(descriptor.Id, location, new EquatableArray<string>(arguments));

    /// <summary>Moves the diagnostic to another location (an error inside a block is reported at the [Use] that made it fail).</summary>
    public DiagnosticInfo At(LocationInfo? location) => this with { Location = location };

    public Diagnostic ToDiagnostic() => ToDiagnostic(null);

    /// <summary>
    /// The diagnostic, anchored to the compilation's syntax tree of its file when there is one: a location in a
    /// tree is what an IDE underlines (a path-only location reads as an external file).
    /// </summary>
    public Diagnostic ToDiagnostic(Compilation? compilation)
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

        return Diagnostic.Create(DiagnosticDescriptors.ById[Id], location, Arguments.Cast<object>().ToArray());
    }
}
