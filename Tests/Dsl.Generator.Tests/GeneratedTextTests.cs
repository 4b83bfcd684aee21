using System;
using System.Linq;
using Dsl.Generator.Common;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace Dsl.Generator.Tests;

/// <summary>
/// The text helpers of the emitters: C# literals written as Roslyn writes them (the fast paths included), and a block
/// body's templates (<see cref="BodyTemplate"/>) as C# expressions and as one use's text.
/// </summary>
public class GeneratedTextTests
{
    [Theory]
    [InlineData("")]
    [InlineData("plain text [N, 16, 28, 28]")]
    [InlineData("\"stage1.0.conv1\" [label=\"conv1\\nConv2d\"];")]
    [InlineData("a \\ backslash and a \" quote")]
    [InlineData("tab\there, newline\nthere, nul\0")]
    [InlineData("T² · 98,624·T — ×3 é")]
    [InlineData("\u2028 line separator, \u0085 next line, \uD83D\uDE00 surrogates, \uFFFF")]
    [InlineData("lone \uD800 surrogate")]
    public void A_literal_is_what_Roslyn_writes(string text)
    {
        Assert.Equal(SymbolDisplay.FormatLiteral(text, quote: true), CSharpText.Literal(text));
        Assert.Equal(SymbolDisplay.FormatLiteral(text + "\n", quote: true), CSharpText.LineLiteral(text, newline: true));
        Assert.Equal(SymbolDisplay.FormatLiteral(text, quote: true), CSharpText.LineLiteral(text, newline: false));
    }

    [Fact]
    public void Random_text_is_written_as_Roslyn_writes_it()
    {
        var random = new Random(7);
        const string alphabet = "ab \"\\\n\t\r\0\u007f\u0085\u00e9\u2028\u2029\uD83D\uDE00\uD800\u00b2\u00d7{}";
        for (var i = 0; i < 2000; i++)
        {
            var text = new string(Enumerable.Range(0, random.Next(12)).Select(_ => alphabet[random.Next(alphabet.Length)]).ToArray());
            Assert.Equal(SymbolDisplay.FormatLiteral(text, quote: true), CSharpText.Literal(text));
            Assert.Equal(SymbolDisplay.FormatLiteral(text + "\n", quote: true), CSharpText.LineLiteral(text, newline: true));
            Assert.Equal(SymbolDisplay.FormatLiteral(text + "\n", quote: true), CSharpText.AppendLineLiteral(new TextBuffer(), text, newline: true).ToString());
            Assert.Equal(SymbolDisplay.FormatLiteral(text, quote: true), CSharpText.AppendLineLiteral(new TextBuffer(), text, newline: false).ToString());
            // A template's literals with the newline at its end are the literals of the text with "\n" appended.
            var template = text + BodyTemplate.Prefix + text + BodyTemplate.Input + text;
            Assert.Equal(BodyTemplate.Expression(template + "\n"), BodyTemplate.Expression(template, newline: true));
            Assert.Equal(BodyTemplate.Expression(text + "\n"), BodyTemplate.Expression(text, newline: true));
        }
    }

    [Fact]
    public void A_random_template_is_an_expression_whose_value_is_each_uses_text()
    {
        // The oracle is C#'s meaning of the expression: parsed by Roslyn, its literals' values and p and input joined.
        var random = new Random(11);
        const string alphabet = "ab \"\\\n\t\0\u0085\u00e9\u2028\uD83D\uDE00\uD800\u0001\u0002";
        for (var i = 0; i < 2000; i++)
        {
            var template = new string(Enumerable.Range(0, random.Next(14)).Select(_ => alphabet[random.Next(alphabet.Length)]).ToArray());
            var newline = random.Next(2) == 0;
            var expected = BodyTemplate.Substitute(template, "stage1.0.", "relu1") + (newline ? "\n" : "");
            Assert.Equal(expected, Value(BodyTemplate.Expression(template, newline), "stage1.0.", "relu1"));
            Assert.Equal("x" + BodyTemplate.Expression(template, newline), BodyTemplate.AppendExpression(new TextBuffer().Append("x"), template, newline).ToString());
        }
    }

    private static string Value(string expression, string p, string input)
    {
        string Of(Microsoft.CodeAnalysis.CSharp.Syntax.ExpressionSyntax e) => e switch
        {
            Microsoft.CodeAnalysis.CSharp.Syntax.BinaryExpressionSyntax b when b.IsKind(SyntaxKind.AddExpression) => Of(b.Left) + Of(b.Right),
            Microsoft.CodeAnalysis.CSharp.Syntax.LiteralExpressionSyntax l when l.IsKind(SyntaxKind.StringLiteralExpression) => l.Token.ValueText,
            Microsoft.CodeAnalysis.CSharp.Syntax.IdentifierNameSyntax { Identifier.ValueText: "p" } => p,
            Microsoft.CodeAnalysis.CSharp.Syntax.IdentifierNameSyntax { Identifier.ValueText: "input" } => input,
            _ => throw new InvalidOperationException("not a template's expression: " + e),
        };
        var parsed = SyntaxFactory.ParseExpression(expression);
        Assert.Empty(parsed.GetDiagnostics());
        Assert.Equal(expression, parsed.ToFullString());
        return Of(parsed);
    }

    [Fact]
    public void A_template_line_is_written_at_the_indentation_between_its_prefix_and_suffix()
    {
        var w = new Emit.CodeWriter();
        w.Open("void Diagram()");
        w.TemplateLine("nodes.Append(", "    \"" + BodyTemplate.Prefix + "conv1\" [label=\"conv1\"];", newline: true, ");");
        w.TemplateLine("edges.Append(", BodyTemplate.Input, newline: false, ");");
        w.Close();
        Assert.Equal("void Diagram()\n{\n    nodes.Append(\"    \\\"\" + p + \"conv1\\\" [label=\\\"conv1\\\"];\\n\");\n    edges.Append(input);\n}\n", w.ToString());
    }

    [Fact]
    public void A_literal_line_is_written_at_the_indentation_between_its_prefix_and_suffix()
    {
        var w = new Emit.CodeWriter();
        w.Open("get");
        w.LiteralLine("s.Append(", "a \"quoted\" \\ line", newline: true, ");");
        w.LiteralLine("    ", "last", newline: false, ";");
        w.Close();
        Assert.Equal("get\n{\n    s.Append(\"a \\\"quoted\\\" \\\\ line\\n\");\n        \"last\";\n}\n", w.ToString());
    }

    [Fact]
    public void A_count_is_grouped_as_N0_writes_it()
    {
        var random = new Random(7);
        var values = new long[] { 0, 1, -1, 999, -999, 1000, -1000, 999_999, 1_000_000, 1_806_336, long.MaxValue, long.MinValue, long.MinValue + 1 }
            .Concat(Enumerable.Range(0, 2000).Select(i => (long)(random.NextDouble() * Math.Pow(10, random.Next(1, 19))) * (i % 2 == 0 ? 1 : -1)));
        foreach (var value in values)
        {
            Assert.Equal(value.ToString("N0", System.Globalization.CultureInfo.InvariantCulture), Emit.SummaryTable.Count(value));
        }
    }

    [Fact]
    public void A_template_is_a_csharp_expression_of_the_prefix_and_the_input()
    {
        var p = BodyTemplate.Prefix;
        var input = BodyTemplate.Input;
        Assert.Equal("\"relu1\"", BodyTemplate.Expression("relu1"));
        Assert.Equal("input", BodyTemplate.Expression(input));
        Assert.Equal("p", BodyTemplate.Expression(p));
        Assert.Equal("p + \"conv1\"", BodyTemplate.Expression(p + "conv1"));
        Assert.Equal("\"  \" + p + \"bn2 + \" + input", BodyTemplate.Expression("  " + p + "bn2 + " + input));
        Assert.Equal("\"\\\"\" + p + \"conv1\\\" -> \\\"\" + input + \"\\\";\\n\"", BodyTemplate.Expression("\"" + p + "conv1\" -> \"" + input + "\";\n"));
    }

    [Fact]
    public void A_template_of_one_use_has_its_prefix_and_input_and_the_length_it_says()
    {
        var template = "  " + BodyTemplate.Prefix + "bn2, " + BodyTemplate.Input;
        Assert.Equal("  stage1.10.bn2, stage1.9.relu2", BodyTemplate.Substitute(template, "stage1.10.", "stage1.9.relu2"));
        Assert.Equal(BodyTemplate.Substitute(template, "stage1.10.", "stage1.9.relu2").Length, BodyTemplate.Length(template, "stage1.10.", "stage1.9.relu2"));
        Assert.Equal("relu1", BodyTemplate.Substitute("relu1", "x.", "y"));
        Assert.False(BodyTemplate.IsTemplate("stage1.0.conv1"));
    }
    [Fact]
    public void A_text_buffer_holds_what_a_string_builder_holds_across_its_pages()
    {
        var random = new Random(5);
        for (var round = 0; round < 40; round++)
        {
            var buffer = new TextBuffer();
            var expected = new System.Text.StringBuilder();
            // Appends of every kind and size, so writes start, end and span page boundaries (4,096 characters).
            while (expected.Length < random.Next(1, 30_000))
            {
                var text = new string((char)('a' + random.Next(26)), random.Next(0, 9_000));
                switch (random.Next(5))
                {
                    case 0: buffer.Append(text[0..Math.Min(1, text.Length)]); expected.Append(text[0..Math.Min(1, text.Length)]); break;
                    case 1: buffer.Append('x', text.Length); expected.Append('x', text.Length); break;
                    case 2: buffer.Append(text); expected.Append(text); break;
                    case 3: var start = random.Next(text.Length + 1); buffer.Append(text, start, text.Length - start); expected.Append(text, start, text.Length - start); break;
                    default: buffer.Append(round * 1000 - 7).Append('\n'); expected.Append(round * 1000 - 7).Append('\n'); break;
                }
            }

            var whole = expected.ToString();
            Assert.Equal(whole.Length, buffer.Length);
            Assert.Equal(whole, buffer.ToString());
            for (var i = 0; i < 200; i++)
            {
                var at = random.Next(whole.Length);
                Assert.Equal(whole[at], buffer[at]);
                var count = random.Next(whole.Length - at + 1);
                var copy = new char[count + 2];
                buffer.CopyTo(at, copy, 1, count);
                Assert.Equal(whole.Substring(at, count), new string(copy, 1, count));
            }

            Assert.Throws<ArgumentOutOfRangeException>(() => buffer[whole.Length]);
            Assert.Throws<ArgumentOutOfRangeException>(() => buffer.CopyTo(whole.Length, new char[2], 0, 1));
            Assert.Equal("reused", buffer.Clear().Append("reused").ToString());
        }
    }

    [Fact]
    public void A_generated_text_is_the_files_text_read_in_place_and_equal_by_content()
    {
        var w = new Emit.CodeWriter();
        w.Open("namespace Demo");
        for (var i = 0; i < 3_000; i++)
        {
            w.LiteralLine($"static class C{i} {{ const string S = ", $"line {i} \"quoted\"", newline: true, "; }");
        }

        w.Close();
        var expected = w.ToString();
        var text = w.ToText();
        Assert.True(text.Length > 3 * 4096);
        Assert.Equal(expected, text.ToString());
        Assert.Equal(System.Text.Encoding.UTF8, text.Encoding);
        Assert.Throws<InvalidOperationException>(() => w.Line("after the end")); // the text is frozen, so it never changes under the compiler

        // The compiler reads it as it reads the same string: the same tree, the same line map.
        var fromText = CSharpSyntaxTree.ParseText(text);
        var fromString = CSharpSyntaxTree.ParseText(expected);
        Assert.Empty(fromText.GetDiagnostics());
        Assert.Equal(fromString.GetRoot().ToFullString(), fromText.GetRoot().ToFullString());
        Assert.Equal(fromString.GetText().Lines.Count, text.Lines.Count);
        Assert.Equal(Convert.ToHexString(Microsoft.CodeAnalysis.Text.SourceText.From(expected, System.Text.Encoding.UTF8).GetChecksum().ToArray()), Convert.ToHexString(text.GetChecksum().ToArray()));

        var same = new Emit.CodeWriter();
        same.Lines(expected.TrimEnd('\n'));
        var other = new Emit.CodeWriter();
        other.Lines(expected.TrimEnd('\n').Replace("line 2999", "line 3000"));
        Assert.Equal(text, same.ToText());
        Assert.Equal(text.GetHashCode(), same.ToText().GetHashCode());
        Assert.NotEqual(text, other.ToText());
    }
}
