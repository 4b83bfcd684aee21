using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace Dsl.Runtime.Training;

/// <summary>What each <see cref="TrainingTask"/> means: its default loss, its metrics, and the checks that make bad data a one-line error.</summary>
internal static class Tasks
{
    public static Tensor Loss(TrainerOptions options, Tensor output, Tensor target) => options.Task switch
    {
        TrainingTask.Classification => nn.functional.cross_entropy(output, target, label_smoothing: options.LabelSmoothing),
        TrainingTask.Regression => options.RegressionLoss == RegressionLoss.L1
            ? nn.functional.l1_loss(output, target)
            : nn.functional.mse_loss(output, target),
        // cross_entropy wants the classes in dimension 1: [N, T, V] → [N·T, V] against [N·T].
        TrainingTask.TokenClassification => nn.functional.cross_entropy(output.flatten(0, 1), target.flatten(),
            ignore_index: options.IgnoreIndex, label_smoothing: options.LabelSmoothing),
        _ => throw new ArgumentOutOfRangeException(nameof(options), options.Task, "unknown task"),
    };

    /// <summary>The task's metrics for an output of shape <paramref name="outputShape"/> (batch included).</summary>
    public static List<IMetric> DefaultMetrics(TrainerOptions options, long[] outputShape) => options.Task switch
    {
        TrainingTask.Classification => outputShape.Length == 2 && outputShape[1] > 5
            ? new List<IMetric> { new AccuracyMetric(), new AccuracyMetric(5) }
            : new List<IMetric> { new AccuracyMetric() },
        TrainingTask.Regression => outputShape.Length == 4
            ? new List<IMetric> { new MeanSquaredErrorMetric(), new MeanAbsoluteErrorMetric(), new PsnrMetric() }
            : new List<IMetric> { new MeanSquaredErrorMetric(), new MeanAbsoluteErrorMetric() },
        TrainingTask.TokenClassification => new List<IMetric> { new TokenAccuracyMetric(options.IgnoreIndex), new SequenceAccuracyMetric(options.IgnoreIndex) },
        _ => new List<IMetric>(),
    };

    /// <summary>The metric reported as "accuracy" in epoch lines, or null for tasks without one.</summary>
    public static string? AccuracyName(TrainingTask task) => task switch
    {
        TrainingTask.Classification => "accuracy",
        TrainingTask.TokenClassification => "token_accuracy",
        _ => null,
    };

    /// <summary>
    /// Checks that the model takes these inputs and that the targets fit its output, before any step: one forward
    /// pass of the first examples in evaluation mode (nothing learned, no running statistics moved), then the labels.
    /// Returns the output shape of that pass.
    /// </summary>
    /// <exception cref="ArgumentException">Shapes, types or labels do not fit; the message is one line that names them.</exception>
    public static long[] Check(nn.Module<Tensor, Tensor> model, string modelName, TrainerOptions options, Data.TensorDataset data,
        string split, Data.Normalization? normalization, Device device)
    {
        if (data.Count == 0)
        {
            throw new ArgumentException($"the {split} set is empty");
        }

        long[] outputShape;
        using (var scope = NewDisposeScope())
        {
            var wasTraining = model.training;
            model.eval();
            try
            {
                using var noGrad = no_grad();
                Tensor input = data.Inputs.narrow(0, 0, Math.Min(2, data.Count)).to(device);
                if (normalization is not null)
                {
                    input = normalization.Apply(input);
                }

                outputShape = model.call(input).shape;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                throw new ArgumentException(
                    $"{modelName} cannot take the {split} inputs, {data.Inputs.dtype} {Shape(data.Inputs.shape)}: {FirstLine(e.Message)}", e);
            }
            finally
            {
                model.train(wasTraining);
            }
        }

        CheckTargets(modelName, options, data, split, outputShape);
        return outputShape;
    }

    private static void CheckTargets(string modelName, TrainerOptions options, Data.TensorDataset data, string split, long[] outputShape)
    {
        Tensor labels = data.Labels;
        string output = Shape(outputShape);
        switch (options.Task)
        {
            case TrainingTask.Classification:
            {
                if (outputShape.Length != 2)
                {
                    throw new ArgumentException($"classification needs logits [N, classes], but {modelName} outputs {output}; " +
                        (outputShape.Length == 3 ? "use Task = TokenClassification for [N, T, V] logits" : "use Task = Regression for targets of the output's shape"));
                }

                RequireIntegerLabels(labels, split, "classification", "[N] class indices");
                if (labels.Dimensions != 1)
                {
                    throw new ArgumentException($"classification needs one class index per example, [N]; the {split} labels are {Shape(labels.shape)}");
                }

                CheckRange(modelName, labels, outputShape[1], split, ignore: null);
                break;
            }

            case TrainingTask.TokenClassification:
            {
                if (outputShape.Length != 3)
                {
                    throw new ArgumentException($"token classification needs logits [N, T, V], but {modelName} outputs {output}");
                }

                RequireIntegerLabels(labels, split, "token classification", "[N, T] token ids");
                if (labels.Dimensions != 2 || labels.shape[1] != outputShape[1])
                {
                    throw new ArgumentException($"token classification needs one id per output position, [N, {outputShape[1]}]; the {split} targets are {Shape(labels.shape)}");
                }

                CheckRange(modelName, labels, outputShape[2], split, ignore: options.IgnoreIndex);
                break;
            }

            case TrainingTask.Regression:
            {
                if (!labels.is_floating_point())
                {
                    throw new ArgumentException($"regression needs floating-point targets; the {split} targets are {labels.dtype} (use Task = Classification for class labels)");
                }

                if (!labels.shape[1..].SequenceEqual(outputShape[1..]))
                {
                    throw new ArgumentException($"regression needs targets of the output's shape: {modelName} outputs {output}, the {split} targets are {Shape(labels.shape)}");
                }

                break;
            }
        }
    }

    private static void RequireIntegerLabels(Tensor labels, string split, string task, string what)
    {
        if (labels.is_floating_point() || labels.dtype == ScalarType.Bool)
        {
            throw new ArgumentException($"{task} needs integer {what}; the {split} labels are {labels.dtype} (use Task = Regression for float targets)");
        }
    }

    private static void CheckRange(string modelName, Tensor labels, long width, string split, long? ignore)
    {
        using var scope = NewDisposeScope();
        Tensor counted = ignore is { } i ? labels.masked_select(labels.ne(i)) : labels.flatten();
        if (counted.numel() == 0)
        {
            return;
        }

        long max = counted.max().item<long>(), min = counted.min().item<long>();
        if (max >= width)
        {
            throw new ArgumentException($"the {split} labels go up to {max}, but {modelName}'s output has width {width} (labels 0..{width - 1}): " +
                $"give the model {max + 1} outputs, or fix the labels");
        }

        if (min < 0)
        {
            throw new ArgumentException($"the {split} labels include {min}; labels must lie in 0..{width - 1}" +
                (ignore is { } ig ? $" or be the ignore index {ig}" : ""));
        }
    }

    public static string Shape(long[] shape) => "[N" + string.Concat(shape.Skip(1).Select(d => ", " + d)) + "]";

    private static string FirstLine(string message)
    {
        var end = message.IndexOfAny(new[] { '\r', '\n' });
        return (end < 0 ? message : message[..end]).Trim();
    }
}
