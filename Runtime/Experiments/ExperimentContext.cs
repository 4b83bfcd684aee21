using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using Dsl.Runtime.Data;
using Dsl.Runtime.Training;
using Spectre.Console;
using TorchSharp;
using static TorchSharp.torch;

namespace Dsl.Runtime.Experiments;

/// <summary>
/// What an experiment works with: its budget and seeds, the report it fills, the data, and <see cref="Train"/>, which
/// trains one variant with the project's <see cref="Trainer"/> and keeps every number the report needs.
/// </summary>
public sealed class ExperimentContext : IDisposable
{
    private readonly IAnsiConsole console;
    private readonly string? dataSource;
    private DataSplit? fashionMnist;

    /// <summary>A context writing to <paramref name="outputDirectory"/>.</summary>
    public ExperimentContext(IExperiment experiment, string outputDirectory, ExperimentBudget budget, IReadOnlyList<long> seeds,
        string commandLine, IAnsiConsole console, string? dataSource = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(experiment);
        ArgumentNullException.ThrowIfNull(console);
        if (seeds.Count == 0)
        {
            throw new ArgumentException("an experiment needs at least one seed", nameof(seeds));
        }

        Experiment = experiment;
        Budget = budget;
        Seeds = seeds;
        Cancellation = cancellation;
        this.console = console;
        this.dataSource = dataSource;
        Report = new ExperimentReport(experiment, outputDirectory, budget, seeds, commandLine);
    }

    /// <summary>The experiment being run.</summary>
    public IExperiment Experiment { get; }

    /// <summary>How much to train.</summary>
    public ExperimentBudget Budget { get; }

    /// <summary>The seeds to repeat each measurement with (1 … <c>--seeds</c>).</summary>
    public IReadOnlyList<long> Seeds { get; }

    /// <summary>Stops the experiment between steps (Ctrl-C).</summary>
    public CancellationToken Cancellation { get; }

    /// <summary>The report being written.</summary>
    public ExperimentReport Report { get; }

    /// <summary>One of three values by budget: <c>Pick(smoke, default, full)</c>.</summary>
    public T Pick<T>(T smoke, T normal, T full) => Budget switch
    {
        ExperimentBudget.Smoke => smoke,
        ExperimentBudget.Full => full,
        _ => normal,
    };

    /// <summary>
    /// Fashion-MNIST, loaded once: the full data set for <c>--full</c> (the Debian package or the user cache), the
    /// embedded subset (8,000 / 2,000) otherwise, or what <c>--data</c> names. Disposed with the context.
    /// </summary>
    public DataSplit FashionMnistData()
    {
        if (fashionMnist is null)
        {
            fashionMnist = dataSource switch
            {
                "embedded" => Data.FashionMnist.LoadEmbedded(),
                null when Budget != ExperimentBudget.Full => Data.FashionMnist.LoadEmbedded(),
                null => Data.FashionMnist.Load(),
                _ => Data.FashionMnist.Load(dataSource),
            };
        }

        return fashionMnist;
    }

    /// <summary>Writes a progress line.</summary>
    public void Log(string line) => console.MarkupLine($"[grey]{Experiment.Name}[/] {Markup.Escape(line)}");

    /// <summary>
    /// Trains <paramref name="build"/>'s model on <paramref name="train"/> with <paramref name="options"/> (its seed replaced
    /// by <paramref name="seed"/>, which also seeds the initial weights), tests it on <paramref name="test"/>, and returns
    /// the history, every step's loss, the gradient norms and the wall time. <paramref name="inspect"/> sees the trained
    /// model before it is disposed (for figures); <paramref name="configure"/> the trainer before it starts (callbacks).
    /// </summary>
    public TrainingRun Train(string label, Func<nn.Module<Tensor, Tensor>> build, TrainerOptions options, TensorDataset train,
        TensorDataset? test, long seed, Action<Trainer>? configure = null, Action<Trainer>? inspect = null)
    {
        ArgumentNullException.ThrowIfNull(build);
        ArgumentNullException.ThrowIfNull(options);
        Cancellation.ThrowIfCancellationRequested();
        var watch = Stopwatch.StartNew();
        Trainer.Seed(seed);
        using var model = build();
        long parameters = model.parameters().Where(p => p.requires_grad).Sum(p => p.numel());
        using var trainer = new Trainer(model, options with { Seed = seed }, device: null, checkpointDirectory: null, modelName: label);
        var losses = new StepLossRecorder();
        trainer.Callbacks.Add(losses);
        trainer.EpochCompleted += epoch => Log($"{label}, seed {seed}: epoch {epoch.Epoch}/{options.Epochs}, train loss {epoch.TrainLoss:G4}, {epoch.Seconds:F0} s");
        trainer.Warning += warning => Log($"{label}: {warning}");
        configure?.Invoke(trainer);
        TrainingResult result = trainer.Fit(train, null, Cancellation);
        if (result.Reason == StopReason.Interrupted)
        {
            throw new OperationCanceledException($"{label} was interrupted", Cancellation);
        }

        if (result.Reason == StopReason.Diverged)
        {
            string where = result.Divergence is { } d ? $"at step {d.Step:N0} (epoch {d.Epoch}): its loss {d.Description}" : "";
            Report.Diverged($"{label}, seed {seed}, diverged {where}; its numbers are those of the weights before that step");
            Log($"{label}, seed {seed}: diverged {where}");
        }

        EvaluationResult? tested = test is null ? null : trainer.Evaluate(test);
        inspect?.Invoke(trainer);
        var run = new TrainingRun(label, seed, parameters, result, losses.Losses, tested, watch.Elapsed.TotalSeconds, trainer.GradientFlow.Samples.ToList());
        Log($"{label}, seed {seed}: done in {run.Seconds:F0} s" + (tested is null ? "" : $", test loss {tested.Loss:G4}"));
        return run;
    }

    /// <summary>Disposes the data sets the context loaded.</summary>
    public void Dispose() => fashionMnist?.Dispose();

    /// <summary>Keeps each step's training loss (one scalar read per step; the CPU is synchronous anyway).</summary>
    private sealed class StepLossRecorder : ITrainerCallback
    {
        public List<double> Losses { get; } = new();

        public void OnBatchEnd(Trainer trainer, BatchResult batch) => Losses.Add(batch.Loss.item<float>());
    }
}
