using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using ScottPlot;
using ScottPlot.TickGenerators;

namespace Dsl.Runtime.Reporting.Plots;

/// <summary>
/// Gradient norm (log scale) against layer index, one line per snapshot: vanishing gradients show as a slope down toward the input.
/// </summary>
internal static class GradientFlowPlot
{
    /// <summary>How many recorded steps are drawn, evenly spaced across the run.</summary>
    public const int Snapshots = 5;

    // Layer names label the x axis while they stay legible; past this, plain indices.
    private const int MostNamedLayers = 40;

    // Characters of a layer name shown under its tick; longer names keep their end.
    private const int LongestLayerName = 24;

    public static byte[] Render(string modelName, IReadOnlyList<GradientNormSample> samples, int width, int height)
    {
        using var plot = new Plot();
        EmbeddedFont.Apply(plot);
        plot.Title($"Gradient flow: {modelName}");
        plot.XLabel("layer (input → output)");
        plot.YLabel("gradient L2 norm (log scale)");

        IReadOnlyList<long> steps = PickSteps(samples.Select(sample => sample.Step).Distinct().Order().ToList(), Snapshots);
        if (steps.Count == 0)
        {
            EmptyPlot.Show(plot, "No gradient norms were recorded.");
            return plot.GetImageBytes(width, height, ImageFormat.Png);
        }

        var colors = new ScottPlot.Colormaps.Viridis();
        int notDrawn = 0;
        var drawn = new List<double>();
        for (int i = 0; i < steps.Count; i++)
        {
            List<GradientNormSample> snapshot = samples.Where(sample => sample.Step == steps[i]).OrderBy(sample => sample.LayerIndex).ToList();
            // log10 of zero or of a non-finite norm has no place on the axis: count those and say so on the plot.
            List<GradientNormSample> drawable = snapshot.Where(sample => sample.Norm > 0 && double.IsFinite(sample.Norm)).ToList();
            notDrawn += snapshot.Count - drawable.Count;
            if (drawable.Count == 0)
                continue;
            double[] xs = drawable.Select(sample => (double)sample.LayerIndex).ToArray();
            double[] ys = drawable.Select(sample => Math.Log10(sample.Norm)).ToArray();
            drawn.AddRange(ys);
            // Early steps light, late steps dark (Viridis' yellow end is too pale on white, so stop short of it).
            double position = steps.Count == 1 ? 0 : (double)i / (steps.Count - 1);
            var line = plot.Add.Scatter(xs, ys, colors.GetColor(0.85 * (1 - position)));
            line.LegendText = $"step {steps[i].ToString(CultureInfo.InvariantCulture)}";
            line.LineWidth = 2;
            line.MarkerSize = 6;
        }

        if (drawn.Count > 0)
            LogScale.Apply(plot, plot.Axes.Left, drawn.Min(), drawn.Max());
        if (notDrawn > 0)
            EmbeddedFont.AddNote(plot, $"{notDrawn} zero or non-finite norms are not drawn.", Alignment.UpperLeft);
        LabelLayers(plot, samples);
        plot.ShowLegend(Edge.Right);
        return plot.GetImageBytes(width, height, ImageFormat.Png);
    }

    /// <summary>At most <paramref name="count"/> steps, evenly spaced from the first recorded to the last.</summary>
    public static IReadOnlyList<long> PickSteps(IReadOnlyList<long> sortedSteps, int count)
    {
        if (sortedSteps.Count <= count)
            return sortedSteps;
        return Enumerable.Range(0, count)
            .Select(i => sortedSteps[(int)Math.Round((double)i * (sortedSteps.Count - 1) / (count - 1))])
            .Distinct()
            .ToList();
    }

    private static void LabelLayers(Plot plot, IReadOnlyList<GradientNormSample> samples)
    {
        Dictionary<int, string> names = samples
            .GroupBy(sample => sample.LayerIndex)
            .ToDictionary(group => group.Key, group => Shorten(group.First().Layer));
        if (names.Count > MostNamedLayers)
        {
            plot.Axes.Bottom.TickGenerator = new NumericAutomatic { IntegerTicksOnly = true };
            return;
        }
        var ticks = new NumericManual();
        foreach ((int index, string name) in names.OrderBy(pair => pair.Key))
            ticks.AddMajor(index, name);
        plot.Axes.Bottom.TickGenerator = ticks;

        // Slanted names starting at their tick (down and to the right, away from the y axis). ScottPlot sizes the
        // axis for level labels, so make room for the slanted ones and for the axis title below them.
        LabelStyle style = plot.Axes.Bottom.TickLabelStyle;
        style.Rotation = 45;
        style.Alignment = Alignment.MiddleLeft;
        float longest = names.Values.Max(name => EmbeddedFont.MeasureWidth(name, style.FontSize));
        float slantedHeight = (longest + style.FontSize) * MathF.Sqrt(0.5f);
        plot.Axes.Bottom.MinimumSize = slantedHeight + plot.Axes.Bottom.Label.FontSize * 2 + 10;
    }

    // The end of a module path is what tells layers apart: keep it.
    private static string Shorten(string layer) =>
        layer.Length <= LongestLayerName ? layer : "…" + layer[^(LongestLayerName - 1)..];
}
