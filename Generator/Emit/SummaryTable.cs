using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Dsl.Generator.Graph;
using Dsl.Generator.Parsing;

namespace Dsl.Generator.Emit;

/// <summary>A torchinfo-like table (layer, kind, output shape, parameters), computed at compile time.</summary>
public static class SummaryTable
{
    public static List<string> Lines(string modelName, PlannedBody body)
    {
        var rows = new List<string[]>();
        AddRows(rows, body, "", new HashSet<BlockSpecialisation>());
        var header = new[] { "Layer", "Kind", "Output shape", "Params" };
        var widths = Enumerable.Range(0, 4).Select(c => rows.Select(r => r[c].Length).Concat(new[] { header[c].Length }).Max()).ToArray();
        string Format(string[] row) =>
            $"{row[0].PadRight(widths[0])}  {row[1].PadRight(widths[1])}  {row[2].PadRight(widths[2])}  {row[3].PadLeft(widths[3])}".TrimEnd();

        var lines = new List<string>
        {
            $"{modelName}: {body.Input.Describe()} -> {body.Output.Describe()}",
            Format(header),
            new string('-', widths.Sum() + 6),
        };
        lines.AddRange(rows.Select(Format));
        lines.Add(new string('-', widths.Sum() + 6));
        lines.Add($"Total parameters: {ParameterText(body)}");
        return lines;
    }

    /// <summary>The parameter total, with the user modules whose parameters are known only at run time.</summary>
    public static string ParameterText(PlannedBody body) =>
        body.UnknownParameterLayers == 0
            ? Count(body.Parameters)
            : $"{Count(body.Parameters)} + unknown (in {body.UnknownParameterLayers} user module{(body.UnknownParameterLayers == 1 ? "" : "s")})";

    /// <summary>Adds a row per layer; a block's inner rows are listed the first time its specialisation appears only.</summary>
    private static void AddRows(List<string[]> rows, PlannedBody body, string indent, HashSet<BlockSpecialisation> expanded)
    {
        foreach (var layer in body.Layers)
        {
            if (layer.IsBlockUse)
            {
                for (var r = 0; r < layer.Blocks.Count; r++)
                {
                    var block = layer.Blocks[r];
                    var name = layer.Blocks.Count > 1 ? $"{layer.Name}.{r}" : layer.Name;
                    rows.Add(new[] { indent + name, block.BlockName, block.Body.Output.Describe(), ParameterText(block.Body) });
                    if (expanded.Add(block))
                    {
                        AddRows(rows, block.Body, indent + "  ", expanded);
                    }
                }
            }
            else
            {
                rows.Add(new[] { indent + layer.Name, layer.KindName, layer.Output.Describe(), layer.Result!.ParametersKnown ? Count(layer.OwnParameters) : "?" });
            }

            foreach (var merge in layer.Merges)
            {
                var kind = merge.Mode == MergeMode.Concat ? "Skip (Concat)" : merge.Projection is null ? "Skip (Add)" : "Skip (Add, projected)";
                rows.Add(new[] { $"{indent}{layer.Name} += {merge.From}", kind, merge.Result.Describe(), Count(merge.Projection?.Parameters ?? 0) });
            }
        }
    }

    public static string Count(long value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
