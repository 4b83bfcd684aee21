using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using Dsl.Runtime.IO;
using Dsl.Runtime.Reporting.Csv;
using Dsl.Runtime.Training;

namespace Dsl.Runtime.Reporting;

public static partial class RunReport
{
    private static readonly string[] GradientHeader = ["step", "epoch", "layer_index", "layer", "norm"];

    private static readonly string[] MetricsHeader =
    [
        "epoch", "step", "learning_rate", "train_loss", "train_accuracy",
        "validation_loss", "validation_accuracy", "examples_per_second", "seconds",
    ];

    /// <summary>
    /// Writes the gradient-flow log as CSV with the header <c>step,epoch,layer_index,layer,norm</c>
    /// (invariant culture, round-trip precision), atomically.
    /// </summary>
    public static void WriteGradientCsv(string path, IEnumerable<GradientNormSample> samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        IEnumerable<string> rows = samples.Select(sample => CsvFormat.Line(
        [
            CsvFormat.Number(sample.Step), CsvFormat.Number(sample.Epoch), CsvFormat.Number(sample.LayerIndex),
            sample.Layer, CsvFormat.Number(sample.Norm),
        ]));
        WriteLines(path, GradientHeader, rows);
    }

    /// <summary>
    /// Reads a log written by <see cref="WriteGradientCsv"/>.
    /// Throws <see cref="InvalidDataException"/> naming the file and the line when the header or a row is bad.
    /// </summary>
    public static IReadOnlyList<GradientNormSample> ReadGradientCsv(string path) =>
        CsvReader.ReadAll(path, GradientHeader, row => new GradientNormSample(
            row.Long(0), row.Int(1), row.Int(2), row.Text(3), row.Double(4)));

    /// <summary>
    /// Writes the per-epoch history as CSV with the header
    /// <c>epoch,step,learning_rate,train_loss,train_accuracy,validation_loss,validation_accuracy,examples_per_second,seconds</c>;
    /// a missing validation metric is an empty field. Atomic.
    /// </summary>
    public static void WriteMetricsCsv(string path, IReadOnlyList<EpochMetrics> history)
    {
        ArgumentNullException.ThrowIfNull(history);
        IEnumerable<string> rows = history.Select(epoch => CsvFormat.Line(
        [
            CsvFormat.Number(epoch.Epoch), CsvFormat.Number(epoch.Step), CsvFormat.Number(epoch.LearningRate),
            CsvFormat.Number(epoch.TrainLoss), CsvFormat.Number(epoch.TrainAccuracy),
            CsvFormat.Number(epoch.ValidationLoss), CsvFormat.Number(epoch.ValidationAccuracy),
            CsvFormat.Number(epoch.ExamplesPerSecond), CsvFormat.Number(epoch.Seconds),
        ]));
        WriteLines(path, MetricsHeader, rows);
    }

    /// <summary>
    /// Reads a history written by <see cref="WriteMetricsCsv"/>, for a run that resumes.
    /// Throws <see cref="InvalidDataException"/> naming the file and the line when the header or a row is bad.
    /// </summary>
    public static IReadOnlyList<EpochMetrics> ReadMetricsCsv(string path) =>
        CsvReader.ReadAll(path, MetricsHeader, row => new EpochMetrics(
            row.Int(0), row.Long(1), row.Double(2), row.Double(3), row.Double(4),
            row.OptionalDouble(5), row.OptionalDouble(6), row.Double(7), row.Double(8)));

    private static void WriteLines(string path, string[] header, IEnumerable<string> rows)
    {
        var text = new StringBuilder();
        text.Append(string.Join(',', header)).Append('\n');
        foreach (string row in rows)
            text.Append(row).Append('\n');
        AtomicFile.WriteAllBytes(path, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetBytes(text.ToString()));
    }
}
