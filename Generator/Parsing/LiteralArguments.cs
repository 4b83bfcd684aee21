using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Dsl.Generator.Parsing;

/// <summary>
/// Accepts, from the syntax alone, the attribute arguments nearly every model is made of: a number, string or bool
/// literal (a number possibly negated) that converts implicitly to its parameter's type, and a constant of the DSL
/// named as <c>Channels.Same</c> or <c>SkipMode.Concat</c> whose value the compiler bound, with its parameter's type.
/// Asking the semantic model instead binds the whole attribute and runs the nullable analysis over it, which was most
/// of the parse (docs/benchmarks.md#the-generators-cost). It only ever accepts: whatever it is not sure of (another
/// named constant, a narrowing, an array given to a <c>params</c> parameter, a <c>name:</c> argument) goes to the semantic model as before.
/// </summary>
internal static class LiteralArguments
{
    /// <summary>What each syntax argument converts to, and the value the compiler bound for it, where plain from the attribute.</summary>
    public readonly struct Target
    {
        public Target(ITypeSymbol type, TypedConstant bound)
        {
            Type = type;
            Bound = bound;
        }

        /// <summary>The parameter's or property's type; null where the position does not follow the syntax.</summary>
        public ITypeSymbol? Type { get; }

        /// <summary>The compiler's value for the argument (its <see cref="TypedConstant.Kind"/> is Error when it could not bind it).</summary>
        public TypedConstant Bound { get; }
    }

    /// <summary>The target of each syntax argument (default where that is not plain from the attribute).</summary>
    public static Target[] TargetTypes(AttributeData attribute, SeparatedSyntaxList<AttributeArgumentSyntax> arguments)
    {
        var targets = new Target[arguments.Count];
        var parameters = attribute.AttributeConstructor?.Parameters ?? default;
        if (parameters.IsDefault || arguments.Any(a => a.NameColon is not null))
        {
            return targets; // positions do not follow the syntax (or there is no constructor): ask the compiler
        }

        var position = 0;
        var element = 0;
        for (var i = 0; i < arguments.Count; i++)
        {
            if (arguments[i].NameEquals is { } nameEquals)
            {
                var name = nameEquals.Name.Identifier.ValueText;
                var bound = attribute.NamedArguments.FirstOrDefault(a => a.Key == name).Value;
                if (MemberType(attribute.AttributeClass, name) is { } type)
                {
                    targets[i] = new Target(type, bound);
                }
            }
            else if (position < parameters.Length && !parameters[position].IsParams)
            {
                var bound = position < attribute.ConstructorArguments.Length ? attribute.ConstructorArguments[position] : default;
                targets[i] = new Target(parameters[position++].Type, bound);
            }
            else if (position < parameters.Length && parameters[position].Type is IArrayTypeSymbol { Rank: 1 } array)
            {
                // A params parameter ([Model(1, 28, 28)]): each remaining positional argument is one element. Only
                // the expanded form has these targets; a lone array argument is no literal and goes to the compiler.
                var bound = position < attribute.ConstructorArguments.Length && attribute.ConstructorArguments[position] is { Kind: TypedConstantKind.Array, IsNull: false } values
                    && element < values.Values.Length ? values.Values[element] : default;
                targets[i] = new Target(array.ElementType, bound);
                element++;
            }
        }

        return targets;
    }

    /// <summary>
    /// True when the expression is <c>Type.Member</c>, a constant of a type of the attribute's own namespace (the DSL's
    /// <c>Channels</c>, <c>SkipMode</c>) of exactly the target's type, the type's name binds to that type where the
    /// attribute is (a user's <c>SkipMode</c> may hide it: a lookup of the name alone, which needs no nullable
    /// analysis), and the compiler bound the argument to that value.
    /// </summary>
    public static bool IsAcceptedConstant(ExpressionSyntax expression, Target target, INamedTypeSymbol? attributeClass, SemanticModel? model)
    {
        if (target.Type is not { } type || target.Bound.Kind is TypedConstantKind.Error or TypedConstantKind.Array or TypedConstantKind.Type
            || target.Bound.IsNull || !SymbolEqualityComparer.Default.Equals(target.Bound.Type, type)
            || expression is not MemberAccessExpressionSyntax { RawKind: (int)SyntaxKind.SimpleMemberAccessExpression, Expression: IdentifierNameSyntax owner, Name: IdentifierNameSyntax member }
            || attributeClass?.ContainingNamespace is not { } dsl || model is null)
        {
            return false;
        }

        foreach (var candidate in dsl.GetTypeMembers(owner.Identifier.ValueText))
        {
            foreach (var field in candidate.GetMembers(member.Identifier.ValueText).OfType<IFieldSymbol>())
            {
                if (field.IsConst && SymbolEqualityComparer.Default.Equals(field.Type, type) && Equals(field.ConstantValue, target.Bound.Value))
                {
                    var named = model.GetSpeculativeSymbolInfo(expression.SpanStart, owner, SpeculativeBindingOption.BindAsTypeOrNamespace).Symbol;
                    return SymbolEqualityComparer.Default.Equals(named, candidate);
                }
            }
        }

        return false;
    }

    /// <summary>True when the expression is a literal that converts implicitly to the target: no need to ask.</summary>
    public static bool IsAcceptedLiteral(ExpressionSyntax expression, Target to)
    {
        if (to.Type is not { } target)
        {
            return false;
        }

        var negated = false;
        if (expression is PrefixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.UnaryMinusExpression, Operand: var operand })
        {
            negated = true;
            expression = operand;
        }

        if (expression is not LiteralExpressionSyntax literal)
        {
            return false;
        }

        var value = literal.Token.Value;
        if (target.SpecialType == SpecialType.System_Object)
        {
            return !negated ? value is int or long or double or float or bool or string : value is int or long or double or float;
        }

        switch (value)
        {
            case bool when !negated:
                return target.SpecialType == SpecialType.System_Boolean;
            case string when !negated:
                return target.SpecialType == SpecialType.System_String;
            case int i:
                return FitsFromInt(negated ? -(long)i : i, target.SpecialType);
            case long:
                return target.SpecialType is SpecialType.System_Int64 or SpecialType.System_Single or SpecialType.System_Double
                    || (target.SpecialType == SpecialType.System_UInt64 && !negated);
            case float:
                return target.SpecialType is SpecialType.System_Single or SpecialType.System_Double;
            case double:
                return target.SpecialType == SpecialType.System_Double;
            default:
                return false; // uint, ulong, char, decimal, null: rare here, left to the compiler
        }
    }

    /// <summary>An <c>int</c> constant converts to every wider numeric type, and to a narrower one it fits in.</summary>
    private static bool FitsFromInt(long value, SpecialType target) => target switch
    {
        SpecialType.System_Int32 or SpecialType.System_Int64 or SpecialType.System_Single or SpecialType.System_Double => true,
        SpecialType.System_UInt32 => value >= 0,
        SpecialType.System_UInt64 => value >= 0,
        SpecialType.System_Int16 => value is >= short.MinValue and <= short.MaxValue,
        SpecialType.System_UInt16 => value is >= ushort.MinValue and <= ushort.MaxValue,
        SpecialType.System_SByte => value is >= sbyte.MinValue and <= sbyte.MaxValue,
        SpecialType.System_Byte => value is >= byte.MinValue and <= byte.MaxValue,
        _ => false,
    };

    /// <summary>The type of a settable property or field of the attribute (or its bases), as a named argument sets it.</summary>
    private static ITypeSymbol? MemberType(INamedTypeSymbol? type, string name)
    {
        for (; type is not null; type = type.BaseType)
        {
            foreach (var member in type.GetMembers(name))
            {
                switch (member)
                {
                    case IPropertySymbol { IsStatic: false, SetMethod: not null } property:
                        return property.Type;
                    case IFieldSymbol { IsStatic: false, IsReadOnly: false, IsConst: false } field:
                        return field.Type;
                }
            }
        }

        return null;
    }
}
