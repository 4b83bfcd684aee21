using ScottPlot;
using ScottPlot.TickGenerators;

namespace Dsl.Runtime.Reporting.Plots;

/// <summary>A plot with nothing to show: no ticks or grid (ScottPlot's default −10…10 axes would suggest data), and a note.</summary>
internal static class EmptyPlot
{
    public static void Show(Plot plot, string note)
    {
        plot.Axes.Bottom.TickGenerator = new EmptyTickGenerator();
        plot.Axes.Left.TickGenerator = new EmptyTickGenerator();
        plot.HideGrid();
        if (note.Length > 0)
            EmbeddedFont.AddNote(plot, note, Alignment.MiddleCenter);
    }
}
