using System.Globalization;
using Microsoft.CodeAnalysis.CSharp;

namespace Dsl.Generator.Common;

/// <summary>C# string literals in the generated code, written as Roslyn's <c>SymbolDisplay.FormatLiteral</c> writes them.</summary>
public static class CSharpText
{
    /// <summary>A C# regular string literal of the text (quotes, backslashes and control characters escaped).</summary>
    public static string Literal(string text) =>
        NeedsEscaping(text) ? SymbolDisplay.FormatLiteral(text, quote: true) : "\"" + text + "\"";

    /// <summary>
    /// The literal of one line of a multi-line text, with <c>\n</c> appended when it is not the last. The generated
    /// summaries, diagrams and sources are millions of such characters, nearly all plain: those skip Roslyn's
    /// per-character escaping (docs/benchmarks.md#the-generators-cost).
    /// </summary>
    public static string LineLiteral(string line, bool newline)
    {
        if (NeedsEscaping(line))
        {
            return SymbolDisplay.FormatLiteral(newline ? line + "\n" : line, quote: true);
        }

        return newline ? "\"" + line + "\\n\"" : "\"" + line + "\"";
    }

    /// <summary>Whether FormatLiteral would write any character of the text other than as itself.</summary>
    private static bool NeedsEscaping(string text)
    {
        foreach (var ch in text)
        {
            if (ch < ' ' || ch == '"' || ch == '\\')
            {
                return true;
            }

            if (ch >= '\u007f' && char.GetUnicodeCategory(ch) is UnicodeCategory.Control or UnicodeCategory.OtherNotAssigned
                    or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator or UnicodeCategory.Surrogate)
            {
                return true;
            }
        }

        return false;
    }
}
