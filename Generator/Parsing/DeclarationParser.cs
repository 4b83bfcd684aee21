using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Dsl.Generator.Common;
using Dsl.Generator.Diagnostics;
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
        if (modelAttribute.AttributeConstructor is null || HasErrors(modelAttribute) || !IsFirstModelAttribute(type, modelAttribute))
        {
            return null; // a second [Model] on another partial declaration is the compiler's CS0579; generate once
        }

        var modelLocation = LocationInfo.From(modelAttribute.ApplicationSyntaxReference?.GetSyntax(ct));
        var shape = ReadShape(modelAttribute);
        CheckDeclaration(type, syntax, "model", diagnostics);
        if (HasAttribute(type, LayerCatalog.BlockAttribute))
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedDeclaration, modelLocation,
                type.Name, "model", "a class is either a [Model] or a [Block], not both"));
        }

        var usedBlocks = new List<INamedTypeSymbol>();
        var models = new SemanticModels(context.SemanticModel);
        if (!TryParseBody(type, usedBlocks, models, ct, out var body))
        {
            return null;
        }

        if (!TryCollectBlocks(usedBlocks, models, ct, out var blocks))
        {
            return null;
        }

        var containing = new List<ContainingType>();
        for (var outer = type.ContainingType; outer is not null; outer = outer.ContainingType)
        {
            containing.Insert(0, new ContainingType(TypeKeyword(outer), outer.Name));
        }

        var ns = type.ContainingNamespace is { IsGlobalNamespace: false } n ? n.ToDisplayString() : "";
        var fullName = string.Join(".", new[] { ns }.Concat(containing.Select(c => c.Name)).Concat(new[] { type.Name })
            .Where(s => s.Length > 0));
        return new ModelDeclaration(
            ns,
            containing.ToEquatableArray(),
            type.Name,
            SyntaxFacts.GetText(type.DeclaredAccessibility),
            fullName + ".g.cs",
            shape.ToEquatableArray(),
            modelLocation,
            body,
            blocks,
            diagnostics.ToEquatableArray());
    }

    public static BlockDeclaration? ParseBlock(GeneratorAttributeSyntaxContext context, CancellationToken ct)
    {
        if (context.TargetSymbol is not INamedTypeSymbol type)
        {
            return null;
        }

        var usedBlocks = new List<INamedTypeSymbol>();
        var models = new SemanticModels(context.SemanticModel);
        if (!TryParseBody(type, usedBlocks, models, ct, out var body) || !TryCollectBlocks(usedBlocks, models, ct, out var blocks))
        {
            return null;
        }

        var diagnostics = new List<DiagnosticInfo>();
        var location = LocationInfo.From(context.Attributes[0].ApplicationSyntaxReference?.GetSyntax(ct));
        if (type.IsGenericType)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedDeclaration, location,
                type.Name, "block", "generic blocks are not supported"));
        }

        return new BlockDeclaration(type.Name, location, body, blocks, diagnostics.ToEquatableArray());
    }

    private static bool IsFirstModelAttribute(INamedTypeSymbol type, AttributeData attribute)
    {
        var first = type.GetAttributes().FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == LayerCatalog.ModelAttribute);
        var a = first?.ApplicationSyntaxReference;
        var b = attribute.ApplicationSyntaxReference;
        return a is not null && b is not null && a.SyntaxTree == b.SyntaxTree && a.Span == b.Span;
    }

    private static void CheckDeclaration(INamedTypeSymbol type, TypeDeclarationSyntax syntax, string role, List<DiagnosticInfo> diagnostics)
    {
        var identifier = LocationInfo.From(syntax.Identifier.GetLocation());
        if (type.IsRecord)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedDeclaration, identifier,
                type.Name, role, "a record cannot derive from Module<Tensor, Tensor>; declare a partial class"));
            return;
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

    private static List<int> ReadShape(AttributeData attribute)
    {
        var shape = new List<int>();
        foreach (var argument in attribute.ConstructorArguments)
        {
            if (argument.Kind == TypedConstantKind.Array)
            {
                shape.AddRange(argument.Values.Select(v => v.Value is int i ? i : 0));
            }
            else if (argument.Value is int single)
            {
                shape.Add(single);
            }
        }

        return shape;
    }

    private static bool HasAttribute(INamedTypeSymbol type, string metadataName) =>
        type.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == metadataName);

    /// <summary>Reads the layer and skip attributes of a class in source order. False when an attribute does not compile.</summary>
    private static bool TryParseBody(INamedTypeSymbol type, List<INamedTypeSymbol> usedBlocks, SemanticModels models, CancellationToken ct, out BodyDeclaration body)
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

            if (attributeClass.ContainingNamespace?.ToDisplayString() != LayerCatalog.Namespace)
            {
                continue;
            }

            var metadataName = attributeClass.MetadataName;
            if (metadataName == LayerCatalog.SkipAttribute)
            {
                if (HasErrors(attribute) || HasCompilerErrors(attribute, models, ct))
                {
                    return false;
                }

                skips.Add(ParseSkip(attribute, ct));
            }
            else if (LayerCatalog.TryGetKind(metadataName, out var kind))
            {
                if (HasErrors(attribute) || HasCompilerErrors(attribute, models, ct))
                {
                    return false;
                }

                string? blockName = null;
                if (kind == LayerKind.Use)
                {
                    if (attributeClass.TypeArguments.FirstOrDefault() is not INamedTypeSymbol block || block.TypeKind == TypeKind.Error)
                    {
                        return false;
                    }

                    usedBlocks.Add(block);
                    blockName = block.ToDisplayString();
                }

                layers.Add(ParseLayer(kind, attribute, blockName, ct));
            }
        }

        body = new BodyDeclaration(layers.ToEquatableArray(), skips.ToEquatableArray());
        return true;
    }

    private static bool HasErrors(AttributeData attribute) =>
        attribute.AttributeConstructor is null
        || attribute.ConstructorArguments.Any(a => a.Kind == TypedConstantKind.Error)
        || attribute.NamedArguments.Any(a => a.Value.Kind == TypedConstantKind.Error);

    /// <summary>
    /// Roslyn keeps some attributes that do not compile in AttributeData as if they did: <c>Strid = 2</c> is simply
    /// missing and <c>Stride = 1.5</c> reads as 1. Asking the semantic model for errors in the attribute's own span
    /// (it binds only that) catches them, so such a class is left to the compiler's errors.
    /// </summary>
    private static bool HasCompilerErrors(AttributeData attribute, SemanticModels models, CancellationToken ct)
    {
        var reference = attribute.ApplicationSyntaxReference;
        if (reference is null)
        {
            return false;
        }

        var model = models.For(reference.SyntaxTree);
        return model is not null && model.GetDiagnostics(reference.Span, ct).Any(d => d.Severity == DiagnosticSeverity.Error);
    }

    /// <summary>Parses every block reachable from the given ones (each once, so recursive blocks terminate).</summary>
    private static bool TryCollectBlocks(List<INamedTypeSymbol> roots, SemanticModels models, CancellationToken ct, out EquatableArray<BlockDefinition> blocks)
    {
        var seen = new HashSet<string>();
        var result = new List<BlockDefinition>();
        var queue = new Queue<INamedTypeSymbol>(roots);
        while (queue.Count > 0)
        {
            var block = queue.Dequeue();
            var fullName = block.ToDisplayString();
            if (!seen.Add(fullName))
            {
                continue;
            }

            var nested = new List<INamedTypeSymbol>();
            if (!TryParseBody(block, nested, models, ct, out var body))
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

    private static LayerDeclaration ParseLayer(LayerKind kind, AttributeData attribute, string? blockName, CancellationToken ct)
    {
        var syntax = attribute.ApplicationSyntaxReference?.GetSyntax(ct) as AttributeSyntax;
        var locations = ArgumentLocations(attribute, syntax);
        var arguments = new List<LayerArgument>();
        string? name = null;
        var parameters = attribute.AttributeConstructor!.Parameters;
        for (var i = 0; i < attribute.ConstructorArguments.Length && i < parameters.Length; i++)
        {
            var argumentName = Capitalize(parameters[i].Name);
            arguments.Add(new LayerArgument(argumentName, ToNumber(attribute.ConstructorArguments[i]), Find(locations, argumentName)));
        }

        foreach (var named in attribute.NamedArguments)
        {
            if (named.Key == "Name")
            {
                name = named.Value.Value as string;
                continue;
            }

            arguments.Add(new LayerArgument(named.Key, ToNumber(named.Value), Find(locations, named.Key)));
        }

        return new LayerDeclaration(kind, name, Find(locations, "Name"), arguments.ToEquatableArray(), blockName, LocationInfo.From(syntax));
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
        foreach (var named in attribute.NamedArguments)
        {
            if (named.Key == "Mode" && named.Value.Value is int m)
            {
                mode = (MergeMode)m;
            }
            else if (named.Key == "Projection" && named.Value.Value is bool p)
            {
                projection = p;
            }
        }

        var whole = LocationInfo.From(syntax);
        return new SkipDeclaration(from, to, mode, projection, whole,
            Find(locations, "From") ?? whole, Find(locations, "To") ?? whole);
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

    private static LocationInfo? Find(List<(string Name, LocationInfo? Location)> locations, string name) =>
        locations.FirstOrDefault(l => l.Name == name).Location;

    private static string Capitalize(string name) => name.Length == 0 ? name : char.ToUpperInvariant(name[0]) + name.Substring(1);

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
