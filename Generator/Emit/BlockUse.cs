using Dsl.Generator.Common;
using Dsl.Generator.Graph;

namespace Dsl.Generator.Emit;

/// <summary>
/// In a model's text composed from its blocks' parts: one use of a block, whose class's part is called with the use's
/// state_dict prefix (<c>stage1.0.</c>) and the name of what feeds it.
/// </summary>
public sealed class BlockUse
{
    public BlockUse(BlockSpecialisation block, string prefix, string input)
    {
        Block = block;
        Prefix = prefix;
        Input = input;
    }

    public BlockSpecialisation Block { get; }

    public string Prefix { get; }

    public string Input { get; }

    /// <summary>The C# call of the block class's part <paramref name="method"/>, with the arguments that come before the use's.</summary>
    public string Call(string method, string arguments) =>
        $"{Block.ClassName}.{method}({arguments}, {CSharpText.Literal(Prefix)}, {CSharpText.Literal(Input)});";
}
