using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace Dsl.Runtime.Training;

/// <summary>
/// Sums of the loss and of every metric over an epoch or a data set, kept on the device (one tensor) so that a GPU is
/// not synchronised per batch; read with <see cref="Values"/>, saved and restored as plain numbers for exact resume.
/// </summary>
internal sealed class MetricAccumulator : IDisposable
{
    private readonly IReadOnlyList<IMetric> metrics;
    private readonly Tensor sums; // [1 + M, 2]: (loss·examples, examples), then each metric's (sum, count)

    public MetricAccumulator(IReadOnlyList<IMetric> metrics, Device device, IReadOnlyList<double>? restored = null)
    {
        this.metrics = metrics;
        var initial = new double[(1 + metrics.Count) * 2];
        if (restored is not null && restored.Count == initial.Length)
        {
            restored.ToArray().CopyTo(initial, 0);
        }

        using var scope = NewDisposeScope();
        sums = tensor(initial, new long[] { 1 + metrics.Count, 2 }, float64).to(device).DetachFromDisposeScope();
    }

    /// <summary>Adds one batch: its mean loss (weighted by the batch size) and every metric's sums.</summary>
    public void Add(Tensor output, Tensor target, Tensor loss, long batchSize)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var rows = new List<Tensor>(1 + metrics.Count)
        {
            stack(new[] { loss.detach().to(float64) * batchSize, tensor((double)batchSize, float64, sums.device) }),
        };
        foreach (IMetric metric in metrics)
        {
            rows.Add(metric.Sums(output.detach(), target).to(float64).view(2));
        }

        sums.add_(stack(rows));
    }

    /// <summary>The mean loss and each metric (one device read).</summary>
    public (double Loss, Dictionary<string, double> Metrics, long Count) Values()
    {
        double[] values = Read();
        var result = new Dictionary<string, double>(StringComparer.Ordinal);
        for (int i = 0; i < metrics.Count; i++)
        {
            result[metrics[i].Name] = metrics[i].Value(values[2 + 2 * i], values[3 + 2 * i]);
        }

        return (values[1] > 0 ? values[0] / values[1] : double.NaN, result, (long)values[1]);
    }

    /// <summary>The raw sums, for a checkpoint.</summary>
    public double[] Read()
    {
        using var scope = NewDisposeScope();
        return sums.cpu().flatten().data<double>().ToArray();
    }

    public void Dispose() => sums.Dispose();
}
