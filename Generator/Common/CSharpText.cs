using System.Globalization;
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
        switch (Escaping(line, 0, line.Length))
        {
            case Needs.Nothing:
                return newline ? "\"" + line + "\\n\"" : "\"" + line + "\"";
            case Needs.QuotesAndBackslashes:
                return AppendEscaped(new TextBuffer(), line, 0, line.Length, newline).ToString();
            default:
                return RoslynLiteral(line, newline);
        }
    }

    /// <summary><see cref="LineLiteral"/> written straight into a builder (the generated file's), without a string of its own.</summary>
    public static TextBuffer AppendLineLiteral(TextBuffer builder, string line, bool newline) =>
        AppendLineLiteral(builder, line, 0, line.Length, newline);

    /// <summary>The literal of <paramref name="length"/> characters of <paramref name="text"/> from <paramref name="start"/> (a part of a template), into a builder.</summary>
    public static TextBuffer AppendLineLiteral(TextBuffer builder, string text, int start, int length, bool newline) => Escaping(text, start, length) switch
    {
        Needs.Nothing => builder.Append('"').Append(text, start, length).Append(newline ? "\\n\"" : "\""),
        Needs.QuotesAndBackslashes => AppendEscaped(builder, text, start, length, newline),
        _ => builder.Append(RoslynLiteral(start == 0 && length == text.Length ? text : text.Substring(start, length), newline)),
    };

    /// <summary>The literal as Roslyn writes it, for the text with anything beyond quotes and backslashes to escape.</summary>
    private static string RoslynLiteral(string line, bool newline) => SymbolDisplay.FormatLiteral(newline ? line + "\n" : line, quote: true);

    /// <summary>The literal of a text whose only characters to escape are quotes and backslashes.</summary>
    private static TextBuffer AppendEscaped(TextBuffer builder, string text, int start, int length, bool newline)
    {
        builder.Append('"');
        var from = start;
        var end = start + length;
        for (var i = start; i < end; i++)
        {
            if (text[i] is '"' or '\\')
            {
                builder.Append(text, from, i - from).Append('\\');
                from = i;
            }
        }

        builder.Append(text, from, end - from);
        return newline ? builder.Append("\\n\"") : builder.Append('"');
    }

    private enum Needs
    {
        Nothing,
        QuotesAndBackslashes,
        Roslyn,
    }

    /// <summary>What FormatLiteral would write other than as itself: nothing, only quotes and backslashes (as <c>\"</c>, <c>\\</c>), or more.</summary>
    private static Needs Escaping(string text, int start, int length)
    {
        var needs = Needs.Nothing;
        for (var i = start; i < start + length; i++)
        {
            var ch = text[i];
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
