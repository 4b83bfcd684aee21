using System.Globalization;
using System.Text;
using Microsoft.CodeAnalysis.CSharp;

namespace Dsl.Generator.Common;

/// <summary>C# string literals in the generated code, written as Roslyn's <c>SymbolDisplay.FormatLiteral</c> writes them.</summary>
public static class CSharpText
{
    /// <summary>A C# regular string literal of the text (quotes, backslashes and control characters escaped).</summary>
    public static string Literal(string text) => LineLiteral(text, newline: false);

    /// <summary>
    /// The literal of one line of a multi-line text, with <c>\n</c> appended when it is not the last. The generated
    /// summaries, diagrams and sources are millions of such characters, nearly all plain or with only quotes and
    /// backslashes (a diagram's lines): those skip Roslyn's per-character escaping (docs/benchmarks.md#the-generators-cost).
    /// </summary>
    public static string LineLiteral(string line, bool newline)
    {
        switch (Escaping(line))
        {
            case Needs.Nothing:
                return newline ? "\"" + line + "\\n\"" : "\"" + line + "\"";
            case Needs.QuotesAndBackslashes:
                var sb = new StringBuilder(line.Length + 16).Append('"');
                foreach (var ch in line)
                {
                    if (ch is '"' or '\\')
                    {
                        sb.Append('\\');
                    }

                    sb.Append(ch);
                }

                return (newline ? sb.Append("\\n\"") : sb.Append('"')).ToString();
            default:
                return SymbolDisplay.FormatLiteral(newline ? line + "\n" : line, quote: true);
        }
    }

    private enum Needs
    {
        Nothing,
        QuotesAndBackslashes,
        Roslyn,
    }

    /// <summary>What FormatLiteral would write other than as itself: nothing, only quotes and backslashes (as <c>\"</c>, <c>\\</c>), or more.</summary>
    private static Needs Escaping(string text)
    {
        var needs = Needs.Nothing;
        foreach (var ch in text)
        {
            if (ch < ' ')
            {
                return Needs.Roslyn;
            }

            if (ch is '"' or '\\')
            {
                needs = Needs.QuotesAndBackslashes;
            }
            else if (ch >= '\u007f' && char.GetUnicodeCategory(ch) is UnicodeCategory.Control or UnicodeCategory.OtherNotAssigned
                    or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator or UnicodeCategory.Surrogate)
            {
                return Needs.Roslyn;
            }
        }

        return needs;
    }
}
