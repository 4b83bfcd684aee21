using System;
using System.Collections.Generic;
using System.Linq;
using Dsl.Examples.Models;
using Dsl.Runtime.Experiments;
using Dsl.Runtime.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Dsl.Examples.Experiments;

/// <summary>
/// <c>experiment depth</c>: plain and residual networks of 20, 32 and 56 layers on Fashion-MNIST with one recipe and
/// budget. He et al. (2016) found that without skips the deeper network trains worse (the degradation problem), with
/// them better.
/// </summary>
public sealed class DepthExperiment : IExperiment
{
    private static readonly (string Name, int Depth, bool Residual, Func<nn.Module<Tensor, Tensor>> Build)[] Variants =
    {
        ("Plain20", 20, false, () => new Plain20()),
        ("ResNet20", 20, true, () => new ResNet20()),
        ("Plain32", 32, false, () => new Plain32()),
        ("ResNet32", 32, true, () => new ResNet32()),
        ("Plain56", 56, false, () => new Plain56()),
        ("ResNet56", 56, true, () => new ResNet56()),
    };

    public string Name => "depth";

    public string Title => "Depth: without skips deeper trains worse, with skips deeper trains better";

    public string Description => "plain vs residual networks of 20, 32 and 56 layers on Fashion-MNIST: training loss, train and test error, first-layer gradients";

    public void Run(ExperimentContext context)
    {
        int epochs = context.Pick(1, 3, 40);
        var (train, test) = ExperimentKit.FashionMnist(context);
        using var trainSet = train;
        using var testSet = test;
        var options = ExperimentKit.FashionRecipe(epochs, context.Pick(64, 128, 128));
        context.Report.Uses("recipe", $"every network: {epochs} epoch(s), batch {options.BatchSize}, SGD (Nesterov momentum 0.9) with a one-cycle schedule peaking at 0.1, weight decay 5e-4, random 2-pixel crops and flips; the same seeds for every network");

        // Each trained model is also evaluated on the training set (evaluation mode), in the same seed order as its runs.
        var trainEvaluations = Variants.ToDictionary(v => v.Name, _ => new List<EvaluationResult>());
        var trained = ExperimentKit.TrainEach(context, Variants, v => v.Name, v => v.Build(), options, trainSet, testSet,
            inspect: (v, t) => trainEvaluations[v.Name].Add(t.Evaluate(trainSet)));
        var byName = trained.Select(t => (t.Variant.Name, t.Variant.Depth, t.Variant.Residual,
            Runs: t.Runs.Select((r, i) => (Run: r, TrainEval: trainEvaluations[t.Variant.Name][i])).ToList())).ToList();
        double TrainError(string name) => byName.Single(v => v.Name == name).Runs.Average(r => 1 - r.TrainEval.Accuracy);
        double TestError(string name) => byName.Single(v => v.Name == name).Runs.Average(r => 1 - r.Run.TestMetric("accuracy"));

        context.Report.Heading("Results");
        context.Report.Paragraph("Training error and loss are measured after training on the whole training set in evaluation mode (no augmentation, BatchNorm's running statistics), so plain and residual networks are compared on the same footing; the test error on the test set. The first convolution's gradient norm is recorded every 10 steps.");
        context.Report.Table(
            new[] { "network", "layers", "skips", "parameters", "train loss", "train error", "test error", "first-layer gradient norm, step 0", "first-layer gradient norm, median of training", "seconds" },
            byName.Select(v => (IReadOnlyList<ReportCell>)new ReportCell[]
            {
                v.Name, ReportCell.Number(v.Depth, "N0"), v.Residual ? "identity + projection" : "none",
                ReportCell.Number(v.Runs[0].Run.Parameters, "N0"),
                ReportCell.Numbers(v.Runs.Select(r => r.TrainEval.Loss), "F4"),
                ReportCell.Percent(v.Runs.Select(r => 1 - r.TrainEval.Accuracy)),
                ReportCell.Percent(v.Runs.Select(r => 1 - r.Run.TestMetric("accuracy"))),
                ReportCell.Numbers(v.Runs.Select(r => ExperimentKit.FirstLayerNorms(r.Run).Y[0]), "G3"),
                ReportCell.Numbers(v.Runs.Select(r => ExperimentKit.Median(ExperimentKit.FirstLayerNorms(r.Run).Y)), "G3"),
                ReportCell.Numbers(v.Runs.Select(r => r.Run.Seconds), "F0"),
            }).ToList());

        int window = Math.Max(1, context.Pick(2, 10, 50));
        context.Report.Chart("training-loss.png", "Training loss against step, each line a network (mean over seeds; the band spans the seeds)",
            ExperimentKit.LossChart(byName.Select(v => (v.Name, (IReadOnlyList<TrainingRun>)v.Runs.Select(r => r.Run).ToList(), !v.Residual)), window));
        context.Report.Chart("first-layer-gradients.png", "Gradient norm of the first convolution against step (log scale)",
            new LineChart("First-layer gradient norm", "step", "gradient norm", byName.Select(v =>
                ExperimentKit.MeanSeries(v.Name, v.Runs.Select(r => ExperimentKit.FirstLayerNorms(r.Run)).ToList(), dashed: !v.Residual)).ToList(), LogY: true));

        context.Report.Heading("What we see");
        string Compare(double deep, double shallow) => deep > shallow ? "higher" : deep < shallow ? "lower" : "the same";
        context.Report.Bullets(new[]
        {
            $"Without skips, depth {(TrainError("Plain56") > TrainError("Plain20") ? "hurts" : "does not hurt")} training: plain-56's training error is {100 * TrainError("Plain56"):F2} %, {Compare(TrainError("Plain56"), TrainError("Plain20"))} than plain-20's {100 * TrainError("Plain20"):F2} % (plain-32: {100 * TrainError("Plain32"):F2} %). He et al. report the same ordering on CIFAR-10: a deeper plain network has the higher training error, which is not overfitting but optimisation failing.",
            $"With skips, ResNet-56's training error is {100 * TrainError("ResNet56"):F2} % against ResNet-20's {100 * TrainError("ResNet20"):F2} % (ResNet-32: {100 * TrainError("ResNet32"):F2} %), and its test error {100 * TestError("ResNet56"):F2} % against {100 * TestError("ResNet20"):F2} % (ResNet-32: {100 * TestError("ResNet32"):F2} %). He et al.'s CIFAR-10 test errors for ResNet-20/32/56 are 8.75/7.51/6.97 % after 64,000 steps; " +
                (context.Budget == ExperimentBudget.Full ? "this is the full-length run." : $"this run has {epochs} epoch(s) of the {trainSet.Count:N0}-image training set ({byName[0].Runs[0].Run.Result.Steps:N0} steps), so deeper networks, which need more steps, are at a disadvantage here; `--full` trains 40 epochs on all 60,000 images."),
            $"At initialisation the first convolution of plain-56 gets a gradient of norm {byName.Single(v => v.Name == "Plain56").Runs.Average(r => ExperimentKit.FirstLayerNorms(r.Run).Y[0]):G3} against ResNet-56's {byName.Single(v => v.Name == "ResNet56").Runs.Average(r => ExperimentKit.FirstLayerNorms(r.Run).Y[0]):G3}: with BatchNorm after every convolution the plain network's gradients grow toward the input rather than vanish (the gradient-flow profiles are in the `gradients` experiment).",
        });
    }
}
