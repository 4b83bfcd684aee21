using System.Collections.Generic;
using System.IO;
using Dsl.Runtime.Checkpoints;
using Dsl.Runtime.Devices;
using Dsl.Runtime.Reporting;
using Dsl.Runtime.Training;
using static TorchSharp.torch;

namespace Dsl.Examples.Cli;

/// <summary>What a training run leaves in its output folder, besides the checkpoints.</summary>
internal static class RunOutputs
{
    public const string MetricsJson = "metrics.json";
    public const string MetricsCsv = "metrics.csv";
    public const string GradientCsv = "gradient-norms.csv";
    public const string GradientPlot = "gradient-flow.png";
    public const string CurvesPlot = "curves.png";
    public const string SafetensorsWeights = "model.safetensors";
    public const string PyTorchWeights = "model.pth";

    public static void Write(string directory, string modelName, Trainer trainer, TrainingResult result, string dataSource, Device device)
    {
        Directory.CreateDirectory(directory);
        var extra = new Dictionary<string, object?>
        {
            ["stopReason"] = result.Reason.ToString(),
            ["steps"] = result.Steps,
            ["data"] = dataSource,
            ["device"] = DeviceChoice.Describe(device),
            ["seed"] = trainer.Options.Seed,
            ["checkpoint"] = result.LastCheckpoint,
            ["normalizationMean"] = trainer.Normalization?.Mean,
            ["normalizationStd"] = trainer.Normalization?.Std,
        };
        RunReport.WriteMetricsJson(Path.Combine(directory, MetricsJson), modelName, result.History, extra);
        RunReport.WriteMetricsCsv(Path.Combine(directory, MetricsCsv), result.History);
        RunReport.WriteGradientCsv(Path.Combine(directory, GradientCsv), trainer.GradientFlow.Samples);
        RunReport.WriteGradientFlowPlot(Path.Combine(directory, GradientPlot), modelName, trainer.GradientFlow.Samples);
        RunReport.WriteCurvesPlot(Path.Combine(directory, CurvesPlot), modelName, result.History);
        if (result.Reason != StopReason.Diverged) // NaN weights would only mislead
        {
            Weights.Save(trainer.Model, Path.Combine(directory, SafetensorsWeights));
            Weights.Save(trainer.Model, Path.Combine(directory, PyTorchWeights));
        }
    }
}
