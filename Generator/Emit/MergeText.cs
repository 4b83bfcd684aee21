using System.Collections.Generic;
using System.Linq;
using Dsl.Generator.Graph;
using Dsl.Generator.Parsing;

namespace Dsl.Generator.Emit;

/// <summary>
/// How a merge (a skip ending at a layer) reads, in ONE place for every emitter that shows it: the summary's rows and
/// the diagram's skip edges. A new merge mode adds its words here.
/// </summary>
public static class MergeText
{
    /// <summary>The merge's kind: <c>Add</c>, <c>Add, projected</c>, <c>Add, ×α (ReZero), DropPath 0.1</c>, <c>Concat, cropped</c>, <c>Multiply</c>, <c>Highway</c>.</summary>
    public static string MergeKind(PlannedMerge merge)
    {
        var parts = new List<string> { merge.Mode.ToString() };
        if (merge.Projection is not null)
        {
            parts.Add("projected");
        }

        if (merge.Scale == MergeScale.Scalar)
        {
            parts.Add("×α (ReZero)");
        }
        else if (merge.Scale == MergeScale.PerChannel)
        {
            parts.Add("×γ (LayerScale)");
        }

        if (merge.DropPathFromUse)
        {
            parts.Add("DropPath (from the Use)");
        }
        else if (merge.DropPath > 0)
        {
            parts.Add("DropPath " + merge.DropPath.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture));
        }

        if (merge.Aligned.Count > 0)
        {
            parts.Add(merge.AlignPads ? "padded" : "cropped");
        }

        return string.Join(", ", parts);
    }

    /// <summary>What Align does to a side, for the generated code's shape comments (C# and Python alike).</summary>
    public static string AlignVerb(PlannedMerge merge) => merge.AlignPads ? "zero-padded (centred)" : "centre-cropped";

    /// <summary>
    /// The merge as an expression of its two operands (already display names): <c>bn2 + stem</c>,
    /// <c>bn2 + proj(input)</c>, <c>input + α·drop(fc2)</c>, <c>gate ⊙ bn2</c>, <c>T⊙h + (1−T)⊙input</c>, and for a Concat
    /// <c>cat(up2, crop(enc2))</c>: <paramref name="to"/>'s output first, then <paramref name="from"/>'s, along the channels.
    /// </summary>
    public static string MergeExpression(PlannedMerge merge, string to, string from)
    {
        var align = merge.AlignPads ? "pad" : "crop";
        var carry = merge.Aligned.Any(a => a.ChangesFrom) ? $"{align}({from})" : from;
        carry = merge.Projection is null ? carry : $"proj({carry})";
        var branch = merge.Aligned.Any(a => a.ChangesTo) ? $"{align}({to})" : to;
        if (merge.HasDropPath)
        {
            branch = $"drop({branch})";
        }

        return merge.Mode switch
        {
            MergeMode.Concat => $"cat({branch}, {carry})",
            MergeMode.Multiply => $"{branch} ⊙ {carry}",
            MergeMode.Highway => $"T⊙{branch} + (1−T)⊙{carry}",
            _ => merge.Scale switch
            {
                MergeScale.Scalar => $"{carry} + α·{branch}",
                MergeScale.PerChannel => $"{carry} + γ⊙{branch}",
                _ => $"{branch} + {carry}",
            },
        };
    }
}
