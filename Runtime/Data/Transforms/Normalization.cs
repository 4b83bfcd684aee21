using System;
using TorchSharp;
using static TorchSharp.torch;

namespace Dsl.Runtime.Data;

/// <summary>
/// Input normalisation x ↦ (x − Mean) / Std, with one mean and one standard deviation for the whole channel
/// (the data sets here are single-channel), computed from a training set and reused unchanged on the test set.
/// </summary>
/// <param name="Mean">The training inputs' mean.</param>
/// <param name="Std">The training inputs' standard deviation (positive).</param>
public sealed record Normalization(double Mean, double Std)
{
    /// <summary>The mean and (population) standard deviation of every input value of <paramref name="train"/>.</summary>
    /// <param name="train">The training set.</param>
    /// <exception cref="ArgumentException">The inputs are constant, so there is nothing to scale by.</exception>
    public static Normalization Of(TensorDataset train)
    {
        ArgumentNullException.ThrowIfNull(train);
        using var scope = torch.NewDisposeScope();
        (Tensor std, Tensor mean) = train.Inputs.std_mean(unbiased: false);
        double stdValue = std.to(ScalarType.Float64).item<double>();
        if (!(stdValue > 0))
        {
            throw new ArgumentException("The training inputs are constant (standard deviation 0), so they cannot be normalised.", nameof(train));
        }

        return new Normalization(mean.to(ScalarType.Float64).item<double>(), stdValue);
    }

    /// <summary>Returns (x − Mean) / Std as a new tensor on x's device and of x's type.</summary>
    /// <param name="x">Inputs in the training set's scale.</param>
    public Tensor Apply(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        using var scope = torch.NewDisposeScope();
        return x.sub(Mean).div_(Std).MoveToOuterDisposeScope();
    }
}
