using System;
using System.Collections.Generic;
using System.Linq;
using Dsl.Examples.Models;
using Dsl.Runtime.Experiments;
using TorchSharp;
using static TorchSharp.torch;

namespace Dsl.Examples.Experiments;

/// <summary>
/// <c>experiment densenet</c>: DenseNet-BC against a plain CNN and a ResNet of about its parameter count on Fashion-MNIST.
/// Huang et al. (2017) found that concatenating every earlier layer's features (feature reuse) matches a ResNet with far fewer parameters.
/// </summary>
public sealed class DenseNetExperiment : IExperiment
{
    private static readonly (string Name, string Skips, Func<nn.Module<Tensor, Tensor>> Build)[] Variants =
    {
        ("Plain14", "none", () => new Plain14()),
        ("ResNet14", "Add (identity and projection)", () => new ResNet14()),
        ("DenseNetBC", "Concat (every layer to all later ones in its block)", () => new DenseNetBC()),
    };

    public string Name => "densenet";

    public string Title => "DenseNet: feature reuse against a plain CNN and a ResNet of equal size";

    public string Description => "DenseNet-BC (k = 12, depth 40) against a plain CNN and a ResNet of about its 176,000 parameters: accuracy per parameter";

    public void Run(ExperimentContext context)
    {
        int epochs = context.Pick(1, 3, 40);
        var (train, test) = ExperimentKit.FashionMnist(context);
        using var trainSet = train;
        using var testSet = test;
        var options = ExperimentKit.FashionRecipe(epochs, context.Pick(64, 128, 64));
        context.Report.Uses("recipe", $"every network: {epochs} epoch(s), batch {options.BatchSize}, SGD (Nesterov momentum 0.9), one-cycle schedule peaking at 0.1, weight decay 5e-4, crops and flips");

        var byName = ExperimentKit.TrainEach(context, Variants, v => v.Name, v => v.Build(), options, trainSet, testSet)
            .Select(t => (t.Variant.Name, t.Variant.Skips, t.Runs)).ToList();
        context.Report.Heading("Results");
        context.Report.Table(
            new[] { "network", "skips", "parameters", "test accuracy", "test loss", "train loss, last epoch", "test accuracy per 100,000 parameters", "seconds per epoch" },
            byName.Select(v => (IReadOnlyList<ReportCell>)new ReportCell[]
            {
                v.Name, v.Skips, ReportCell.Number(v.Runs[0].Parameters, "N0"),
                ReportCell.Percent(v.Runs.Select(r => r.TestMetric("accuracy"))),
                ReportCell.Numbers(v.Runs.Select(r => r.TestMetric("loss")), "F4"),
                ReportCell.Numbers(v.Runs.Select(r => r.Final.TrainLoss), "F4"),
                ReportCell.Numbers(v.Runs.Select(r => 100 * r.TestMetric("accuracy") / (r.Parameters / 100_000.0)), "F2", " %"),
                ReportCell.Numbers(v.Runs.Select(r => r.Result.History.Average(e => e.Seconds)), "F0"),
            }).ToList());
        int window = context.Pick(2, 10, 50);
        context.Report.Chart("training-loss.png", "Training loss against step (smoothed; mean over seeds, the band spans them)",
            ExperimentKit.LossChart(byName.Select(v => (v.Name, v.Runs, false)), window));

        double Accuracy(string name) => byName.Single(v => v.Name == name).Runs.Average(r => r.TestMetric("accuracy"));
        double Seconds(string name) => byName.Single(v => v.Name == name).Runs.Average(r => r.Result.History.Average(e => e.Seconds));
        long Parameters(string name) => byName.Single(v => v.Name == name).Runs[0].Parameters;
        string Versus(double a, double b) => a > b ? "above" : a < b ? "below" : "equal to";
        context.Report.Heading("What we see");
        context.Report.Bullets(new[]
        {
            $"At {Parameters("DenseNetBC"):N0} parameters DenseNet-BC reaches {100 * Accuracy("DenseNetBC"):F2} % test accuracy, {Versus(Accuracy("DenseNetBC"), Accuracy("ResNet14"))} the {Parameters("ResNet14"):N0}-parameter ResNet-14's {100 * Accuracy("ResNet14"):F2} % and {Versus(Accuracy("DenseNetBC"), Accuracy("Plain14"))} the plain CNN's {100 * Accuracy("Plain14"):F2} % ({Parameters("Plain14"):N0} parameters).",
            $"Huang et al. report that DenseNet-BC needs about a third of a ResNet's parameters for the same CIFAR error. Feature reuse costs time here: an epoch of DenseNet-BC takes {Seconds("DenseNetBC"):F0} s against ResNet-14's {Seconds("ResNet14"):F0} s ({Seconds("DenseNetBC") / Seconds("ResNet14"):F1}×), because its 40 layers run at 28×28 and 14×14 with growing concatenations, while ResNet-14's 14 layers are wider and fewer.",
            context.Budget == ExperimentBudget.Full
                ? "This is the full-length run (40 epochs of the 60,000 images)."
                : $"This run trains {epochs} epoch(s) of {trainSet.Count:N0} images; `--full` trains 40 epochs on all 60,000.",
        });
    }
}
