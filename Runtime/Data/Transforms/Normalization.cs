using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Serialization;
using TorchSharp;
using static TorchSharp.torch;

namespace Dsl.Runtime.Data;

/// <summary>
/// Input normalisation x ↦ (x − Mean) / Std, computed from a training set and reused unchanged on every other split:
/// one mean and standard deviation per channel for images [N, C, H, W], one for the whole input otherwise.
/// Integer inputs (token ids) are never normalised: <see cref="For"/> gives null for them.
/// </summary>
public sealed record Normalization
{
    /// <summary>One mean and one standard deviation for every input value.</summary>
    public Normalization(double mean, double std)
        : this(new[] { mean }, new[] { std })
    {
    }

    /// <summary>One mean and one standard deviation per channel (dimension 1 of the inputs); one value of each for all channels.</summary>
    /// <exception cref="ArgumentException">The lists are empty, differ in length, or a deviation is not positive.</exception>
    [JsonConstructor]
    public Normalization(IReadOnlyList<double> mean, IReadOnlyList<double> std)
    {
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(std);
        if (mean.Count == 0 || mean.Count != std.Count)
        {
            throw new ArgumentException($"Normalization needs as many means as deviations, at least one; got {mean.Count} and {std.Count}.");
        }

        if (std.Any(s => !(s > 0) || double.IsInfinity(s)) || mean.Any(m => !double.IsFinite(m)))
        {
            throw new ArgumentException($"Normalization needs finite means and positive deviations; got mean [{string.Join(", ", mean)}], std [{string.Join(", ", std)}].");
        }

        Mean = mean.ToArray();
        Std = std.ToArray();
    }

    /// <summary>The training inputs' mean: one value, or one per channel.</summary>
    public IReadOnlyList<double> Mean { get; }

    /// <summary>The training inputs' (population) standard deviation, as <see cref="Mean"/>.</summary>
    public IReadOnlyList<double> Std { get; }

    /// <summary>Channels it normalises separately (1: all values alike).</summary>
    [JsonIgnore]
    public int Channels => Mean.Count;

    /// <summary>The statistics of <paramref name="train"/>'s inputs, or null when they are integers (token ids are never normalised).</summary>
    public static Normalization? For(TensorDataset train)
    {
        ArgumentNullException.ThrowIfNull(train);
        return train.Inputs.is_floating_point() ? Of(train) : null;
    }

    /// <summary>The mean and (population) standard deviation of <paramref name="train"/>'s inputs: per channel for images
    /// [N, C, H, W] with C &gt; 1, over every value otherwise.</summary>
    /// <exception cref="ArgumentException">The inputs are integers, or constant, so there is nothing to scale by.</exception>
    public static Normalization Of(TensorDataset train)
    {
        ArgumentNullException.ThrowIfNull(train);
        Tensor inputs = train.Inputs;
        if (!inputs.is_floating_point())
        {
            throw new ArgumentException($"The training inputs are {inputs.dtype} (token ids or other integers), which are never normalised.", nameof(train));
        }

        using var scope = torch.NewDisposeScope();
        double[] means, stds;
        if (inputs.Dimensions == 4 && inputs.shape[1] > 1)
        {
            (Tensor std, Tensor mean) = inputs.to(ScalarType.Float64).std_mean(new long[] { 0, 2, 3 }, unbiased: false);
            means = mean.data<double>().ToArray();
            stds = std.data<double>().ToArray();
        }
        else
        {
            (Tensor std, Tensor mean) = inputs.std_mean(unbiased: false);
            means = new[] { mean.to(ScalarType.Float64).item<double>() };
            stds = new[] { std.to(ScalarType.Float64).item<double>() };
        }

        if (stds.Any(s => !(s > 0)))
        {
            throw new ArgumentException("The training inputs are constant (standard deviation 0), so they cannot be normalised.", nameof(train));
        }

        return new Normalization(means, stds);
    }

    /// <summary>Returns (x − Mean) / Std as a new tensor on x's device and of x's type.</summary>
    /// <param name="x">Inputs in the training set's scale, [N, C, ...] when normalised per channel.</param>
    public Tensor Apply(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        using var scope = torch.NewDisposeScope();
        if (Channels == 1)
        {
            return x.sub(Mean[0]).div_(Std[0]).MoveToOuterDisposeScope();
        }

        if (x.Dimensions < 2 || x.shape[1] != Channels)
        {
            throw new ArgumentException($"This normalisation has {Channels} channels, but the inputs have shape [{string.Join(", ", x.shape)}].", nameof(x));
        }

        var shape = new long[x.Dimensions];
        Array.Fill(shape, 1L);
        shape[1] = Channels;
        Tensor mean = torch.tensor(Mean.ToArray(), x.dtype, x.device).view(shape);
        Tensor std = torch.tensor(Std.ToArray(), x.dtype, x.device).view(shape);
        return x.sub(mean).div_(std).MoveToOuterDisposeScope();
    }

    /// <summary>Equal when every mean and deviation is.</summary>
    public bool Equals(Normalization? other) =>
        other is not null && Mean.SequenceEqual(other.Mean) && Std.SequenceEqual(other.Std);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Mean.Count, Mean[0], Std[0]);

    /// <inheritdoc />
    public override string ToString() =>
        $"mean [{string.Join(", ", Mean.Select(m => m.ToString("G6", System.Globalization.CultureInfo.InvariantCulture)))}], " +
        $"std [{string.Join(", ", Std.Select(s => s.ToString("G6", System.Globalization.CultureInfo.InvariantCulture)))}]";
}
