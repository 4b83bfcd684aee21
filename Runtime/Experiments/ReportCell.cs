using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace Dsl.Runtime.Experiments;

/// <summary>
/// One cell of a report table: text, or a measurement (one value per seed) formatted as its mean, with the spread
/// over seeds when there are several. Measurements are also written to <c>results.json</c>, so every number in a table
/// can be traced to the run.
/// </summary>
public sealed class ReportCell
{
    private ReportCell(string text, IReadOnlyList<double>? values)
    {
        Text = text;
        Values = values;
    }

    /// <summary>The cell as the Markdown shows it.</summary>
    public string Text { get; }

    /// <summary>The measured values behind it (one per seed); null for plain text.</summary>
    public IReadOnlyList<double>? Values { get; }

    /// <summary>Plain text (a model's name, a setting).</summary>
    public static implicit operator ReportCell(string text) => new(text ?? "", null);

    /// <summary>A measured number, <paramref name="format"/> being a .NET format string (<c>F3</c>, <c>N0</c>, <c>G3</c>).</summary>
    public static ReportCell Number(double value, string format = "G4") => Numbers(new[] { value }, format);

    /// <summary>Measurements over seeds: <c>mean ± standard deviation</c> with several, the value with one.</summary>
    public static ReportCell Numbers(IEnumerable<double> values, string format = "G4", string unit = "")
    {
        double[] all = values.ToArray();
        if (all.Length == 0)
        {
            throw new ArgumentException("a measured cell needs at least one value", nameof(values));
        }

        string Format(double v) => double.IsNaN(v) ? "NaN" : double.IsInfinity(v) ? (v > 0 ? "∞" : "−∞") : v.ToString(format, CultureInfo.InvariantCulture);
        string text = all.Length == 1 ? Format(all[0]) : $"{Format(Mean(all))} ± {Format(StandardDeviation(all))}";
        return new ReportCell(text + unit, all);
    }

    /// <summary>Fractions shown as percentages with two decimals (<c>93.21 %</c>), over seeds like <see cref="Numbers"/>.</summary>
    public static ReportCell Percent(IEnumerable<double> fractions) => Numbers(fractions.Select(f => 100 * f), "F2", " %");

    /// <summary>One fraction as a percentage.</summary>
    public static ReportCell Percent(double fraction) => Percent(new[] { fraction });

    /// <summary>The mean of <paramref name="values"/>.</summary>
    public static double Mean(IReadOnlyCollection<double> values) => values.Count == 0 ? double.NaN : values.Sum() / values.Count;

    /// <summary>The sample standard deviation (n − 1) of <paramref name="values"/>; 0 for one value.</summary>
    public static double StandardDeviation(IReadOnlyCollection<double> values)
    {
        if (values.Count < 2)
        {
            return 0;
        }

        double mean = Mean(values);
        return Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1));
    }
}
