using System;
using TorchSharp;
using static TorchSharp.torch;

namespace Dsl.Runtime.Data;

/// <summary>
/// Cuts a time series into (window, horizon) examples for forecasting: each input is <c>window</c> consecutive
/// values, its target the <c>horizon</c> values that follow. Inputs come in the signal layout of the 1-D layers,
/// [N, C, window]; targets are [N, horizon] for one channel and [N, C, horizon] for several.
/// </summary>
public static class TimeSeriesWindows
{
    /// <summary>Windows over a series of one channel.</summary>
    public static TensorDataset Create(float[] series, int window, int horizon, int stride = 1)
    {
        ArgumentNullException.ThrowIfNull(series);
        using var scope = NewDisposeScope();
        return Create(torch.tensor(series), window, horizon, stride);
    }

    /// <summary>Windows over a series [L] (one channel) or [L, C] (C channels, time first).</summary>
    /// <param name="series">The values, in time order.</param>
    /// <param name="window">Values per input.</param>
    /// <param name="horizon">Values to predict after each window.</param>
    /// <param name="stride">Steps between the starts of two windows.</param>
    /// <exception cref="ArgumentException">The series is too short for one window and its horizon, or not rank 1 or 2.</exception>
    public static TensorDataset Create(Tensor series, int window, int horizon, int stride = 1)
    {
        ArgumentNullException.ThrowIfNull(series);
        ArgumentOutOfRangeException.ThrowIfLessThan(window, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(horizon, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(stride, 1);
        if (series.Dimensions is not (1 or 2))
        {
            throw new ArgumentException($"a time series is [L] or [L, C]; this one is [{string.Join(", ", series.shape)}]", nameof(series));
        }

        long length = series.shape[0];
        if (length < window + horizon)
        {
            throw new ArgumentException($"a series of {length} values is too short for a window of {window} and a horizon of {horizon}", nameof(series));
        }

        using var scope = NewDisposeScope();
        bool single = series.Dimensions == 1;
        Tensor values = (single ? series.unsqueeze(1) : series).to(ScalarType.Float32).t(); // [C, L]
        // unfold gives every (window + horizon) span: [C, N, window + horizon].
        Tensor spans = values.unfold(1, window + horizon, stride).permute(1, 0, 2).contiguous();
        Tensor inputs = spans.narrow(2, 0, window).contiguous();
        Tensor targets = spans.narrow(2, window, horizon).contiguous();
        return new TensorDataset(inputs, single ? targets.squeeze(1) : targets);
    }
}
