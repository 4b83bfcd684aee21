using System.Text;

namespace Dsl.Generator.Emit;

/// <summary>A small indented text writer (cheaper and more readable than SyntaxFactory with NormalizeWhitespace).</summary>
public sealed class CodeWriter
{
    private readonly StringBuilder _builder = new();
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
}
