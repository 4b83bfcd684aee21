using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using Dsl.Runtime.Checkpoints;
using Dsl.Runtime.Devices;
using Dsl.Runtime.Reporting;
using Dsl.Runtime.Training;
using static TorchSharp.torch;

namespace Dsl.Runtime.App;

/// <summary>What a training run leaves in its output folder, besides the checkpoints.</summary>
internal static class RunOutputs
{
    public const string MetricsJson = "metrics.json";
    public const string MetricsCsv = "metrics.csv";
    public const string TestCsv = "test-metrics.csv";
    public const string GradientCsv = "gradient-norms.csv";
    public const string LearningRateCsv = "learning-rates.csv";
    public const string GradientPlot = "gradient-flow.png";
    public const string CurvesPlot = "curves.png";
    public const string SafetensorsWeights = "model.safetensors";
    public const string PyTorchWeights = "model.pth";

    /// <summary>
    /// Fails at once, in one line, when <paramref name="directory"/> cannot take a run's files: it is a file, cannot be
    /// created or written (read-only, no permission), or its disk has less than <paramref name="bytesNeeded"/> free.
    /// A run would otherwise find out only at its first checkpoint, an epoch later.
    /// </summary>
    public static void CheckWritable(string directory, long bytesNeeded, string option = "--out")
    {
        try
        {
            Directory.CreateDirectory(directory);
            string probe = Path.Combine(directory, $".write-test-{Environment.ProcessId}.tmp");
            File.WriteAllBytes(probe, new byte[] { 0 });
            File.Delete(probe);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"{option} {directory} is not a folder this program can write to: {e.Message}");
        }

        long free;
        try
        {
            free = new DriveInfo(directory).AvailableFreeSpace;
        }
        catch (Exception e) when (e is IOException or ArgumentException or UnauthorizedAccessException)
        {
            return; // the free space cannot be read here (an unusual mount): the writes themselves will tell
        }

        if (free < bytesNeeded)
        {
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                $"{option} {directory}: its disk has {free / 1e6:N1} MB free, and the run needs about {bytesNeeded / 1e6:N1} MB for its checkpoints and reports"));
        }
    }

    /// <summary>Writes the reports; <paramref name="test"/> is the one evaluation of the test set (null when the run did not finish).</summary>
    public static void Write(string directory, string modelName, Trainer trainer, TrainingResult result, TaskData data, Device device,
        EvaluationResult? test, string? testWeights, LearningRateMonitor rates, (long Train, long Validation) sizes)
    {
        Directory.CreateDirectory(directory);
        var extra = new Dictionary<string, object?>
        {
            ["task"] = trainer.Options.Task.ToString(),
            ["stopReason"] = result.Reason.ToString(),
            ["steps"] = result.Steps,
            ["data"] = data.Source,
            ["split"] = new Dictionary<string, long> { ["train"] = sizes.Train, ["validation"] = sizes.Validation, ["test"] = data.Test.Count },
            ["device"] = DeviceChoice.Describe(device),
            ["seed"] = trainer.Options.Seed,
            ["checkpoint"] = result.LastCheckpoint,
            ["normalization"] = trainer.Normalization,
            ["test"] = test is null ? null : new Dictionary<string, object?>
            {
                ["weights"] = testWeights,
                ["count"] = test.Count,
                ["loss"] = test.Loss,
                ["accuracy"] = double.IsNaN(test.Accuracy) ? null : test.Accuracy,
                ["metrics"] = test.Metrics,
            },
        };
        RunReport.WriteMetricsJson(Path.Combine(directory, MetricsJson), modelName, result.History, extra);
        RunReport.WriteMetricsCsv(Path.Combine(directory, MetricsCsv), result.History);
        if (test is not null)
        {
            var names = test.Metrics.Keys.ToList();
            File.WriteAllText(Path.Combine(directory, TestCsv),
                string.Join(",", new[] { "weights", "count", "loss" }.Concat(names)) + "\n" +
                string.Join(",", new[] { testWeights ?? "", test.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), Number(test.Loss) }
                    .Concat(names.Select(n => Number(test.Metrics[n])))) + "\n");
        }

        File.WriteAllLines(Path.Combine(directory, LearningRateCsv),
            rates.Samples.Select(s => $"{s.Step},{Number(s.LearningRate)}").Prepend("step,learning_rate"));
        RunReport.WriteGradientCsv(Path.Combine(directory, GradientCsv), trainer.GradientFlow.Samples);
        RunReport.WriteGradientFlowPlot(Path.Combine(directory, GradientPlot), modelName, trainer.GradientFlow.Samples);
        RunReport.WriteCurvesPlot(Path.Combine(directory, CurvesPlot), modelName, result.History);
        if (result.Reason != StopReason.Diverged) // NaN weights would only mislead
        {
            // The weights the test set was evaluated with; the normalisation travels in the safetensors metadata.
            Weights.Save(trainer.Model, Path.Combine(directory, SafetensorsWeights), trainer.Normalization);
            Weights.Save(trainer.Model, Path.Combine(directory, PyTorchWeights));
        }
    }

    private static string Number(double value) => value.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
}
