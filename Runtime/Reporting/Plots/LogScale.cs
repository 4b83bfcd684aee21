using System;
using System.Globalization;
using ScottPlot;
using ScottPlot.TickGenerators;

namespace Dsl.Runtime.Reporting.Plots;

/// <summary>
/// ScottPlot 5 has no logarithmic axis: values are plotted as log10 and this labels the axis with the real values.
/// </summary>
internal static class LogScale
{
    /// <summary>Labels a log10 axis spanning <paramref name="lowest"/> to <paramref name="highest"/> (both log10 values).</summary>
    public static void Apply(Plot plot, IAxis axis, double lowest, double highest)
    {
        var ticks = new NumericAutomatic();
        if (highest - lowest >= 1)
        {
            // Several decades: a labelled tick per decade, minor ticks at 2·10ⁿ … 9·10ⁿ, limits on whole decades.
            ticks.IntegerTicksOnly = true;
            ticks.MinorTickGenerator = new LogMinorTickGenerator();
            ticks.LabelFormatter = exponent => "1e" + Math.Round(exponent).ToString(CultureInfo.InvariantCulture);
            plot.Axes.SetLimitsY(Math.Floor(lowest) - 0.05, Math.Ceiling(highest) + 0.05, (IYAxis)axis);
        }
        else
        {
            // Less than a decade: evenly spaced ticks, labelled with their real value.
            ticks.LabelFormatter = exponent => Math.Pow(10, exponent).ToString("G3", CultureInfo.InvariantCulture);
        }
        axis.TickGenerator = ticks;
    }
}
