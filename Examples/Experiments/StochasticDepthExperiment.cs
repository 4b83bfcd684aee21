using System;
using System.Collections.Generic;
using System.Linq;
using Dsl.Examples.Models;
using Dsl.Runtime.Experiments;
using TorchSharp;
using static TorchSharp.torch;

namespace Dsl.Examples.Experiments;

/// <summary>
/// <c>experiment stochastic-depth</c>: ResNet-56 with and without linearly increasing DropPath (Huang et al., 2016: a
/// lower test error and, dropping whole blocks per batch, a shorter training time).
/// </summary>
public sealed class StochasticDepthExperiment : IExperiment
{
    private static readonly (string Name, string Rule, Func<nn.Module<Tensor, Tensor>> Build)[] Variants =
    {
        ("ResNet56", "none", () => new ResNet56()),
        ("ResNet56DropPath", "linear rule", () => new ResNet56DropPath()),
    };

    public string Name => "stochastic-depth";

    public string Title => "Stochastic depth: ResNet-56 with and without DropPath";

    public string Description => "ResNet-56 with and without linearly increasing DropPath (p_L = 0.5): test error, training loss and training time";

    public void Run(ExperimentContext context)
    {
        int epochs = context.Pick(1, 3, 40);
        var (train, test) = ExperimentKit.FashionMnist(context);
        using var trainSet = train;
        using var testSet = test;
        var options = ExperimentKit.FashionRecipe(epochs, context.Pick(64, 128, 128));
        context.Report.Uses("recipe", $"both networks: {epochs} epoch(s), batch {options.BatchSize}, SGD (Nesterov momentum 0.9), one-cycle schedule peaking at 0.1, weight decay 5e-4, crops and flips; same initial weights for a seed (the two models have the same layers)");

        var byName = ExperimentKit.TrainEach(context, Variants, v => v.Name, v => v.Build(), options, trainSet, testSet)
            .Select(t => (t.Variant.Name, t.Variant.Rule, t.Runs)).ToList();
        context.Report.Heading("Results");
        context.Report.Paragraph("The linear rule of Huang et al.: in training, block l of the 27 drops its residual branch with probability 0.5·l/27 for each example, so the last block is dropped half of the time; evaluation keeps every block.");
        context.Report.Table(
            new[] { "network", "DropPath", "test error", "test loss", "train loss, last epoch", "seconds per epoch", "training examples per second" },
            byName.Select(v => (IReadOnlyList<ReportCell>)new ReportCell[]
            {
                v.Name, v.Rule,
                ReportCell.Percent(v.Runs.Select(r => 1 - r.TestMetric("accuracy"))),
                ReportCell.Numbers(v.Runs.Select(r => r.TestMetric("loss")), "F4"),
                ReportCell.Numbers(v.Runs.Select(r => r.Final.TrainLoss), "F4"),
                ReportCell.Numbers(v.Runs.Select(r => r.Result.History.Average(e => e.Seconds)), "F0"),
                ReportCell.Numbers(v.Runs.Select(r => r.Result.History.Average(e => e.ExamplesPerSecond)), "F0"),
            }).ToList());
        int window = context.Pick(2, 10, 50);
        context.Report.Chart("training-loss.png", "Training loss against step (smoothed; mean over seeds, the band spans them)",
            ExperimentKit.LossChart(byName.Select(v => (v.Name, v.Runs, false)), window));

        double Error(string name) => byName.Single(v => v.Name == name).Runs.Average(r => 1 - r.TestMetric("accuracy"));
        double Seconds(string name) => byName.Single(v => v.Name == name).Runs.Average(r => r.Result.History.Average(e => e.Seconds));
        context.Report.Heading("What we see");
        context.Report.Bullets(new[]
        {
            $"Test error: {100 * Error("ResNet56DropPath"):F2} % with DropPath against {100 * Error("ResNet56"):F2} % without" +
                (Error("ResNet56DropPath") < Error("ResNet56") ? ", lower, as Huang et al. found (CIFAR-10, 110 layers: 6.41 % → 5.25 %)." : $", not lower: Huang et al. found it lower (CIFAR-10, 110 layers: 6.41 % → 5.25 %) after 500 epochs, while dropping blocks is a regulariser that slows the fit of a short run like this one ({epochs} epoch(s))."),
            $"Time: an epoch takes {Seconds("ResNet56DropPath"):F0} s with DropPath against {Seconds("ResNet56"):F0} s without ({Seconds("ResNet56DropPath") / Seconds("ResNet56"):F2}×). " +
                "The generated DropPath drops each example's branch on its own (a per-example mask, as timm does), so the dropped branches are still computed: unlike Huang et al.'s per-batch dropping, which skips them and saves about a quarter of the time, it saves nothing.",
        });
    }
}
