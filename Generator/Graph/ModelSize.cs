using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using Dsl.Generator.Common;
using Dsl.Generator.Diagnostics;
using Dsl.Generator.Layers;
using Dsl.Generator.Parsing;

namespace Dsl.Generator.Graph;

/// <summary>
/// The bounds on a model's size, checked before anything is expanded, in time linear in its declaration (each block
/// is counted once): at most <see cref="BodyStructure.MaxExpandedLayers"/> layers with every block expanded (DSL027),
/// and blocks nested at most <see cref="BodyPlanner.MaxBlockDepth"/> deep (DSL028). Both are reported on the model's
/// own [Use] that leads past the bound (the [Model] when no [Use] does).
/// </summary>
public static class ModelSize
{
    public static void Check(ModelDeclaration model, IReadOnlyDictionary<string, BlockDefinition> blocks, List<DiagnosticInfo> diagnostics, CancellationToken ct)
    {
        var memo = new Dictionary<string, (long Layers, int Depth, string Chain)>();
        long total = 0;
        foreach (var layer in model.Body.Layers)
        {
            ct.ThrowIfCancellationRequested();
            if (!layer.IsBlockUse || layer.BlockTypeName is null || !blocks.TryGetValue(layer.BlockTypeName, out var block))
            {
                total = Add(total, 1);
                continue;
            }

            var (layers, depth, chain) = Measure(block, blocks, memo, new HashSet<string>());
            if (depth > BodyPlanner.MaxBlockDepth)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.BlocksNestedTooDeeply, layer.Location,
                    depth.ToString(CultureInfo.InvariantCulture), block.Name, Abbreviate(chain), BodyPlanner.MaxBlockDepth.ToString(CultureInfo.InvariantCulture)));
                return;
            }

            var before = total;
            total = Add(total, Multiply(Repeat(layer), layers));
            if (total > BodyStructure.MaxExpandedLayers)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ModelTooLarge, layer.Location, model.ClassName, Count(total),
                    BodyStructure.Thousands(BodyStructure.MaxExpandedLayers),
                    $"this [Use<{block.Name}>] adds {Count(total - before)} (Repeat = {Repeat(layer)} × {Count(layers)}); use fewer copies or smaller blocks"));
                return;
            }
        }

        if (total > BodyStructure.MaxExpandedLayers)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ModelTooLarge, model.ModelLocation, model.ClassName, Count(total),
                BodyStructure.Thousands(BodyStructure.MaxExpandedLayers), "declare fewer layers"));
        }
    }

    /// <summary>A block's expanded layer count, its nesting depth (1 for a block without [Use]) and its deepest chain of block names.</summary>
    private static (long Layers, int Depth, string Chain) Measure(BlockDefinition block, IReadOnlyDictionary<string, BlockDefinition> blocks,
        Dictionary<string, (long, int, string)> memo, HashSet<string> path)
    {
        if (memo.TryGetValue(block.FullName, out var known))
        {
            return known;
        }

        if (!path.Add(block.FullName))
        {
            return (1, 1, block.Name); // a cycle: DSL015 reports it; count it as one layer here
        }

        long layers = 0;
        var depth = 1;
        var chain = block.Name;
        foreach (var layer in block.Body.Layers)
        {
            if (!layer.IsBlockUse || layer.BlockTypeName is null || !blocks.TryGetValue(layer.BlockTypeName, out var inner))
            {
                layers = Add(layers, 1);
                continue;
            }

            var (innerLayers, innerDepth, innerChain) = Measure(inner, blocks, memo, path);
            layers = Add(layers, Multiply(Repeat(layer), innerLayers));
            if (innerDepth + 1 > depth)
            {
                depth = innerDepth + 1;
                chain = block.Name + " → " + innerChain;
            }
        }

        path.Remove(block.FullName);
        memo[block.FullName] = (layers, depth, chain);
        return (layers, depth, chain);
    }

    private static long Repeat(LayerDeclaration use) => System.Math.Max(1, new LayerArguments(use).Int("Repeat"));

    private static long Add(long a, long b) => a > long.MaxValue - b ? long.MaxValue : a + b;

    private static long Multiply(long a, long b) => a != 0 && b > long.MaxValue / a ? long.MaxValue : a * b;

    private static string Count(long n) => n == long.MaxValue ? "more than " + BodyStructure.Thousands(long.MaxValue - 1) : BodyStructure.Thousands(n);

    /// <summary>A long chain as its first three and last two names.</summary>
    private static string Abbreviate(string chain)
    {
        var parts = chain.Split(new[] { " → " }, System.StringSplitOptions.None);
        return parts.Length <= 6 ? chain : string.Join(" → ", parts.Take(3)) + " → … → " + string.Join(" → ", parts.Skip(parts.Length - 2));
    }
}
