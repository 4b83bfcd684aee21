using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Threading;
using Dsl.Generator.Common;
using Dsl.Generator.Diagnostics;
using Dsl.Generator.Layers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Dsl.Generator.Parsing;

/// <summary>
/// Turns the symbols of a [Model] or [Block] class into equatable declaration records at once, so that no symbol,
/// syntax node or compilation flows further down the pipeline. Returns null for code that does not compile yet
/// (an attribute with errors): the compiler reports those, and the generator stays silent rather than guess.
/// </summary>
public static class DeclarationParser
{
    public static ModelDeclaration? ParseModel(GeneratorAttributeSyntaxContext context, CancellationToken ct)
    {
        if (context.TargetSymbol is not INamedTypeSymbol { TypeKind: TypeKind.Class } type || context.TargetNode is not TypeDeclarationSyntax syntax)
        {
            return null; // structs and interfaces: [Model] targets classes, and the compiler says so
        }

        var diagnostics = new List<DiagnosticInfo>();
        var modelAttribute = context.Attributes[0];
        var models = new SemanticModels(context.SemanticModel);
        if (modelAttribute.AttributeConstructor is null || HasErrors(modelAttribute) || !IsFirstModelAttribute(type, modelAttribute)
            || HasCompilerErrors(modelAttribute, models, ct))
        {
            return null; // a second [Model] on another partial declaration is the compiler's CS0579; generate once
        }

        var modelLocation = LocationInfo.From(modelAttribute.ApplicationSyntaxReference?.GetSyntax(ct));
        var (shape, shapeProblem) = ReadShape(modelAttribute);
        var declarationOk = CheckDeclaration(type, syntax, "model", diagnostics);
        if (HasAttribute(type, LayerCatalog.BlockAttribute))
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedDeclaration, modelLocation,
                type.Name, "model", "a class is either a [Model] or a [Block], not both"));
        }

        var usedBlocks = new List<INamedTypeSymbol>();
        if (!TryParseBody(type, usedBlocks, models, diagnostics, ct, out var body))
        {
            return null;
        }

        if (!TryCollectBlocks(usedBlocks, models, diagnostics, ct, out var blocks))
        {
            return null;
        }

        if (!TryParseDims(type, models, ct, out var dims))
        {
            return null;
        }

        var containing = new List<ContainingType>();
        for (var outer = type.ContainingType; outer is not null; outer = outer.ContainingType)
        {
            containing.Insert(0, new ContainingType(TypeKeyword(outer), outer.Name));
        }

        var ns = NamespaceName(type.ContainingNamespace);
        var fullName = ModelDeclaration.QualifiedName(ns, containing, type.Name);
        return new ModelDeclaration(
            ns,
            containing.ToEquatableArray(),
            type.Name,
            SyntaxFacts.GetText(type.DeclaredAccessibility),
            Identifiers.HintName(fullName),
            shape.ToEquatableArray(),
            shapeProblem,
            dims,
            modelLocation,
            body,
            blocks,
            UserMembers(type, ct),
            InheritedMembers(context.SemanticModel.Compilation),
            declarationOk,
            diagnostics.ToEquatableArray())
        {
            Description = DocumentationSummary.Of(type, ct),
            IsVisibleToAssembly = IsVisibleToAssembly(type),
        };
    }

    /// <summary>The namespace's parts unescaped, joined by '.' (<c>event.Models</c> for <c>@event.Models</c>); "" for the global namespace.</summary>
    private static string NamespaceName(INamespaceSymbol? ns)
    {
        var parts = new List<string>();
        for (var n = ns; n is { IsGlobalNamespace: false }; n = n.ContainingNamespace)
        {
            parts.Insert(0, n.Name);
        }

        return string.Join(".", parts);
    }

    /// <summary>Whether the type and every type containing it are public or internal.</summary>
    private static bool IsVisibleToAssembly(INamedTypeSymbol type)
    {
        for (var t = type; t is not null; t = t.ContainingType)
        {
            if (t.DeclaredAccessibility is not (Accessibility.Public or Accessibility.Internal or Accessibility.ProtectedOrInternal))
            {
                return false;
            }
        }

        return true;
    }

    public static BlockDeclaration? ParseBlock(GeneratorAttributeSyntaxContext context, CancellationToken ct)
    {
        if (context.TargetSymbol is not INamedTypeSymbol type)
        {
            return null;
        }

        var usedBlocks = new List<INamedTypeSymbol>();
        var models = new SemanticModels(context.SemanticModel);
        var diagnostics = new List<DiagnosticInfo>();
        if (!TryParseBody(type, usedBlocks, models, diagnostics, ct, out var body) || !TryCollectBlocks(usedBlocks, models, diagnostics, ct, out var blocks))
        {
            return null;
        }

        var location = LocationInfo.From(context.Attributes[0].ApplicationSyntaxReference?.GetSyntax(ct));
        if (type.IsGenericType)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedDeclaration, location,
                type.Name, "block", "generic blocks are not supported"));
        }

        return new BlockDeclaration(type.Name, location, body, blocks, InheritedMembers(context.SemanticModel.Compilation), diagnostics.ToEquatableArray());
    }

    private static bool IsFirstModelAttribute(INamedTypeSymbol type, AttributeData attribute)
    {
        var first = type.GetAttributes().FirstOrDefault(a => IsDslType(a.AttributeClass, LayerCatalog.ModelAttribute));
        var a = first?.ApplicationSyntaxReference;
        var b = attribute.ApplicationSyntaxReference;
        return a is not null && b is not null && a.SyntaxTree == b.SyntaxTree && a.Span == b.Span;
    }

    /// <summary>Checks the class declaration itself; true when a generated partial class for it would compile.</summary>
    private static bool CheckDeclaration(INamedTypeSymbol type, TypeDeclarationSyntax syntax, string role, List<DiagnosticInfo> diagnostics)
    {
        var before = diagnostics.Count;
        var identifier = LocationInfo.From(syntax.Identifier.GetLocation());
        if (type.IsRecord)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedDeclaration, identifier,
                type.Name, role, "a record cannot derive from Module<Tensor, Tensor>; declare a partial class"));
            return false;
        }

        if (!syntax.Modifiers.Any(SyntaxKind.PartialKeyword))
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NotPartial, identifier, type.Name));
        }

        if (type.IsGenericType)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedDeclaration, identifier,
                type.Name, role, "generic classes are not supported"));
        }

        if (type.IsStatic || type.IsAbstract)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedDeclaration, identifier,
                type.Name, role, "it must be neither static nor abstract, because the generator gives it a public constructor"));
        }

        if (type.BaseType is { SpecialType: not SpecialType.System_Object } baseType && !IsTorchModule(baseType))
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedDeclaration, identifier,
                type.Name, role, $"it derives from '{baseType.ToDisplayString()}', but the generator makes it derive from Module<Tensor, Tensor>"));
        }

        for (var outer = type.ContainingType; outer is not null; outer = outer.ContainingType)
        {
            var partial = outer.DeclaringSyntaxReferences.Any(r =>
                r.GetSyntax() is TypeDeclarationSyntax t && t.Modifiers.Any(SyntaxKind.PartialKeyword));
            if (!partial || outer.IsGenericType)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedDeclaration, identifier,
                    type.Name, role, $"its containing type '{outer.Name}' must be partial and not generic"));
            }
        }

        return diagnostics.Count == before;
    }

    private static bool IsTorchModule(INamedTypeSymbol type) =>
        type.OriginalDefinition.ToDisplayString() == "TorchSharp.torch.nn.Module<T, TResult>";

    private static string TypeKeyword(INamedTypeSymbol type) => type switch
    {
        { IsRecord: true, TypeKind: TypeKind.Struct } => "record struct",
        { IsRecord: true } => "record",
        { TypeKind: TypeKind.Struct } => "struct",
        { TypeKind: TypeKind.Interface } => "interface",
        _ => "class",
    };

    /// <summary>[Model(...)]'s dimensions (numbers and names), or what is wrong with them.</summary>
    private static (List<InputDimension> Shape, string? Problem) ReadShape(AttributeData attribute)
    {
        var shape = new List<InputDimension>();
        var values = attribute.ConstructorArguments.SelectMany(a => a.Kind == TypedConstantKind.Array ? a.Values : ImmutableArray.Create(a)).ToList();
        foreach (var value in values)
        {
            switch (value.Value)
            {
                case int i:
                    shape.Add(new InputDimension(i, null));
                    break;
                case string name when SyntaxFacts.IsValidIdentifier(name) && SyntaxFacts.GetKeywordKind(name) == SyntaxKind.None:
                    shape.Add(new InputDimension(0, name));
                    break;
                case string name:
                    return (shape, $"'{name}' is not a dimension name; a name is a C# identifier such as \"H\" or \"T\"");
                default:
                    return (shape, $"every dimension is a whole number or a name such as \"H\", but one is {value.ToCSharpString()}");
            }
        }

        return (shape, null);
    }

    /// <summary>The [Dim] attributes; false when one does not compile yet.</summary>
    private static bool TryParseDims(INamedTypeSymbol type, SemanticModels models, CancellationToken ct, out EquatableArray<DimDeclaration> dims)
    {
        var result = new List<DimDeclaration>();
        dims = EquatableArray<DimDeclaration>.Empty;
        foreach (var attribute in type.GetAttributes())
        {
            if (attribute.AttributeClass is not { } c || c.MetadataName != LayerCatalog.DimAttribute || !IsDslNamespace(c.ContainingNamespace))
            {
                continue;
            }

            if (HasErrors(attribute) || HasCompilerErrors(attribute, models, ct))
            {
                return false;
            }

            var syntax = attribute.ApplicationSyntaxReference?.GetSyntax(ct) as AttributeSyntax;
            var locations = ArgumentLocations(attribute, syntax);
            var name = attribute.ConstructorArguments.FirstOrDefault().Value as string ?? "";
            long Named(string key, long fallback) =>
                attribute.NamedArguments.FirstOrDefault(a => a.Key == key).Value.Value is int v ? v : fallback;
            var max = Named("Max", 0) is var m && m != 0 ? m : (long?)null; // 0: no limit, as the attribute says
            result.Add(new DimDeclaration(name, Named("Min", 1), max, Named("MultipleOf", 1), LocationInfo.From(syntax), Find(locations, "Name")));
        }

        dims = result.ToEquatableArray();
        return true;
    }

    /// <summary>Members the user declared in the class (all partial parts), so generated members never clash with them.</summary>
    private static EquatableArray<UserMember> UserMembers(INamedTypeSymbol type, CancellationToken ct)
    {
        var members = new List<UserMember>();
        foreach (var member in type.GetMembers())
        {
            ct.ThrowIfCancellationRequested();
            if (member.IsImplicitlyDeclared || member.Locations.FirstOrDefault() is not { IsInSource: true } location)
            {
                continue;
            }

            var kind = member switch
            {
                IMethodSymbol { MethodKind: MethodKind.Constructor } m => m.IsStatic ? null : m.Parameters.Length == 0 ? "parameterless constructor" : null,
                IMethodSymbol { MethodKind: MethodKind.Ordinary } => "method",
                IMethodSymbol => null, // accessors, operators, destructors: never clash with generated members by name
                IFieldSymbol => "field",
                IPropertySymbol => "property",
                IEventSymbol => "event",
                INamedTypeSymbol => "nested type",
                _ => null,
            };
            if (kind is not null)
            {
                members.Add(new UserMember(member is IMethodSymbol { MethodKind: MethodKind.Constructor } ? type.Name : member.Name, kind, LocationInfo.From(location)));
            }
        }

        return members.ToEquatableArray();
    }

    /// <summary>
    /// The member names of TorchSharp's <c>Module&lt;Tensor, Tensor&gt;</c> and its bases, read from the compilation,
    /// so a layer named like one of them (<c>save</c>, <c>train</c>) is an error on its name rather than a CS0108 in obj/.
    /// Read once per compilation, not once per model and block.
    /// </summary>
    private static EquatableArray<string> InheritedMembers(Compilation compilation) =>
        InheritedMembersByCompilation.GetValue(compilation, static c => new MemberNames(ReadInheritedMembers(c))).Names;

    private static readonly ConditionalWeakTable<Compilation, MemberNames> InheritedMembersByCompilation = new();

    private sealed class MemberNames
    {
        public MemberNames(EquatableArray<string> names) => Names = names;

        public EquatableArray<string> Names { get; }
    }

    private static EquatableArray<string> ReadInheritedMembers(Compilation compilation)
    {
        var names = new SortedSet<string>(StringComparer.Ordinal);
        for (var t = compilation.GetTypeByMetadataName("TorchSharp.torch+nn+Module`2") as ITypeSymbol; t is not null; t = t.BaseType)
        {
            foreach (var member in t.GetMembers())
            {
                if (member.DeclaredAccessibility is Accessibility.Public or Accessibility.Protected or Accessibility.ProtectedOrInternal
                    && !member.IsImplicitlyDeclared && member is not IMethodSymbol { MethodKind: not MethodKind.Ordinary })
                {
                    names.Add(member.Name);
                }
            }
        }

        return names.ToEquatableArray();
    }

    private static bool HasAttribute(INamedTypeSymbol type, string fullName) =>
        type.GetAttributes().Any(a => IsDslType(a.AttributeClass, fullName));

    /// <summary>Whether the type is the DSL's top-level type of that full name (<c>Dsl.ModelAttribute</c>), compared by its parts: no display string per attribute.</summary>
    private static bool IsDslType(INamedTypeSymbol? type, string fullName) =>
        type is { ContainingType: null } && IsDslNamespace(type.ContainingNamespace)
        && fullName.Length == DslPrefix.Length + type.MetadataName.Length
        && fullName.StartsWith(DslPrefix, StringComparison.Ordinal) && fullName.EndsWith(type.MetadataName, StringComparison.Ordinal);

    private const string DslPrefix = LayerCatalog.Namespace + ".";

    /// <summary>Whether the namespace is the DSL's own (<c>Dsl</c>, directly under the global namespace).</summary>
    private static bool IsDslNamespace(INamespaceSymbol? ns) =>
        ns is { ContainingNamespace.IsGlobalNamespace: true } && ns.Name == LayerCatalog.Namespace;

    /// <summary>
    /// Reads the layer and skip attributes of a class in source order. False when an attribute does not compile.
    /// A layer attribute without a layer definition (<see cref="LayerRegistry"/>) is a DSL000: never silently dropped.
    /// </summary>
    private static bool TryParseBody(INamedTypeSymbol type, List<INamedTypeSymbol> usedBlocks, SemanticModels models,
        List<DiagnosticInfo> diagnostics, CancellationToken ct, out BodyDeclaration body)
    {
        var layers = new List<LayerDeclaration>();
        var skips = new List<SkipDeclaration>();
        body = new BodyDeclaration(EquatableArray<LayerDeclaration>.Empty, EquatableArray<SkipDeclaration>.Empty);
        foreach (var attribute in type.GetAttributes())
        {
            ct.ThrowIfCancellationRequested();
            var attributeClass = attribute.AttributeClass;
            if (attributeClass is null || attributeClass.TypeKind == TypeKind.Error)
            {
                return false; // does not compile yet: let the compiler speak
            }

            if (!IsDslNamespace(attributeClass.ContainingNamespace))
            {
                continue;
            }

            var metadataName = attributeClass.MetadataName;
            var isSkip = metadataName == LayerCatalog.SkipAttribute;
            var isUse = metadataName == LayerCatalog.UseAttribute;
            var definition = LayerRegistry.ForAttribute(metadataName);
            if (!isSkip && !isUse && definition is null)
            {
                if (IsLayerAttribute(attributeClass))
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InternalError, LocationInfo.From(attribute.ApplicationSyntaxReference?.GetSyntax(ct)),
                        type.Name, $"the layer attribute '{attributeClass.Name}' has no layer definition in the generator"));
                }

                continue;
            }

            if (HasErrors(attribute) || HasCompilerErrors(attribute, models, ct))
            {
                return false;
            }

            if (isSkip)
            {
                skips.Add(ParseSkip(attribute, ct));
                continue;
            }

            TypeArgumentInfo? typeArgument = null;
            if (attributeClass.IsGenericType)
            {
                if (attributeClass.TypeArguments.FirstOrDefault() is not INamedTypeSymbol argument || argument.TypeKind == TypeKind.Error)
                {
                    return false;
                }

                if (isUse)
                {
                    usedBlocks.Add(argument);
                }

                typeArgument = DescribeType(argument);
            }

            layers.Add(ParseLayer(isUse ? LayerCatalog.UseKind : definition!.Kind, attribute, typeArgument, ct));
        }

        body = new BodyDeclaration(layers.ToEquatableArray(), skips.ToEquatableArray());
        return true;
    }

    private static bool IsLayerAttribute(INamedTypeSymbol attributeClass)
    {
        for (var t = attributeClass.BaseType; t is not null; t = t.BaseType)
        {
            if (t.MetadataName == LayerCatalog.LayerAttributeBase && IsDslNamespace(t.ContainingNamespace))
            {
                return true;
            }
        }

        return false;
    }

    private static TypeArgumentInfo DescribeType(INamedTypeSymbol type)
    {
        var isModule = false;
        for (var t = type.BaseType; t is not null; t = t.BaseType)
        {
            if (t.OriginalDefinition.ToDisplayString() == "TorchSharp.torch.nn.Module<T, TResult>"
                && t.TypeArguments.All(a => a.ToDisplayString() == "TorchSharp.torch.Tensor"))
            {
                isModule = true;
            }
        }

        var constructors = type.InstanceConstructors.Where(c => c.DeclaredAccessibility == Accessibility.Public).ToList();
        return new TypeArgumentInfo(
            type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat),
            type.Name,
            isModule && !type.IsAbstract && !type.IsGenericType,
            constructors.Any(c => c.Parameters.Length == 0),
            constructors.Any(c => c.Parameters.Length == 1 && c.Parameters[0].Type.SpecialType == SpecialType.System_Int64));
    }

    private static bool HasErrors(AttributeData attribute) =>
        attribute.AttributeConstructor is null
        || attribute.ConstructorArguments.Any(a => a.Kind == TypedConstantKind.Error)
        || attribute.NamedArguments.Any(a => a.Value.Kind == TypedConstantKind.Error);

    /// <summary>
    /// Roslyn keeps some attributes that do not compile in AttributeData as if they did: <c>Strid = 2</c> is simply
    /// missing and <c>Stride = 1.5</c> reads as 1. So each argument is checked the way the compiler checks it: the
    /// attribute's own syntax errors, a named argument that binds to no property (or twice), and every argument's
    /// conversion to its parameter and its being a constant: read from the syntax for a plain literal
    /// (<see cref="LiteralArguments"/>), otherwise asked of the semantic model for that expression alone.
    /// Asking for the compiler's diagnostics instead (per attribute span, or per tree) made Roslyn walk every type of
    /// the compilation for each model: most of the parse, and quadratic in the number of models
    /// (docs/benchmarks.md#the-generators-cost).
    /// </summary>
    private static bool HasCompilerErrors(AttributeData attribute, SemanticModels models, CancellationToken ct)
    {
        if (attribute.ApplicationSyntaxReference?.GetSyntax(ct) is not AttributeSyntax syntax)
        {
            return false;
        }

        if ((syntax.Parent ?? syntax).ContainsDiagnostics)
        {
            return true; // a syntax error in the attribute or its list (an unclosed `[`)
        }

        var arguments = syntax.ArgumentList?.Arguments ?? default;
        if (arguments.Count == 0)
        {
            return false;
        }

        var named = new HashSet<string>();
        foreach (var argument in arguments)
        {
            if (argument.NameEquals is { } nameEquals)
            {
                var name = nameEquals.Name.Identifier.ValueText;
                if (!named.Add(name) || !attribute.NamedArguments.Any(a => a.Key == name))
                {
                    return true; // CS0643 (named twice), CS0246 (no such property)
                }
            }
        }

        var targets = LiteralArguments.TargetTypes(attribute, arguments);
        SemanticModel? model = null;
        for (var i = 0; i < arguments.Count; i++)
        {
            if (LiteralArguments.IsAcceptedLiteral(arguments[i].Expression, targets[i]))
            {
                continue;
            }

            model ??= models.For(syntax.SyntaxTree);
            if (LiteralArguments.IsAcceptedConstant(arguments[i].Expression, targets[i], attribute.AttributeClass, model))
            {
                continue;
            }

            if (model is not null && !IsConstantArgument(arguments[i].Expression, model, ct))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>What the compiler accepts as an attribute argument: an implicit conversion of a constant, a
    /// <c>typeof</c>, or an array of those.</summary>
    private static bool IsConstantArgument(ExpressionSyntax expression, SemanticModel model, CancellationToken ct)
    {
        switch (expression)
        {
            case TypeOfExpressionSyntax typeOf:
                return model.GetTypeInfo(typeOf.Type, ct).Type is not (null or IErrorTypeSymbol); // typeof(Missing) is still a System.Type
            case ArrayCreationExpressionSyntax { Initializer: { } initializer }:
                return initializer.Expressions.All(e => IsConstantArgument(e, model, ct));
            case ImplicitArrayCreationExpressionSyntax { Initializer: var initializer }:
                return initializer.Expressions.All(e => IsConstantArgument(e, model, ct));
            case CollectionExpressionSyntax collection:
                return collection.Elements.All(e => e is ExpressionElementSyntax element && IsConstantArgument(element.Expression, model, ct));
        }

        var conversion = model.GetConversion(expression, ct);
        var constant = model.GetConstantValue(expression, ct);
        return conversion.Exists && conversion.IsImplicit && constant.HasValue && constant.Value is not decimal; // a decimal constant is no attribute argument (CS0182)
    }

    /// <summary>Parses every block reachable from the given ones (each once, so recursive blocks terminate).</summary>
    private static bool TryCollectBlocks(List<INamedTypeSymbol> roots, SemanticModels models, List<DiagnosticInfo> diagnostics, CancellationToken ct, out EquatableArray<BlockDefinition> blocks)
    {
        var seen = new HashSet<string>();
        var result = new List<BlockDefinition>();
        var queue = new Queue<INamedTypeSymbol>(roots);
        while (queue.Count > 0)
        {
            var block = queue.Dequeue();
            var fullName = block.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);
            if (!seen.Add(fullName))
            {
                continue;
            }

            var nested = new List<INamedTypeSymbol>();
            if (!TryParseBody(block, nested, models, diagnostics, ct, out var body))
            {
                blocks = EquatableArray<BlockDefinition>.Empty;
                return false;
            }

            result.Add(new BlockDefinition(fullName, block.Name, HasAttribute(block, LayerCatalog.BlockAttribute), body));
            foreach (var n in nested)
            {
                queue.Enqueue(n);
            }
        }

        blocks = result.ToEquatableArray();
        return true;
    }

    /// <summary>
    /// Every argument the attribute declares, written or not: constructor parameters (with their declared defaults)
    /// and settable properties (with their <c>[DefaultValue]</c>, else the type's default). So the defaults are read
    /// once, from the attribute's own declaration, and a definition can never read an argument that does not exist.
    /// </summary>
    private static LayerDeclaration ParseLayer(string kind, AttributeData attribute, TypeArgumentInfo? typeArgument, CancellationToken ct)
    {
        var syntax = attribute.ApplicationSyntaxReference?.GetSyntax(ct) as AttributeSyntax;
        var locations = ArgumentLocations(attribute, syntax);
        var arguments = new List<LayerArgument>();
        var parameters = attribute.AttributeConstructor!.Parameters;
        for (var i = 0; i < attribute.ConstructorArguments.Length && i < parameters.Length; i++)
        {
            var argumentName = Capitalize(parameters[i].Name);
            var location = Find(locations, argumentName);
            arguments.Add(ToArgument(argumentName, attribute.ConstructorArguments[i], location is not null, location));
        }

        string? name = null;
        foreach (var property in SettableProperties(attribute.AttributeClass!))
        {
            var written = NamedArgument(attribute, property.Name);
            if (property.Name == "Name")
            {
                name = written.Key is null ? null : written.Value.Value as string;
                continue;
            }

            if (written.Key is not null)
            {
                arguments.Add(ToArgument(property.Name, written.Value, true, Find(locations, property.Name)));
                continue;
            }

            arguments.Add(property.Default is { } declared
                ? ToArgument(property.Name, declared, false, null)
                : new LayerArgument(property.Name, 0, null, null, false, null));
        }

        return new LayerDeclaration(kind, name, Find(locations, "Name"), arguments.ToEquatableArray(), typeArgument, LocationInfo.From(syntax));
    }

    /// <summary>The named argument written for a property, or a default pair (a loop: a lambda here was allocated per property of every layer).</summary>
    private static KeyValuePair<string, TypedConstant> NamedArgument(AttributeData attribute, string name)
    {
        foreach (var argument in attribute.NamedArguments)
        {
            if (argument.Key == name)
            {
                return argument;
            }
        }

        return default;
    }

    /// <summary>A settable property of a layer attribute and its <c>[DefaultValue]</c>, if it declares one.</summary>
    private sealed class SettableProperty
    {
        public SettableProperty(string name, TypedConstant? @default)
        {
            Name = name;
            Default = @default;
        }

        public string Name { get; }

        public TypedConstant? Default { get; }
    }

    /// <summary>
    /// The public settable properties of an attribute class and its bases (a base's hidden one once), in declaration
    /// order, with their declared defaults: read once per attribute class and compilation, not once per layer.
    /// </summary>
    private static List<SettableProperty> SettableProperties(INamedTypeSymbol attributeClass) =>
        // By the definition: a generic attribute's constructed class (Use<TBlock>) is a new symbol at every read.
        SettablePropertiesByClass.GetValue(attributeClass.OriginalDefinition, static type =>
        {
            var seen = new HashSet<string>();
            var result = new List<SettableProperty>();
            for (var t = type; t is not null && t.SpecialType != SpecialType.System_Object; t = t.BaseType)
            {
                foreach (var member in t.GetMembers())
                {
                    if (member is IPropertySymbol { IsStatic: false, SetMethod.DeclaredAccessibility: Accessibility.Public } property && seen.Add(property.Name))
                    {
                        var declared = property.GetAttributes().FirstOrDefault(a => a.AttributeClass is
                        {
                            Name: "DefaultValueAttribute",
                            ContainingNamespace: { Name: "ComponentModel", ContainingNamespace: { Name: "System", ContainingNamespace.IsGlobalNamespace: true } },
                        });
                        result.Add(new SettableProperty(property.Name, declared is { ConstructorArguments.Length: 1 } ? declared.ConstructorArguments[0] : null));
                    }
                }
            }

            return result;
        });

    private static readonly ConditionalWeakTable<INamedTypeSymbol, List<SettableProperty>> SettablePropertiesByClass = new();

    private static LayerArgument ToArgument(string name, TypedConstant constant, bool given, LocationInfo? location)
    {
        if (constant.Kind == TypedConstantKind.Array)
        {
            var items = constant.IsNull
                ? null
                : (EquatableArray<InputDimension>?)constant.Values.Select(v => v.Value switch
                {
                    int i => new InputDimension(i, null),
                    string s => new InputDimension(0, s),
                    _ => new InputDimension(0, null),
                }).ToEquatableArray();
            return new LayerArgument(name, 0, null, items, given, location);
        }

        return new LayerArgument(name, ToNumber(constant), constant.Value as string, null, given, location);
    }

    private static SkipDeclaration ParseSkip(AttributeData attribute, CancellationToken ct)
    {
        var syntax = attribute.ApplicationSyntaxReference?.GetSyntax(ct) as AttributeSyntax;
        var locations = ArgumentLocations(attribute, syntax);
        var args = attribute.ConstructorArguments;
        var from = args.Length > 0 ? args[0].Value as string ?? "" : "";
        var to = args.Length > 1 ? args[1].Value as string ?? "" : "";
        var mode = MergeMode.Add;
        var projection = false;
        var scale = MergeScale.None;
        var scaleInit = double.NaN;
        var dropPath = 0.0;
        var align = MergeAlign.None;
        string? name = null;
        var given = new List<GivenArgument>();
        foreach (var named in attribute.NamedArguments)
        {
            given.Add(new GivenArgument(named.Key, Find(locations, named.Key)));
            switch (named.Key, named.Value.Value)
            {
                case ("Mode", int m):
                    mode = (MergeMode)m;
                    break;
                case ("Projection", bool p):
                    projection = p;
                    break;
                case ("Scale", int k):
                    scale = (MergeScale)k;
                    break;
                case ("ScaleInit", var v) when v is not null:
                    scaleInit = ToNumber(named.Value);
                    break;
                case ("DropPath", var v) when v is not null:
                    dropPath = ToNumber(named.Value);
                    break;
                case ("Align", int a):
                    align = (MergeAlign)a;
                    break;
                case ("Name", var n):
                    name = n as string;
                    break;
            }
        }

        var whole = LocationInfo.From(syntax);
        return new SkipDeclaration(from, to, mode, projection, whole,
            Find(locations, "From") ?? whole, Find(locations, "To") ?? whole)
        {
            Scale = scale,
            ScaleInit = scaleInit,
            DropPath = dropPath,
            Align = align,
            Name = name,
            Given = given.ToEquatableArray(),
        };
    }

    /// <summary>Where each argument was written, keyed by the attribute property name (constructor parameters capitalised).</summary>
    private static List<(string Name, LocationInfo? Location)> ArgumentLocations(AttributeData attribute, AttributeSyntax? syntax)
    {
        var result = new List<(string, LocationInfo?)>();
        if (syntax?.ArgumentList is null || attribute.AttributeConstructor is null)
        {
            return result;
        }

        var parameters = attribute.AttributeConstructor.Parameters;
        var position = 0;
        foreach (var argument in syntax.ArgumentList.Arguments)
        {
            string? name = argument.NameEquals?.Name.Identifier.ValueText
                ?? (argument.NameColon is { } colon ? Capitalize(colon.Name.Identifier.ValueText) : null);
            if (name is null)
            {
                name = position < parameters.Length ? Capitalize(parameters[position].Name) : null;
                position++;
            }

            if (name is not null)
            {
                result.Add((name, LocationInfo.From(argument)));
            }
        }

        return result;
    }

    private static LocationInfo? Find(List<(string Name, LocationInfo? Location)> locations, string name)
    {
        foreach (var (written, location) in locations)
        {
            if (written == name)
            {
                return location;
            }
        }

        return null;
    }

    /// <summary>A parameter's name as its property's (<c>outChannels</c> → <c>OutChannels</c>).</summary>
    private static string Capitalize(string name) =>
        name.Length == 0 || char.IsUpper(name[0]) ? name : char.ToUpperInvariant(name[0]) + name.Substring(1);

    private static double ToNumber(TypedConstant constant) => constant.Value switch
    {
        int i => i,
        double d => d,
        float f => f,
        long l => l,
        bool b => b ? 1 : 0,
        _ => 0,
    };

    /// <summary>One semantic model per syntax tree, made on demand (blocks may live in other files).</summary>
    private sealed class SemanticModels
    {
        private readonly SemanticModel _first;
        private readonly Dictionary<SyntaxTree, SemanticModel> _byTree = new();

        public SemanticModels(SemanticModel first) => _first = first;

        public SemanticModel? For(SyntaxTree tree)
        {
            if (tree == _first.SyntaxTree)
            {
                return _first;
            }

            if (!_byTree.TryGetValue(tree, out var model) && _first.Compilation.ContainsSyntaxTree(tree))
            {
                model = _first.Compilation.GetSemanticModel(tree);
                _byTree[tree] = model;
            }

            return model;
        }
    }
}
