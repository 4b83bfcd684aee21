using System;
using System.Collections.Generic;
using System.Linq;
using Dsl.Runtime.Training;
using ScottPlot;
using ScottPlot.TickGenerators;

namespace Dsl.Runtime.Reporting.Plots;

/// <summary>Loss (top) and accuracy (bottom) against epoch, train and validation, in one image.</summary>
internal static class CurvesPlot
{
    private static readonly Color TrainColor = Colors.Blue;
    private static readonly Color TestColor = Colors.OrangeRed;

    public static byte[] Render(string modelName, IReadOnlyList<EpochMetrics> history, int width, int height)
    {
        var figure = new Multiplot();
        figure.AddPlots(2);
        Plot loss = figure.GetPlot(0);
        Plot accuracy = figure.GetPlot(1);
        try
        {
            Style(loss, "loss");
            Style(accuracy, "accuracy");
            loss.Title($"Training curves: {modelName}");
            accuracy.XLabel("epoch");

            if (history.Count == 0)
            {
                EmptyPlot.Show(loss, "No epochs were recorded.");
                EmptyPlot.Show(accuracy, "");
            }
            else
            {
                AddCurve(loss, "train", history, epoch => epoch.TrainLoss, TrainColor);
                AddCurve(loss, "validation", history, epoch => epoch.ValidationLoss, TestColor);
                AddCurve(accuracy, "train", history, epoch => epoch.TrainAccuracy, TrainColor);
                AddCurve(accuracy, "validation", history, epoch => epoch.ValidationAccuracy, TestColor);
                loss.ShowLegend(Alignment.UpperRight);
                accuracy.ShowLegend(Alignment.LowerRight);
            }

            using Image image = figure.Render(width, height);
            return image.GetImageBytes(ImageFormat.Png);
        }
        finally
        {
            loss.Dispose();
            accuracy.Dispose();
        }
    }

    private static void Style(Plot plot, string yLabel)
    {
        EmbeddedFont.Apply(plot);
        plot.YLabel(yLabel);
        plot.Axes.Bottom.TickGenerator = new NumericAutomatic { IntegerTicksOnly = true };
    }

    // Missing (not evaluated) and non-finite (diverged) values are left out rather than breaking the axis limits.
    private static void AddCurve(Plot plot, string label, IReadOnlyList<EpochMetrics> history, Func<EpochMetrics, double?> value, Color color)
    {
        List<(double Epoch, double Value)> points = history
            .Select(epoch => (Epoch: (double)epoch.Epoch, Value: value(epoch)))
            .Where(point => point.Value is { } v && double.IsFinite(v))
            .Select(point => (point.Epoch, point.Value!.Value))
            .ToList();
        if (points.Count == 0)
            return;
        var line = plot.Add.Scatter(points.Select(p => p.Epoch).ToArray(), points.Select(p => p.Value).ToArray(), color);
        line.LegendText = label;
        line.LineWidth = 2;
        line.MarkerSize = 6;
    }
}
