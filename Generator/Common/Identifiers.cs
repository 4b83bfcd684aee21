using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis.CSharp;

namespace Dsl.Generator.Common;

/// <summary>
/// How the generator writes the user's names: as C# identifiers (keywords escaped with <c>@</c>) and as hint names
/// (only characters Roslyn accepts, unique per model). Names are kept unescaped in the model (<c>event</c>, not
/// <c>@event</c>) and escaped where code is written.
/// </summary>
public static class Identifiers
{
    /// <summary>
    /// A type or namespace name as C#: <c>@</c> before every keyword, contextual ones included (<c>@class</c>,
    /// <c>@record</c>, <c>@var</c>), which is always valid and never changes the name.
    /// </summary>
    public static string CSharp(string name) =>
        name.Length > 0 && (SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None || SyntaxFacts.GetContextualKeywordKind(name) != SyntaxKind.None)
            ? "@" + name
            : name;

    /// <summary>A dotted name (a namespace, or namespace and types) with every part as <see cref="CSharp"/>.</summary>
    public static string CSharpQualified(string dotted) =>
        string.Join(".", dotted.Split('.').Select(CSharp));

    /// <summary>
    /// The hint name of a model's file: its unescaped full name + <c>.g.cs</c> when every character is a letter, a
    /// digit, '.', '_' or '-' (Roslyn throws on others, and a throw in AddSource drops every model of the compilation);
    /// otherwise the other characters become '_' and a hash of the full name keeps the name unique.
    /// </summary>
    public static string HintName(string fullName)
    {
        var text = new StringBuilder(fullName.Length + 16);
        var changed = false;
        foreach (var c in fullName)
        {
            var ok = c is '.' or '_' or '-' || (c < 128 ? char.IsLetterOrDigit(c) : char.IsLetter(c) || char.IsDigit(c));
            text.Append(ok ? c : '_');
            changed |= !ok;
        }

        if (text.Length == 0)
        {
            text.Append('_');
            changed = true;
        }

        if (changed)
        {
            text.Append('-').Append(Fnv1a(fullName).ToString("x8", System.Globalization.CultureInfo.InvariantCulture));
        }

        return text.Append(".g.cs").ToString();
    }

    /// <summary>A stable 32-bit FNV-1a hash of the UTF-16 code units (string.GetHashCode differs between processes).</summary>
    private static uint Fnv1a(string text)
    {
        var hash = 2166136261u;
        foreach (var c in text)
        {
            hash = unchecked((hash ^ c) * 16777619u);
        }

        return hash;
    }
}
