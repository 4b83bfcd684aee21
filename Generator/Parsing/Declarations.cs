using System.Collections.Generic;
using System.Linq;
using Dsl.Generator.Common;
using Dsl.Generator.Diagnostics;

namespace Dsl.Generator.Parsing;

/// <summary>How a skip merges (mirrors <c>Dsl.SkipMode</c>).</summary>
public enum MergeMode
{
    Add = 0,
    Concat = 1,
    Multiply = 2,
    Highway = 3,
}

/// <summary>A learned scale on an Add skip's branch (mirrors <c>Dsl.SkipScale</c>).</summary>
public enum MergeScale
{
    None = 0,
    Scalar = 1,
    PerChannel = 2,
}

/// <summary>What a skip does with spatial sizes that differ (mirrors <c>Dsl.SkipAlign</c>).</summary>
public enum MergeAlign
{
    None = 0,
    Crop = 1,
    Pad = 2,
}

/// <summary>
/// One attribute argument, every one the attribute declares (written or not): its name (the attribute's property
/// name, constructor parameters capitalised), its value (a number, a string, or an array of numbers and names),
/// whether the user wrote it, and where.
/// </summary>
public sealed record LayerArgument(string Name, double Number, string? Text, EquatableArray<InputDimension>? Items, bool IsGiven, LocationInfo? Location);

/// <summary>The type argument of a generic layer attribute (<c>[Use&lt;TBlock&gt;]</c>, <c>[Module&lt;TModule&gt;]</c>), as facts.</summary>
public sealed record TypeArgumentInfo(
    string FullName,
    string Name,
    bool IsTorchModule,
    bool HasParameterlessConstructor,
    bool HasChannelsConstructor);

/// <summary>One layer attribute, in source order; <see cref="Kind"/> names its definition (<c>Conv2d</c>; <c>Use</c> for a block).</summary>
public sealed record LayerDeclaration(
    string Kind,
    string? ExplicitName,
    LocationInfo? NameLocation,
    EquatableArray<LayerArgument> Arguments,
    TypeArgumentInfo? TypeArgument,
    LocationInfo? Location)
{
    /// <summary>Whether this is a <c>[Use&lt;TBlock&gt;]</c> (a block as a layer) rather than a layer kind.</summary>
    public bool IsBlockUse => Kind == LayerCatalog.UseKind;

    /// <summary>The used block's fully qualified name, for <c>[Use&lt;TBlock&gt;]</c>.</summary>
    public string? BlockTypeName => IsBlockUse ? TypeArgument?.FullName : null;
}

/// <summary>One [Skip] attribute.</summary>
public sealed record SkipDeclaration(
    string From,
    string To,
    MergeMode Mode,
    bool Projection,
    LocationInfo? Location,
    LocationInfo? FromLocation,
    LocationInfo? ToLocation)
{
    public MergeScale Scale { get; init; }

    /// <summary>The scale's initial value; NaN: the default of the scale kind.</summary>
    public double ScaleInit { get; init; } = double.NaN;

    public double DropPath { get; init; }

    public MergeAlign Align { get; init; }

    /// <summary>The projection's field name the user chose, or null: <c>{from}_to_{to}</c>.</summary>
    public string? Name { get; init; }

    /// <summary>The projection's field (and state_dict) name.</summary>
    public string ProjectionName => Name ?? $"{From}_to_{To}";

    /// <summary>The named arguments the user wrote (Mode, Projection, Scale, ...) and where, to underline the one at fault.</summary>
    public EquatableArray<GivenArgument> Given { get; init; } = EquatableArray<GivenArgument>.Empty;

    /// <summary>Where a named argument was written; the whole attribute when it was not.</summary>
    public LocationInfo? LocationOf(string argument)
    {
        foreach (var given in Given)
        {
            if (given.Name == argument)
            {
                return given.Location ?? Location;
            }
        }

        return Location;
    }

    public bool IsGiven(string argument)
    {
        foreach (var given in Given)
        {
            if (given.Name == argument)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The initial value of the learned scale: ScaleInit, or 0 (ReZero) / 1e-4 (LayerScale).</summary>
    public double EffectiveScaleInit => !double.IsNaN(ScaleInit) ? ScaleInit : Scale == MergeScale.PerChannel ? 1e-4 : 0;
}

/// <summary>A named attribute argument the user wrote, and where.</summary>
public sealed record GivenArgument(string Name, LocationInfo? Location);

/// <summary>The layers and skips of a model or a block.</summary>
public sealed record BodyDeclaration(EquatableArray<LayerDeclaration> Layers, EquatableArray<SkipDeclaration> Skips);

/// <summary>A block a model uses (directly or through other blocks), by its fully qualified name.</summary>
public sealed record BlockDefinition(string FullName, string Name, bool IsBlock, BodyDeclaration Body);

/// <summary>A type that contains the model class (nested models need partial containers).</summary>
public sealed record ContainingType(string Keyword, string Name);

/// <summary>One dimension of [Model(...)]: a number (<see cref="Name"/> null) or a named dimension.</summary>
public sealed record InputDimension(long Value, string? Name);

/// <summary>One [Dim] attribute; <see cref="Max"/> is null when not given.</summary>
public sealed record DimDeclaration(string Name, long Min, long? Max, long MultipleOf, LocationInfo? Location, LocationInfo? NameLocation);

/// <summary>A member the user declared in the class (a field, property, method, nested type), which generated members must not clash with.</summary>
public sealed record UserMember(string Name, string Kind, LocationInfo? Location);

/// <summary>
/// Everything the generator needs about one [Model] class, as equatable data. Names are unescaped (<c>class</c> for
/// <c>@class</c>); the emitters escape them (<see cref="Identifiers"/>).
/// </summary>
public sealed record ModelDeclaration(
    string Namespace,
    EquatableArray<ContainingType> ContainingTypes,
    string ClassName,
    string Accessibility,
    string HintName,
    EquatableArray<InputDimension> InputShape,
    string? InputShapeProblem,
    EquatableArray<DimDeclaration> Dims,
    LocationInfo? ModelLocation,
    BodyDeclaration Body,
    EquatableArray<BlockDefinition> Blocks,
    EquatableArray<UserMember> UserMembers,
    EquatableArray<string> InheritedMembers,
    bool CanEmitFallback,
    EquatableArray<DiagnosticInfo> Diagnostics)
{
    /// <summary>The class name with its namespace and containing types (<c>Sample.Outer.Net</c>); the hint name is it + <c>.g.cs</c>.</summary>
    public string FullName => QualifiedName(Namespace, ContainingTypes, ClassName);

    /// <summary>The full name as C# (keywords escaped: <c>@event.@class</c>), without <c>global::</c>.</summary>
    public string CodeName => Identifiers.CSharpQualified(FullName);

    public static string QualifiedName(string ns, IEnumerable<ContainingType> containing, string name) =>
        string.Join(".", new[] { ns }.Concat(containing.Select(c => c.Name)).Concat(new[] { name }).Where(s => s.Length > 0));

    /// <summary>The class's XML &lt;summary&gt; as one line of plain text (empty when it has none), for the model catalogue.</summary>
    public string Description { get; init; } = "";

    /// <summary>Whether code elsewhere in the assembly can name the class (it and its containers are at least internal), so the catalogue can list it.</summary>
    public bool IsVisibleToAssembly { get; init; }
}

/// <summary>A [Block] class, parsed on its own so its structural errors are reported on its own attributes.</summary>
public sealed record BlockDeclaration(
    string Name,
    LocationInfo? Location,
    BodyDeclaration Body,
    EquatableArray<BlockDefinition> Blocks,
    EquatableArray<string> InheritedMembers,
    EquatableArray<DiagnosticInfo> Diagnostics);
