using Dsl.Generator.Common;

namespace Dsl.Generator.Emit;

/// <summary>A small indented text writer (cheaper and more readable than SyntaxFactory with NormalizeWhitespace).</summary>
public sealed class CodeWriter
{
    private readonly TextBuffer _builder = new();
    private int _indent;

    public CodeWriter Line(string text = "")
    {
        if (text.Length > 0)
        {
            _builder.Append(' ', _indent * 4).Append(text);
        }

        _builder.Append('\n');
        return this;
    }

    /// <summary>
    /// A line made of <paramref name="prefix"/>, the C# literal of <paramref name="text"/> (<c>\n</c> appended when
    /// <paramref name="newline"/>) and <paramref name="suffix"/>, the literal written straight into the file: the
    /// summaries, diagrams and sources are millions of such characters, and each would otherwise be copied twice more.
    /// </summary>
    public CodeWriter LiteralLine(string prefix, string text, bool newline, string suffix)
    {
        _builder.Append(' ', _indent * 4).Append(prefix);
        CSharpText.AppendLineLiteral(_builder, text, newline).Append(suffix).Append('\n');
        return this;
    }

    /// <summary>
    /// A line made of <paramref name="prefix"/>, the C# expression of a <see cref="BodyTemplate"/> (a block's diagram
    /// line, ONNX name or summary cell) and <paramref name="suffix"/>, written straight into the file like <see cref="LiteralLine"/>.
    /// </summary>
    public CodeWriter TemplateLine(string prefix, string template, bool newline, string suffix)
    {
        _builder.Append(' ', _indent * 4).Append(prefix);
        BodyTemplate.AppendExpression(_builder, template, newline).Append(suffix).Append('\n');
        return this;
    }

    /// <summary>Starts a line at the current indentation and returns the file's builder, for a line written in parts; the caller ends it with <c>'\n'</c>.</summary>
    public TextBuffer StartLine() => _builder.Append(' ', _indent * 4);

    /// <summary>Writes text that may span several lines, each at the current indentation.</summary>
    public CodeWriter Lines(string text)
    {
        foreach (var line in text.Split('\n'))
        {
            Line(line);
        }

        return this;
    }

    public CodeWriter Open(string header)
    {
        Line(header);
        Line("{");
        _indent++;
        return this;
    }

    public CodeWriter Close(string suffix = "")
    {
        _indent--;
        Line("}" + suffix);
        return this;
    }

    public override string ToString() => _builder.ToString();

    /// <summary>The text written, without a copy: nothing may be written after (see <see cref="GeneratedText"/>).</summary>
    public GeneratedText ToText() => new(_builder);
}
