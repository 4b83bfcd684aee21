using System.Collections.Generic;
using System.Linq;

namespace Dsl.Generator.Emit;

/// <summary>
/// Collects the statements of a forward pass with the tensors each one defines and uses, then writes them with a
/// <c>Dispose()</c> after each intermediate tensor's last use, so inference does not leak native memory.
/// The caller's input and the returned tensor are never disposed.
/// </summary>
public sealed class ForwardWriter
{
    private readonly List<Statement> _statements = new();

    public void Add(string? defines, string code, string? comment, params string[] uses) =>
        _statements.Add(new Statement(defines is null ? System.Array.Empty<string>() : new[] { defines }, code, comment, uses));

    public void WriteTo(CodeWriter writer, string input, string result)
    {
        var lastUse = new Dictionary<string, int>();
        for (var i = 0; i < _statements.Count; i++)
        {
            foreach (var defined in _statements[i].Defines)
            {
                lastUse[defined] = i;
            }

            foreach (var used in _statements[i].Uses)
            {
                lastUse[used] = i;
            }
        }

        // Each tensor dies after the statement that uses it last (grouped once: a forward pass has hundreds of them).
        var deadAfter = new List<string>?[_statements.Count];
        foreach (var pair in lastUse)
        {
            if (pair.Key != input && pair.Key != result)
            {
                (deadAfter[pair.Value] ??= new List<string>()).Add(pair.Key);
            }
        }

        // Shape comments line up in one column, unless a long statement would push them far right.
        const int MaxColumn = 72;
        var width = _statements.Select(s => s.Code.Length).Where(l => l <= MaxColumn).DefaultIfEmpty(0).Max() + 2;
        for (var i = 0; i < _statements.Count; i++)
        {
            // Written in parts straight into the file: a forward pass is a third of the generated code.
            var statement = _statements[i];
            if (statement.Comment is null)
            {
                writer.Line(statement.Code);
            }
            else
            {
                writer.StartLine().Append(statement.Code)
                    .Append(' ', statement.Code.Length < width ? width - statement.Code.Length : 2).Append("// ").Append(statement.Comment).Append('\n');
            }

            if (deadAfter[i] is { } dead)
            {
                dead.Sort(System.StringComparer.Ordinal);
                var line = writer.StartLine();
                for (var d = 0; d < dead.Count; d++)
                {
                    (d == 0 ? line : line.Append(' ')).Append(dead[d]).Append(".Dispose();");
                }

                line.Append('\n');
            }
        }

        writer.Line("return " + result + ";");
    }

    private sealed class Statement
    {
        public Statement(string[] defines, string code, string? comment, string[] uses)
        {
            Defines = defines;
            Code = code;
            Comment = comment;
            Uses = uses;
        }

        public string[] Defines { get; }

        public string Code { get; }

        public string? Comment { get; }

        public string[] Uses { get; }
    }
}
