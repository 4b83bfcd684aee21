using System;
using System.Collections.Generic;
using Dsl.Runtime.IO;
using Dsl.Runtime.Reporting.Plots;
using Dsl.Runtime.Training;

namespace Dsl.Runtime.Reporting;

/// <summary>
/// Writes a run's reports: the gradient-flow log and plot, the per-epoch history as CSV and JSON, and the training curves.
/// Every write is atomic (a <c>.tmp</c> file renamed over the target) and creates the target's folder if needed.
/// Plots render with a font embedded in Dsl.Runtime, so they need no system fonts; with no data they show an empty plot with a note.
/// </summary>
public static partial class RunReport
{
    /// <summary>Width in pixels of the plots when none is given.</summary>
    public const int DefaultPlotWidth = 1000;

    /// <summary>Height in pixels of the plots when none is given.</summary>
    public const int DefaultPlotHeight = 650;

    /// <summary>
    /// Writes a PNG of gradient norm (log10 axis) against layer index, input to output, with one line for each of about
    /// five recorded steps evenly spaced across the run (legend "step N"). Vanishing gradients show as a slope toward the input.
    /// With no samples the plot is drawn empty with a note; zero or non-finite norms are left out and counted in a note.
    /// </summary>
    public static void WriteGradientFlowPlot(string path, string modelName, IReadOnlyList<GradientNormSample> samples,
        int width = DefaultPlotWidth, int height = DefaultPlotHeight)
    {
        ArgumentNullException.ThrowIfNull(modelName);
        ArgumentNullException.ThrowIfNull(samples);
        CheckSize(width, height);
        AtomicFile.WriteAllBytes(path, GradientFlowPlot.Render(modelName, samples, width, height));
    }

    /// <summary>
    /// Writes a PNG with two stacked plots against epoch: loss (train and validation) and accuracy (train and validation).
    /// Epochs without validation metrics, and non-finite values, are left out; with no epochs the plot is drawn empty with a note.
    /// </summary>
    public static void WriteCurvesPlot(string path, string modelName, IReadOnlyList<EpochMetrics> history,
        int width = DefaultPlotWidth, int height = DefaultPlotHeight)
    {
        ArgumentNullException.ThrowIfNull(modelName);
        ArgumentNullException.ThrowIfNull(history);
        CheckSize(width, height);
        AtomicFile.WriteAllBytes(path, CurvesPlot.Render(modelName, history, width, height));
    }

    private static void CheckSize(int width, int height)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
    }
}
