using System.Collections.Generic;
using System.Text;

namespace Dsl.Generator.Common;

/// <summary>
/// A block body's text (ONNX names, diagram lines, summary cells) written once for all its uses, with a stand-in for
/// each part that differs between uses: the use's state_dict prefix (<c>stage1.0.</c>) and the name of its input. The
/// block's class gets a method that takes both (<c>p</c>, <c>input</c>); the model calls it for each use. The stand-ins
/// are control characters, which no layer name or shape text contains.
/// </summary>
public static class BodyTemplate
{
    /// <summary>Stands for the use's state_dict prefix, written <c>p</c>.</summary>
    public const string Prefix = "\u0001";

    /// <summary>Stands for the name of the use's input, written <c>input</c>.</summary>
    public const string Input = "\u0002";

    /// <summary>Whether the text has a stand-in.</summary>
    public static bool IsTemplate(string text) => text.IndexOf(Prefix[0]) >= 0 || text.IndexOf(Input[0]) >= 0;

    /// <summary>
    /// The text as a C# expression: literals joined by <c>+</c> with <c>p</c> and <c>input</c> where the stand-ins are,
    /// and <c>\n</c> at its end when <paramref name="newline"/> (a diagram's line), which keeps its literal plain.
    /// </summary>
    public static string Expression(string text, bool newline = false)
    {
        if (!IsTemplate(text))
        {
            return CSharpText.LineLiteral(text, newline);
        }

        var parts = new List<string>();
        var literal = new StringBuilder();
        foreach (var ch in text)
        {
            if (ch == Prefix[0] || ch == Input[0])
            {
                if (literal.Length > 0)
                {
                    parts.Add(CSharpText.Literal(literal.ToString()));
                    literal.Clear();
                }

                parts.Add(ch == Prefix[0] ? "p" : "input");
            }
            else
            {
                literal.Append(ch);
            }
        }

        if (literal.Length > 0 || newline)
        {
            parts.Add(CSharpText.LineLiteral(literal.ToString(), newline));
        }

        return string.Join(" + ", parts);
    }

    /// <summary>The text of one use: the stand-ins replaced by its prefix and its input's name.</summary>
    public static string Substitute(string text, string prefix, string input) =>
        IsTemplate(text) ? text.Replace(Prefix, prefix).Replace(Input, input) : text;

    /// <summary>The length of <see cref="Substitute"/>'s result, without building it.</summary>
    public static int Length(string text, string prefix, string input)
    {
        var length = text.Length;
        foreach (var ch in text)
        {
            length += ch == Prefix[0] ? prefix.Length - 1 : ch == Input[0] ? input.Length - 1 : 0;
        }

        return length;
    }
}
