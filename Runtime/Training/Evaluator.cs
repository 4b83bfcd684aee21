using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text.Json;
using Dsl.Runtime.Checkpoints;
using Dsl.Runtime.Data;
using Dsl.Runtime.Devices;
using TorchSharp;
using static TorchSharp.torch;

namespace Dsl.Runtime.Training;

/// <summary>
/// Evaluates and runs a model without an optimizer: loss and the task's metrics over a data set, or outputs for raw
/// inputs, normalised as the weights were trained. <see cref="FromFile"/> reads weights and their normalisation from
/// a checkpoint or from <c>model.safetensors</c>.
/// </summary>
public sealed class Evaluator
{
    /// <summary>An evaluator of <paramref name="model"/>; moves it to <paramref name="device"/>.</summary>
    /// <param name="model">The network.</param>
    /// <param name="options">The task, its loss settings and the batch size (only those are used); null: defaults.</param>
    /// <param name="normalization">Applied to inputs first; null: none.</param>
    /// <param name="device">Null: CUDA when available, else the CPU.</param>
    public Evaluator(nn.Module<Tensor, Tensor> model, TrainerOptions? options = null, Normalization? normalization = null, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        Model = model;
        Options = options ?? new TrainerOptions();
        Options.Validate();
        Normalization = normalization;
        Device = device ?? DeviceChoice.Resolve(null);
        model.to(Device);
    }

    /// <summary>The network.</summary>
    public nn.Module<Tensor, Tensor> Model { get; }

    /// <summary>The task, loss settings and batch size.</summary>
    public TrainerOptions Options { get; internal set; }

    /// <summary>The input normalisation, or null.</summary>
    public Normalization? Normalization { get; set; }

    /// <summary>Where the model runs.</summary>
    public Device Device { get; }

    /// <summary>A loss that replaces the task's: (output, target) → scalar.</summary>
    public Func<Tensor, Tensor, Tensor>? LossFunction { get; set; }

    /// <summary>Metrics that replace the task's defaults (null: the defaults for the task and the output's shape).</summary>
    public IReadOnlyList<IMetric>? Metrics { get; set; }

    /// <summary>
    /// An evaluator with the weights of <paramref name="path"/>: a <c>.ckpt</c> checkpoint (its weights, options and
    /// normalisation), or a <c>.safetensors</c> / <c>.pth</c> weights file (with the normalisation stored in the
    /// safetensors metadata when there is one; else <paramref name="fallbackNormalization"/>).
    /// </summary>
    public static Evaluator FromFile(nn.Module<Tensor, Tensor> model, string path, TrainerOptions? options = null,
        Device? device = null, Normalization? fallbackNormalization = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        var full = Path.GetFullPath(path);
        if (!File.Exists(full))
        {
            throw new FileNotFoundException($"the weights file {full} does not exist", full);
        }

        if (string.Equals(Path.GetExtension(full), ".ckpt", StringComparison.OrdinalIgnoreCase))
        {
            var file = CheckpointFile.Load(full);
            var state = TrainingState.Read(file, full);
            ModuleState.LoadModuleState(model, file["model"], full);
            var stored = state.Options with { BatchSize = options?.BatchSize ?? state.Options.BatchSize };
            return new Evaluator(model, stored, state.Normalization, device);
        }

        Weights.Load(model, full);
        var normalization = Weights.ReadNormalization(full) ?? fallbackNormalization;
        return new Evaluator(model, options, normalization, device);
    }

    /// <summary>Mean loss and every metric over <paramref name="data"/>, in evaluation mode (BatchNorm running stats, no dropout).</summary>
    public EvaluationResult Evaluate(TensorDataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.Count == 0)
        {
            throw new ArgumentException("the data set is empty", nameof(data));
        }

        return InEvaluationMode(() =>
        {
            var watch = Stopwatch.StartNew();
            MetricAccumulator? sums = null;
            try
            {
                var loader = new DataLoader(data, Options.BatchSize, shuffle: false, Normalization);
                foreach (var batch in loader.Epoch(0, Options.Seed, Device))
                {
                    using (batch)
                    using (NewDisposeScope())
                    {
                        var output = Model.call(batch.Inputs);
                        sums ??= new MetricAccumulator(MetricsFor(output.shape), Device);
                        sums.Add(output, batch.Labels, Loss(output, batch.Labels), batch.Size);
                    }
                }

                var (loss, metrics, count) = sums!.Values();
                var accuracy = Tasks.AccuracyName(Options.Task) is { } name && metrics.TryGetValue(name, out var a) ? a : double.NaN;
                return new EvaluationResult(loss, accuracy, count, count / Math.Max(watch.Elapsed.TotalSeconds, 1e-9)) { Metrics = metrics };
            }
            finally
            {
                sums?.Dispose();
            }
        });
    }

    /// <summary>The model's outputs for raw inputs [N, ...], normalised as in training; a CPU tensor the caller owns.</summary>
    public Tensor Predict(Tensor inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        return InEvaluationMode(() =>
        {
            using var scope = NewDisposeScope();
            var parts = new List<Tensor>();
            for (long start = 0; start < inputs.shape[0]; start += Options.BatchSize)
            {
                var batch = inputs.narrow(0, start, Math.Min(Options.BatchSize, inputs.shape[0] - start)).to(Device);
                parts.Add(Model.call(Normalization?.Apply(batch) ?? batch).cpu());
            }

            return cat(parts, 0).MoveToOuterDisposeScope();
        });
    }

    /// <summary>The predicted class of every example in <paramref name="data"/> (the largest logit of [N, classes]).</summary>
    public long[] PredictClasses(TensorDataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        using var scope = NewDisposeScope();
        return Predict(data.Inputs).argmax(-1).flatten().data<long>().ToArray();
    }

    internal Tensor Loss(Tensor output, Tensor target) =>
        LossFunction?.Invoke(output, target) ?? Tasks.Loss(Options, output, target);

    internal IReadOnlyList<IMetric> MetricsFor(long[] outputShape) => Metrics ?? Tasks.DefaultMetrics(Options, outputShape);

    // Evaluation mode (BatchNorm running statistics, no dropout) and no autograd, then the mode the model had before.
    internal T InEvaluationMode<T>(Func<T> run)
    {
        var wasTraining = Model.training;
        Model.eval();
        try
        {
            using var noGrad = no_grad();
            return run();
        }
        finally
        {
            Model.train(wasTraining);
        }
    }
}
