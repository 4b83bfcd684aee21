using System;
using System.Collections;
using System.Collections.Generic;
using System.Reflection;
using Microsoft.CodeAnalysis;

namespace Dsl.Generator.Tests.Infrastructure;

/// <summary>
/// Finds Roslyn objects that must not be cached in an incremental pipeline by walking an object graph through
/// instance fields (auto-property backing fields included), arrays, collections and tuples.
/// </summary>
internal static class ObjectGraphWalker
{
    private const int MaxDepth = 200;

    /// <summary>The types an incremental pipeline must not hold on to.</summary>
    public static readonly Type[] ForbiddenTypes =
    [
        typeof(Compilation),
        typeof(ISymbol),
        typeof(SyntaxNode),
        typeof(SyntaxTree),
        typeof(SemanticModel),
        typeof(Location),
        typeof(IOperation),
    ];

    /// <summary>Adds a line to <paramref name="found"/> for each forbidden object reachable from <paramref name="root"/>.</summary>
    public static void FindForbidden(object? root, string rootPath, List<string> found)
    {
        var visited = new HashSet<object>(ReferenceEqualityComparer.Instance);
        Visit(root, rootPath, 0);

        void Visit(object? node, string path, int depth)
        {
            if (node is null || depth > MaxDepth)
            {
                return;
            }

            var type = node.GetType();
            if (!type.IsValueType && !visited.Add(node))
            {
                return;
            }

            foreach (var forbidden in ForbiddenTypes)
            {
                if (forbidden.IsInstanceOfType(node))
                {
                    found.Add($"{path} is a {forbidden.Name} ({type.FullName}): {GeneratorHarness.Abbreviate(node)}");
                    return;
                }
            }

            if (IsLeaf(type))
            {
                return;
            }

            if (node is Delegate function)
            {
                Visit(function.Target, path + ".Target", depth + 1);
                return;
            }

            if (type.IsArray && type.GetElementType() is { } element && IsLeaf(element))
            {
                return;
            }

            var enumerated = false;
            if (node is IEnumerable sequence)
            {
                try
                {
                    var index = 0;
                    foreach (var item in sequence)
                    {
                        Visit(item, $"{path}[{index++}]", depth + 1);
                    }

                    enumerated = true;
                }
                catch (Exception e) when (e is InvalidOperationException or NullReferenceException or NotSupportedException)
                {
                    // E.g. a default ImmutableArray; its fields are walked instead.
                }
            }

            // Framework collections are covered by their elements; user types (even enumerable ones) by their fields too.
            if (enumerated && IsFrameworkType(type))
            {
                return;
            }

            for (var current = type; current is not null && current != typeof(object); current = current.BaseType)
            {
                foreach (var field in current.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
                {
                    if (field.FieldType.IsPointer || field.FieldType.IsByRefLike)
                    {
                        continue;
                    }

                    Visit(field.GetValue(node), path + "." + MemberName(field), depth + 1);
                }
            }
        }
    }

    private static bool IsLeaf(Type type) =>
        type.IsPrimitive
        || type.IsEnum
        || type == typeof(string)
        || type == typeof(decimal)
        || type == typeof(DateTime)
        || type == typeof(DateTimeOffset)
        || type == typeof(TimeSpan)
        || type == typeof(Guid)
        || type == typeof(IntPtr)
        || type == typeof(UIntPtr)
        || typeof(MemberInfo).IsAssignableFrom(type)
        || typeof(Assembly).IsAssignableFrom(type)
        || typeof(Module).IsAssignableFrom(type);

    private static bool IsFrameworkType(Type type)
    {
        var assembly = type.Assembly.GetName().Name ?? "";
        return type.Assembly == typeof(object).Assembly
            || assembly.StartsWith("System.", StringComparison.Ordinal)
            || assembly == "netstandard";
    }

    private static string MemberName(FieldInfo field)
    {
        // "<Layers>k__BackingField" → "Layers"
        var name = field.Name;
        if (name.StartsWith("<", StringComparison.Ordinal))
        {
            var end = name.IndexOf('>', StringComparison.Ordinal);
            if (end > 1)
            {
                return name.Substring(1, end - 1);
            }
        }

        return name;
    }
}
