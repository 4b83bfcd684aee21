using System.Collections.Generic;

namespace Dsl.Runtime.Experiments;

/// <summary>A line chart for a report: one line per series, optionally on a log-scale y axis, with an optional band (the spread over seeds).</summary>
/// <param name="Title">Above the chart.</param>
/// <param name="XLabel">The x axis's label.</param>
/// <param name="YLabel">The y axis's label.</param>
/// <param name="Series">The lines.</param>
/// <param name="LogY">Plot log10 of the values, the axis labelled with the real ones (non-positive values are left out).</param>
public sealed record LineChart(string Title, string XLabel, string YLabel, IReadOnlyList<ChartSeries> Series, bool LogY = false);

/// <summary>One line of a <see cref="LineChart"/>: points (X[i], Y[i]), and optionally a shaded band Lower[i]..Upper[i].</summary>
public sealed record ChartSeries(string Name, IReadOnlyList<double> X, IReadOnlyList<double> Y,
    IReadOnlyList<double>? Lower = null, IReadOnlyList<double>? Upper = null, bool Dashed = false);

/// <summary>A grid of grey images (values 0..1) with a title over each column and a label before each row.</summary>
/// <param name="ColumnTitles">One per column.</param>
/// <param name="Rows">Each row's label and its images, [height, width] each, as many as there are columns.</param>
public sealed record ImageGrid(IReadOnlyList<string> ColumnTitles, IReadOnlyList<(string Label, IReadOnlyList<float[,]> Images)> Rows);
