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

    public Diagnostic ToDiagnostic() =>
        Diagnostic.Create(DiagnosticDescriptors.ById[Id], Location?.ToLocation(), Arguments.Cast<object>().ToArray());
}
