using System.Linq;
namespace Dsl.Runtime.Training;

/// <summary>Whether a monitored metric improves by falling (losses, errors) or by rising (accuracies, PSNR).</summary>
public enum MonitorMode
{
    /// <summary>Lower is better.</summary>
    Min,

    /// <summary>Higher is better.</summary>
    Max,
}

/// <summary>Reads a monitored value from an epoch's metrics, and decides what counts as an improvement.</summary>
internal static class Monitor
{
    /// <summary>The value, falling back from validation_X to train_X when the epoch was not validated.</summary>
    public static double Read(EpochMetrics metrics, string name, string who)
    {
        if (metrics.Get(name) is { } value)
        {
            return value;
        }

        if (metrics.Validation is null && name.StartsWith("validation_", System.StringComparison.Ordinal) &&
            metrics.Get("train_" + name["validation_".Length..]) is { } train)
        {
            return train;
        }

        var known = string.Join(", ", new[] { "train_loss", "validation_loss" }
            .Concat(metrics.Train.Keys.Select(k => "train_" + k))
            .Concat(metrics.Validation?.Keys.Select(k => "validation_" + k) ?? System.Array.Empty<string>()));
        throw new System.InvalidOperationException($"{who} monitors '{name}', which this run does not measure; it measures {known}");
    }

    public static bool Improves(double value, double best, MonitorMode mode, double minDelta) =>
        double.IsFinite(value) && (mode == MonitorMode.Min ? value < best - minDelta : value > best + minDelta);

    public static double Worst(MonitorMode mode) => mode == MonitorMode.Min ? double.PositiveInfinity : double.NegativeInfinity;
}
