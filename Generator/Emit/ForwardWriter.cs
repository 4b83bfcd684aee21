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
        _statements.Add(new Statement(defines is null ? new string[0] : new[] { defines }, code, comment, uses));

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

        // Shape comments line up in one column, unless a long statement would push them far right.
        const int MaxColumn = 72;
        var width = _statements.Select(s => s.Code.Length).Where(l => l <= MaxColumn).DefaultIfEmpty(0).Max() + 2;
        for (var i = 0; i < _statements.Count; i++)
        {
            var statement = _statements[i];
            writer.Line(statement.Comment is null
                ? statement.Code
                : statement.Code.Length < width ? statement.Code.PadRight(width) + "// " + statement.Comment : statement.Code + "  // " + statement.Comment);
            var dead = lastUse.Where(p => p.Value == i && p.Key != input && p.Key != result).Select(p => p.Key)
                .OrderBy(name => name, System.StringComparer.Ordinal).ToList();
            if (dead.Count > 0)
            {
                writer.Line(string.Concat(dead.Select(name => name + ".Dispose(); ")).TrimEnd());
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
