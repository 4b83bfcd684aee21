using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Dsl.CodeFixes;

/// <summary>
/// Code fixes for the Dsl generator's diagnostics. Each reads what it needs from the diagnostic's
/// <see cref="Diagnostic.Properties"/> (set by the generator), never from the message:
/// DSL002 (add <c>partial</c>), DSL003 (<c>Suggestion</c>: use the nearest layer name),
/// DSL005 (<c>Projection</c>: add <c>Projection = true</c>), DSL005/DSL006 (<c>Align</c>: add <c>Align = SkipAlign.Crop</c>
/// or <c>.Pad</c>), DSL005/DSL006 (<c>OutputPaddingLayer</c>, <c>OutputPadding</c>, <c>OutputPaddingSpan</c>: set
/// <c>OutputPadding</c> on that ConvTranspose1d/2d), and any diagnostic with <c>Dim</c>, <c>DimProperty</c>, <c>DimValue</c> (add or amend the [Dim]).
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(DslCodeFixProvider))]
[Shared]
public sealed class DslCodeFixProvider : CodeFixProvider
{
    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } =
        ImmutableArray.Create("DSL002", "DSL003", "DSL005", "DSL006", "DSL007", "DSL020");

    /// <inheritdoc />
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc />
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is null)
        {
            return;
        }

        foreach (var diagnostic in context.Diagnostics)
        {
            if (!diagnostic.Location.IsInSource || diagnostic.Location.SourceSpan.End > root.FullSpan.End)
            {
                continue;
            }

            var node = root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true);
            var properties = diagnostic.Properties;
            switch (diagnostic.Id)
            {
                case "DSL002":
                    if (node.FirstAncestorOrSelf<TypeDeclarationSyntax>() is { } type && !type.Modifiers.Any(SyntaxKind.PartialKeyword))
                    {
                        Register(context, diagnostic, root, "Make it partial", "DslMakePartial", type, AddPartial(type));
                    }

                    break;

                case "DSL003":
                    if (properties.TryGetValue("Suggestion", out var suggestion) && suggestion is not null
                        && node.FirstAncestorOrSelf<LiteralExpressionSyntax>() is { } literal && literal.IsKind(SyntaxKind.StringLiteralExpression))
                    {
                        var replacement = SyntaxFactory.LiteralExpression(SyntaxKind.StringLiteralExpression, SyntaxFactory.Literal(suggestion))
                            .WithTriviaFrom(literal);
                        Register(context, diagnostic, root, $"Use '{suggestion}'", "DslUseSuggestion", literal, replacement);
                    }

                    break;
            }

            if (diagnostic.Id is "DSL005" or "DSL006" && SkipAttribute(node) is { } skip)
            {
                if (diagnostic.Id == "DSL005" && properties.ContainsKey("Projection"))
                {
                    Register(context, diagnostic, root, "Set Projection = true", "DslProjection", skip,
                        SetNamedArgument(skip, "Projection", SyntaxFactory.LiteralExpression(SyntaxKind.TrueLiteralExpression)));
                }

                if (properties.TryGetValue("OutputPaddingLayer", out var layer) && layer is not null
                    && properties.TryGetValue("OutputPadding", out var padding) && padding is not null
                    && TransposedConvolution(root, properties) is { } up)
                {
                    Register(context, diagnostic, root, $"Set OutputPadding = {padding} on '{layer}'", "DslOutputPadding", up,
                        SetNamedArgument(up, "OutputPadding", SyntaxFactory.ParseExpression(padding)));
                }

                if (properties.TryGetValue("Align", out var aligns) && aligns is not null)
                {
                    foreach (var align in aligns.Split(','))
                    {
                        Register(context, diagnostic, root, $"Set Align = SkipAlign.{align}", "DslAlign" + align, skip,
                            SetNamedArgument(skip, "Align", SyntaxFactory.ParseExpression("SkipAlign." + align)));
                    }
                }
            }

            if (properties.TryGetValue("Dim", out var dim) && dim is not null
                && properties.TryGetValue("DimProperty", out var dimProperty) && dimProperty is not null
                && properties.TryGetValue("DimValue", out var dimValue) && dimValue is not null
                && node.FirstAncestorOrSelf<TypeDeclarationSyntax>() is { } owner)
            {
                Register(context, diagnostic, root, $"Add [Dim(\"{dim}\", {dimProperty} = {dimValue})]", "DslDim", owner,
                    SetDim(owner, dim, dimProperty, dimValue));
            }
        }
    }

    private static void Register(CodeFixContext context, Diagnostic diagnostic, SyntaxNode root, string title, string key,
        SyntaxNode oldNode, SyntaxNode newNode) =>
        context.RegisterCodeFix(
            CodeAction.Create(title, _ => Task.FromResult(context.Document.WithSyntaxRoot(root.ReplaceNode(oldNode, newNode))), key),
            diagnostic);

    /// <summary>The [Skip] attribute the diagnostic is on (not a [Use] of a block, whose skip lives elsewhere).</summary>
    private static AttributeSyntax? SkipAttribute(SyntaxNode node) =>
        node.FirstAncestorOrSelf<AttributeSyntax>() is { } attribute && SimpleName(attribute) is "Skip" or "SkipAttribute" ? attribute : null;

    /// <summary>The ConvTranspose1d/2d attribute at <c>OutputPaddingSpan</c> (start,length in this document), exactly there, or null.</summary>
    private static AttributeSyntax? TransposedConvolution(SyntaxNode root, ImmutableDictionary<string, string?> properties)
    {
        if (!properties.TryGetValue("OutputPaddingSpan", out var text) || text?.Split(',') is not [var startText, var lengthText]
            || !int.TryParse(startText, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var start)
            || !int.TryParse(lengthText, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var length)
            || start + length > root.FullSpan.End)
        {
            return null;
        }

        var span = new Microsoft.CodeAnalysis.Text.TextSpan(start, length);
        return root.FindNode(span).FirstAncestorOrSelf<AttributeSyntax>() is { } attribute && attribute.Span == span
            && SimpleName(attribute) is "ConvTranspose1d" or "ConvTranspose1dAttribute" or "ConvTranspose2d" or "ConvTranspose2dAttribute"
                ? attribute
                : null;
    }

    private static string SimpleName(AttributeSyntax attribute) => attribute.Name switch
    {
        QualifiedNameSyntax q => q.Right.Identifier.ValueText,
        AliasQualifiedNameSyntax a => a.Name.Identifier.ValueText,
        SimpleNameSyntax s => s.Identifier.ValueText,
        _ => attribute.Name.ToString(),
    };

    /// <summary><c>partial</c> right before the <c>class</c> (or <c>struct</c>, <c>record</c>) keyword.</summary>
    private static TypeDeclarationSyntax AddPartial(TypeDeclarationSyntax type)
    {
        if (type.Modifiers.Count == 0)
        {
            var partial = SyntaxFactory.Token(type.Keyword.LeadingTrivia, SyntaxKind.PartialKeyword, SyntaxFactory.TriviaList(SyntaxFactory.Space));
            return type.WithKeyword(type.Keyword.WithLeadingTrivia()).WithModifiers(SyntaxFactory.TokenList(partial));
        }

        return type.WithModifiers(type.Modifiers.Add(
            SyntaxFactory.Token(SyntaxTriviaList.Empty, SyntaxKind.PartialKeyword, SyntaxFactory.TriviaList(SyntaxFactory.Space))));
    }

    /// <summary>Sets <c>Name = value</c> on the attribute: replaces the argument if it is there, else appends it.</summary>
    private static AttributeSyntax SetNamedArgument(AttributeSyntax attribute, string name, ExpressionSyntax value)
    {
        var list = attribute.ArgumentList ?? SyntaxFactory.AttributeArgumentList();
        var existing = list.Arguments.FirstOrDefault(a => a.NameEquals?.Name.Identifier.ValueText == name);
        if (existing is not null)
        {
            return attribute.ReplaceNode(existing.Expression, value.WithTriviaFrom(existing.Expression));
        }

        var argument = SyntaxFactory.AttributeArgument(
            SyntaxFactory.NameEquals(
                SyntaxFactory.IdentifierName(name),
                SyntaxFactory.Token(SyntaxFactory.TriviaList(SyntaxFactory.Space), SyntaxKind.EqualsToken, SyntaxFactory.TriviaList(SyntaxFactory.Space))),
            null,
            value.WithoutTrivia());
        var nodes = list.Arguments.ToList();
        var separators = list.Arguments.GetSeparators().ToList();
        if (nodes.Count > 0)
        {
            separators.Add(SyntaxFactory.Token(SyntaxTriviaList.Empty, SyntaxKind.CommaToken, SyntaxFactory.TriviaList(SyntaxFactory.Space)));
        }

        nodes.Add(argument);
        return attribute.WithArgumentList(list.WithArguments(SyntaxFactory.SeparatedList(nodes, separators)));
    }

    /// <summary>
    /// Sets <c>Property = value</c> on the type's <c>[Dim("name", …)]</c>, or adds <c>[Dim("name", Property = value)]</c>
    /// on a line of its own after the attribute list that holds [Model] (or the first one).
    /// </summary>
    private static TypeDeclarationSyntax SetDim(TypeDeclarationSyntax type, string name, string property, string value)
    {
        var valueExpression = SyntaxFactory.ParseExpression(value);
        foreach (var attribute in type.AttributeLists.SelectMany(l => l.Attributes))
        {
            if (SimpleName(attribute) is "Dim" or "DimAttribute"
                && attribute.ArgumentList?.Arguments.FirstOrDefault() is { NameEquals: null, NameColon: null, Expression: LiteralExpressionSyntax first }
                && first.Token.ValueText == name)
            {
                return type.ReplaceNode(attribute, SetNamedArgument(attribute, property, valueExpression));
            }
        }

        var parsed = (TypeDeclarationSyntax)SyntaxFactory.ParseMemberDeclaration(
            $"[Dim({SyntaxFactory.Literal(name).Text}, {property} = {value})] class C {{ }}")!;
        var newList = parsed.AttributeLists[0];
        if (type.AttributeLists.Count == 0)
        {
            var leading = type.GetLeadingTrivia();
            return type.WithoutLeadingTrivia()
                .WithAttributeLists(SyntaxFactory.SingletonList(newList.WithLeadingTrivia(leading).WithTrailingTrivia(EndOfLine(type))))
                .WithLeadingTrivia(Indentation(leading));
        }

        var anchor = type.AttributeLists.FirstOrDefault(l => l.Attributes.Any(a => SimpleName(a) is "Model" or "ModelAttribute"))
            ?? type.AttributeLists[0];
        newList = newList.WithLeadingTrivia(Indentation(anchor.GetLeadingTrivia())).WithTrailingTrivia(EndOfLine(type));
        return type.InsertNodesAfter(anchor, new[] { newList });
    }

    /// <summary>The whitespace that indents a line: the trivia after the last end of line.</summary>
    private static SyntaxTriviaList Indentation(SyntaxTriviaList leading)
    {
        var trivia = new List<SyntaxTrivia>();
        foreach (var t in leading)
        {
            if (t.IsKind(SyntaxKind.EndOfLineTrivia))
            {
                trivia.Clear();
            }
            else if (t.IsKind(SyntaxKind.WhitespaceTrivia))
            {
                trivia.Add(t);
            }
        }

        return SyntaxFactory.TriviaList(trivia);
    }

    private static SyntaxTrivia EndOfLine(SyntaxNode node) =>
        node.DescendantTrivia().FirstOrDefault(t => t.IsKind(SyntaxKind.EndOfLineTrivia)) is { } eol && eol.IsKind(SyntaxKind.EndOfLineTrivia)
            ? eol
            : SyntaxFactory.EndOfLine("\n");
}
