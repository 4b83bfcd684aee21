using System;
using System.Collections.Generic;
using System.Linq;
using Dsl.Runtime.Experiments;
using ScottPlot;
using SkiaSharp;

namespace Dsl.Runtime.Reporting.Plots;

/// <summary>Draws the experiments' <see cref="LineChart"/>s and <see cref="ImageGrid"/>s as PNG, in the embedded font.</summary>
internal static class ChartRenderer
{
    private static readonly Color[] Palette =
    {
        Colors.Blue, Colors.OrangeRed, Colors.Green, Colors.Purple, Colors.DarkGoldenRod, Colors.Teal, Colors.Black, Colors.Magenta, Colors.Brown,
    };

    public static byte[] Render(LineChart chart, int width = 900, int height = 520)
    {
        using var plot = new Plot();
        EmbeddedFont.Apply(plot);
        plot.Title(chart.Title);
        plot.XLabel(chart.XLabel);
        plot.YLabel(chart.YLabel);
        var drawn = new List<double>();
        int skipped = 0;
        for (int s = 0; s < chart.Series.Count; s++)
        {
            ChartSeries series = chart.Series[s];
            Color color = Palette[s % Palette.Length];
            var points = Points(series.X, series.Y, chart.LogY, ref skipped);
            if (points.Count == 0)
                continue;
            if (series.Lower is { } lower && series.Upper is { } upper)
            {
                int ignored = 0;
                var low = Points(series.X, lower, chart.LogY, ref ignored);
                var high = Points(series.X, upper, chart.LogY, ref ignored);
                if (low.Count == high.Count && low.Count > 1)
                {
                    var polygon = plot.Add.Polygon(low.Concat(Enumerable.Reverse(high)).Select(p => new Coordinates(p.X, p.Y)).ToArray());
                    polygon.FillColor = color.WithAlpha(0.18);
                    polygon.LineWidth = 0;
                }
            }
            var line = plot.Add.ScatterLine(points.Select(p => p.X).ToArray(), points.Select(p => p.Y).ToArray(), color);
            line.LegendText = series.Name;
            line.LineWidth = 2;
            if (series.Dashed)
                line.LinePattern = LinePattern.Dashed;
            drawn.AddRange(points.Select(p => p.Y));
        }

        if (drawn.Count == 0)
            EmptyPlot.Show(plot, "Nothing to draw.");
        else if (chart.LogY)
            LogScale.Apply(plot, plot.Axes.Left, drawn.Min(), drawn.Max());
        if (skipped > 0)
            EmbeddedFont.AddNote(plot, $"{skipped} zero, negative or non-finite values are not drawn.", Alignment.UpperLeft);
        plot.ShowLegend(Edge.Right);
        return plot.GetImageBytes(width, height, ImageFormat.Png);
    }

    private static List<(double X, double Y)> Points(IReadOnlyList<double> xs, IReadOnlyList<double> ys, bool log, ref int skipped)
    {
        if (xs.Count != ys.Count)
            throw new ArgumentException($"a series with {xs.Count} x values and {ys.Count} y values");
        var points = new List<(double, double)>(xs.Count);
        for (int i = 0; i < xs.Count; i++)
        {
            double y = ys[i];
            if (!double.IsFinite(y) || (log && y <= 0))
            {
                skipped++;
                continue;
            }
            points.Add((xs[i], log ? Math.Log10(y) : y));
        }
        return points;
    }

    /// <summary>The grid, each image scaled up by <paramref name="scale"/> with nearest-neighbour pixels.</summary>
    public static byte[] Render(ImageGrid grid, int scale = 4)
    {
        const int Gap = 6, TitleHeight = 28, LabelSize = 15;
        int columns = grid.ColumnTitles.Count;
        if (grid.Rows.Count == 0 || grid.Rows.Any(r => r.Images.Count != columns))
            throw new ArgumentException($"an image grid needs rows of {columns} images");
        int imageHeight = grid.Rows[0].Images[0].GetLength(0) * scale, imageWidth = grid.Rows[0].Images[0].GetLength(1) * scale;
        float labelWidth = grid.Rows.Max(r => EmbeddedFont.MeasureWidth(r.Label, LabelSize)) + 2 * Gap;
        float columnWidth = Math.Max(imageWidth, grid.ColumnTitles.Max(t => EmbeddedFont.MeasureWidth(t, LabelSize)) + Gap);
        int width = (int)Math.Ceiling(labelWidth + columns * (columnWidth + Gap)) + Gap;
        int height = TitleHeight + grid.Rows.Count * (imageHeight + Gap) + Gap;

        using var bitmap = new SKBitmap(width, height);
        using var canvas = new SKCanvas(bitmap);
        canvas.Clear(SKColors.White);
        using SKTypeface typeface = EmbeddedFont.Typeface();
        using var font = new SKFont(typeface, LabelSize);
        using var ink = new SKPaint { Color = SKColors.Black, IsAntialias = true };
        for (int c = 0; c < columns; c++)
        {
            float x = labelWidth + c * (columnWidth + Gap) + columnWidth / 2;
            canvas.DrawText(grid.ColumnTitles[c], x, TitleHeight - 9, SKTextAlign.Center, font, ink);
        }

        for (int r = 0; r < grid.Rows.Count; r++)
        {
            var (label, images) = grid.Rows[r];
            float top = TitleHeight + r * (imageHeight + Gap);
            canvas.DrawText(label, Gap, top + imageHeight / 2f + LabelSize / 3f, SKTextAlign.Left, font, ink);
            for (int c = 0; c < columns; c++)
            {
                float left = labelWidth + c * (columnWidth + Gap) + (columnWidth - imageWidth) / 2;
                DrawImage(canvas, images[c], left, top, scale);
            }
        }

        using SKImage image = SKImage.FromBitmap(bitmap);
        using SKData png = image.Encode(SKEncodedImageFormat.Png, 100);
        return png.ToArray();
    }

    private static void DrawImage(SKCanvas canvas, float[,] pixels, float left, float top, int scale)
    {
        using var paint = new SKPaint();
        for (int y = 0; y < pixels.GetLength(0); y++)
        {
            for (int x = 0; x < pixels.GetLength(1); x++)
            {
                float v = pixels[y, x];
                byte grey = (byte)Math.Round(255 * Math.Clamp(float.IsFinite(v) ? v : 0, 0, 1));
                paint.Color = new SKColor(grey, grey, grey);
                canvas.DrawRect(left + x * scale, top + y * scale, scale, scale, paint);
            }
        }
    }
}
