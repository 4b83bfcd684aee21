using System;
using TorchSharp;
using static TorchSharp.torch;

namespace Dsl.Runtime.Training;

/// <summary>Fraction of examples whose label is among the <paramref name="K"/> largest logits of [N, classes].</summary>
public sealed record AccuracyMetric(int K = 1) : IMetric
{
    /// <inheritdoc />
    public string Name => K == 1 ? "accuracy" : $"top{K}_accuracy";

    /// <inheritdoc />
    public Tensor Sums(Tensor output, Tensor target)
    {
        using var scope = NewDisposeScope();
        Tensor correct = K == 1
            ? output.argmax(1).eq(target).sum()
            : output.topk(Math.Min(K, (int)output.shape[1]), 1).indexes.eq(target.unsqueeze(1)).any(1).sum();
        return stack(new[] { correct.to(float64), tensor((double)target.shape[0], float64, output.device) }).MoveToOuterDisposeScope();
    }
}

/// <summary>Mean squared error per value.</summary>
public sealed record MeanSquaredErrorMetric : IMetric
{
    /// <inheritdoc />
    public string Name => "mse";

    /// <inheritdoc />
    public Tensor Sums(Tensor output, Tensor target) => ErrorSums(output, target, squared: true);

    internal static Tensor ErrorSums(Tensor output, Tensor target, bool squared)
    {
        using var scope = NewDisposeScope();
        Tensor difference = output.to(float64) - target.to(float64);
        Tensor sum = squared ? difference.square().sum() : difference.abs().sum();
        return stack(new[] { sum, tensor((double)difference.numel(), float64, output.device) }).MoveToOuterDisposeScope();
    }
}

/// <summary>Mean absolute error per value.</summary>
public sealed record MeanAbsoluteErrorMetric : IMetric
{
    /// <inheritdoc />
    public string Name => "mae";

    /// <inheritdoc />
    public Tensor Sums(Tensor output, Tensor target) => MeanSquaredErrorMetric.ErrorSums(output, target, squared: false);
}

/// <summary>Peak signal-to-noise ratio in dB, 10·log10(peak² / MSE), from the MSE over the whole data set (images in 0..<paramref name="Peak"/>).</summary>
public sealed record PsnrMetric(double Peak = 1.0) : IMetric
{
    /// <inheritdoc />
    public string Name => "psnr";

    /// <inheritdoc />
    public Tensor Sums(Tensor output, Tensor target) => MeanSquaredErrorMetric.ErrorSums(output, target, squared: true);

    /// <inheritdoc />
    public double Value(double sum, double count) => count > 0 ? 10 * Math.Log10(Peak * Peak / (sum / count)) : double.NaN;
}

/// <summary>Fraction of positions of [N, T, V] logits whose largest logit is the id of [N, T]; positions equal to <paramref name="IgnoreIndex"/> do not count.</summary>
public sealed record TokenAccuracyMetric(long IgnoreIndex = -100) : IMetric
{
    /// <inheritdoc />
    public string Name => "token_accuracy";

    /// <inheritdoc />
    public Tensor Sums(Tensor output, Tensor target)
    {
        using var scope = NewDisposeScope();
        Tensor counted = target.ne(IgnoreIndex);
        Tensor correct = output.argmax(-1).eq(target).logical_and(counted).sum();
        return stack(new[] { correct.to(float64), counted.sum().to(float64) }).MoveToOuterDisposeScope();
    }
}

/// <summary>Fraction of sequences whose every counted position is right.</summary>
public sealed record SequenceAccuracyMetric(long IgnoreIndex = -100) : IMetric
{
    /// <inheritdoc />
    public string Name => "sequence_accuracy";

    /// <inheritdoc />
    public Tensor Sums(Tensor output, Tensor target)
    {
        using var scope = NewDisposeScope();
        Tensor rightOrIgnored = output.argmax(-1).eq(target).logical_or(target.eq(IgnoreIndex));
        Tensor whole = rightOrIgnored.all(1).sum();
        return stack(new[] { whole.to(float64), tensor((double)target.shape[0], float64, output.device) }).MoveToOuterDisposeScope();
    }
}
