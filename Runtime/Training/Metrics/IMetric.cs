using static TorchSharp.torch;

namespace Dsl.Runtime.Training;

/// <summary>
/// A metric that is a ratio of two sums over a data set (correct / seen, squared error / values, ...), so it
/// accumulates on the device without a synchronisation per batch and resumes exactly from its two sums.
/// </summary>
public interface IMetric
{
    /// <summary>The name in reports and monitors (<c>accuracy</c>, <c>mse</c>, ...); prefixed with <c>train_</c> or <c>validation_</c> when monitored.</summary>
    string Name { get; }

    /// <summary>This batch's contribution: a float64 tensor [2] = (sum, count) on the output's device.</summary>
    /// <param name="output">The model's output for the batch (no gradient).</param>
    /// <param name="target">The batch's labels or targets.</param>
    Tensor Sums(Tensor output, Tensor target);

    /// <summary>The metric from the sums over the whole data set; by default their ratio.</summary>
    double Value(double sum, double count) => count > 0 ? sum / count : double.NaN;
}
