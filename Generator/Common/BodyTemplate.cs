
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
    public static string Expression(string text, bool newline = false) =>
        IsTemplate(text) ? AppendExpression(new TextBuffer(), text, newline).ToString() : CSharpText.LineLiteral(text, newline);

    /// <summary><see cref="Expression"/> written straight into a builder (the generated file's), without strings of its own.</summary>
    public static TextBuffer AppendExpression(TextBuffer builder, string text, bool newline = false)
    {
        var start = 0;
        var first = true;
        for (var i = 0; i <= text.Length; i++)
        {
            var end = i == text.Length;
            if (!end && text[i] != Prefix[0] && text[i] != Input[0])
            {
                continue;
            }

            // The literal before this stand-in (or the text's end); at the end, also an empty one for a plain text or a newline.
            if (i > start || end && (first || newline))
            {
                CSharpText.AppendLineLiteral(first ? builder : builder.Append(" + "), text, start, i - start, newline && end);
                first = false;
            }

            if (!end)
            {
                (first ? builder : builder.Append(" + ")).Append(text[i] == Prefix[0] ? "p" : "input");
                first = false;
            }

            start = i + 1;
        }

        return builder;
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
