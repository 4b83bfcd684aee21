using Dsl.Generator.Graph;
using Dsl.Generator.Parsing;

namespace Dsl.Generator.Emit;

/// <summary>
/// How a merge (a skip ending at a layer) reads, in ONE place for every emitter that shows it: the summary's rows and
/// the diagram's skip edges. A new merge mode adds its words here.
/// </summary>
public static class MergeText
{
    /// <summary>The merge's kind: <c>Add</c>, <c>Add, projected</c>, <c>Concat</c>.</summary>
    public static string MergeKind(PlannedMerge merge) => merge.Mode switch
    {
        MergeMode.Concat => "Concat",
        _ => merge.Projection is null ? "Add" : "Add, projected",
    };

    /// <summary>
    /// The merge as an expression of its two operands (already display names): <c>bn2 + stem</c>,
    /// <c>bn2 + proj(input)</c>, and for a Concat <c>cat(up2, enc2)</c>: <paramref name="to"/>'s output first, then
    /// <paramref name="from"/>'s, along the channels.
    /// </summary>
    public static string MergeExpression(PlannedMerge merge, string to, string from)
    {
        var operand = merge.Projection is null ? from : $"proj({from})";
        return merge.Mode switch
        {
            MergeMode.Concat => $"cat({to}, {operand})",
            _ => $"{to} + {operand}",
        };
    }
}
