using System.IO;
using Dsl.Runtime.Reporting;

namespace Dsl.Runtime.Training;

/// <summary>
/// Rewrites <c>metrics.csv</c> and <c>metrics.json</c> in <see cref="Directory"/> after every epoch (atomically), so a
/// long run's history is readable while it runs. Its state is the trainer's history, which checkpoints hold already.
/// </summary>
public sealed class MetricsLoggerCallback(string directory) : ITrainerCallback
{
    /// <summary>Where the files go.</summary>
    public string Directory { get; } = Path.GetFullPath(directory);

    /// <inheritdoc />
    public void OnEpochEnd(Trainer trainer, EpochMetrics metrics)
    {
        RunReport.WriteMetricsCsv(Path.Combine(Directory, "metrics.csv"), trainer.History);
        RunReport.WriteMetricsJson(Path.Combine(Directory, "metrics.json"), trainer.ModelName, trainer.History);
    }
}
