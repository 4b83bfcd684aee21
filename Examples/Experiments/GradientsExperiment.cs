using System;
using System.Collections.Generic;
using System.Linq;
using Dsl.Examples.Models;
using Dsl.Runtime.Data;
using Dsl.Runtime.Experiments;
using Dsl.Runtime.Reporting;
using Dsl.Runtime.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Dsl.Examples.Experiments;

/// <summary>
/// <c>experiment gradients</c>: per-layer gradient-norm profiles, input to output, at initialisation and after one
/// epoch, for plain-56, ResNet-56, ResNet-56 with ReZero, and a 20-layer tanh MLP without and with residual adds.
/// </summary>
public sealed class GradientsExperiment : IExperiment
{
    private const int ProbeSize = 256;

    private static readonly (string Name, string Family, Func<nn.Module<Tensor, Tensor>> Build)[] Variants =
    {
        ("Plain56", "conv", () => new Plain56()),
        ("ResNet56", "conv", () => new ResNet56()),
        ("ReZeroResNet56", "conv", () => new ReZeroResNet56()),
        ("TanhMlp20", "mlp", () => new TanhMlp20()),
        ("ResidualTanhMlp20", "mlp", () => new ResidualTanhMlp20()),
    };

    public string Name => "gradients";

    public string Title => "Gradients: skips keep every layer's gradient within reach of the others";

    public string Description => "per-layer gradient norms at initialisation and after one epoch: plain-56, ResNet-56, ReZero ResNet-56, tanh MLPs with and without residual adds";

    public void Run(ExperimentContext context)
    {
        var (train, test) = ExperimentKit.FashionMnist(context);
        using var trainSet = train;
        using var testSet = test;
        var options = ExperimentKit.FashionRecipe(context.Pick(1, 1, 1), context.Pick(64, 128, 128));
        long probeCount = Math.Min(ProbeSize, trainSet.Count);
        using var probeInputs = trainSet.Inputs.narrow(0, 0, probeCount).clone();
        using var probeLabels = trainSet.Labels.narrow(0, 0, probeCount).clone();
        context.Report.Uses("recipe", $"one epoch of the training set for every network, batch {options.BatchSize}, SGD (Nesterov momentum 0.9), one-cycle schedule peaking at 0.1, weight decay 5e-4, crops and flips");
        context.Report.Uses("probe", $"each profile is one backward pass of the cross-entropy of the first {probeCount:N0} training images, in training mode, before training and after the epoch; the norm of each weighted layer's gradient (BatchNorm and the ReZero scales left out)");

        var results = new List<(string Name, string Family, long Seed, TrainingRun Run, Profile Start, Profile End)>();
        foreach (long seed in context.Seeds)
        {
            foreach (var variant in Variants)
            {
                Profile? start = null, end = null;
                var run = context.Train(variant.Name, variant.Build, options, trainSet, testSet, seed,
                    configure: t => start = Probe(t, probeInputs, probeLabels),
                    inspect: t => end = Probe(t, probeInputs, probeLabels));
                results.Add((variant.Name, variant.Family, seed, run, start!, end!));
            }
        }

        var byName = Variants.Select(v => (v.Name, v.Family, Runs: results.Where(r => r.Name == v.Name).ToList())).ToList();
        context.Report.Heading("Results");
        context.Report.Paragraph("Input side is the first weighted layer (the stem convolution, or the MLP's first linear map), output side the last (the classifier). The spread is the largest layer norm over the smallest non-zero one.");
        context.Report.Table(
            new[] { "network", "weighted layers", "input side, start", "output side, start", "input / output, start", "spread, start", "input side, after 1 epoch", "output side, after 1 epoch", "input / output, after 1 epoch", "spread, after 1 epoch", "layers with zero gradient, start", "test accuracy" },
            byName.Select(v => (IReadOnlyList<ReportCell>)new ReportCell[]
            {
                v.Name, ReportCell.Number(v.Runs[0].Start.Norms.Count, "N0"),
                ReportCell.Numbers(v.Runs.Select(r => r.Start.Input), "G3"),
                ReportCell.Numbers(v.Runs.Select(r => r.Start.Output), "G3"),
                ReportCell.Numbers(v.Runs.Select(r => r.Start.Input / r.Start.Output), "G3"),
                ReportCell.Numbers(v.Runs.Select(r => r.Start.Spread), "G3"),
                ReportCell.Numbers(v.Runs.Select(r => r.End.Input), "G3"),
                ReportCell.Numbers(v.Runs.Select(r => r.End.Output), "G3"),
                ReportCell.Numbers(v.Runs.Select(r => r.End.Input / r.End.Output), "G3"),
                ReportCell.Numbers(v.Runs.Select(r => r.End.Spread), "G3"),
                ReportCell.Numbers(v.Runs.Select(r => (double)r.Start.Zeros), "N0"),
                ReportCell.Percent(v.Runs.Select(r => r.Run.TestMetric("accuracy"))),
            }).ToList());

        foreach (var (family, file, title) in new[] { ("conv", "profiles-conv.png", "56-layer convolutional networks"), ("mlp", "profiles-mlp.png", "20-layer tanh MLPs") })
        {
            var series = new List<ChartSeries>();
            foreach (var v in byName.Where(v => v.Family == family))
            {
                series.Add(ExperimentKit.MeanSeries(v.Name + ", start", v.Runs.Select(r => r.Start.Curve()).ToList()));
                series.Add(ExperimentKit.MeanSeries(v.Name + ", after 1 epoch", v.Runs.Select(r => r.End.Curve()).ToList(), dashed: true));
            }
            context.Report.Chart(file, $"Gradient norm of each weighted layer, input (left) to output (right): {title}",
                new LineChart($"Gradient norm per layer: {title}", "layer (input → output)", "gradient norm", series, LogY: true));
        }

        double Mean(string name, Func<(string Name, string Family, long Seed, TrainingRun Run, Profile Start, Profile End), double> pick) =>
            byName.Single(v => v.Name == name).Runs.Average(pick);
        context.Report.Heading("What we see");
        double mlpRatio = Mean("TanhMlp20", r => r.Start.Input / r.Start.Output), residualMlpRatio = Mean("ResidualTanhMlp20", r => r.Start.Input / r.Start.Output);
        double plainSpread = Mean("Plain56", r => r.Start.Spread), resSpread = Mean("ResNet56", r => r.Start.Spread);
        context.Report.Bullets(new[]
        {
            $"The tanh MLP without skips is the textbook vanishing case: at the start its first layer gets {mlpRatio:G3} of the last layer's gradient norm; with residual adds the same layers get {residualMlpRatio:G3}" +
                (residualMlpRatio > mlpRatio ? $", {residualMlpRatio / mlpRatio:G3} times more." : ", no more: the residual adds did not help here."),
            $"With BatchNorm after every convolution, plain-56's trouble is the opposite: its input-side gradient is {Mean("Plain56", r => r.Start.Input / r.Start.Output):G3} times its output side's at the start, and its layer norms spread over a factor of {plainSpread:G3}; ResNet-56's spread over {resSpread:G3}" +
                (plainSpread > resSpread ? ", so the skips keep the layers' gradients on one scale." : "."),
            $"ReZero starts each residual branch at zero, so at the start {Mean("ReZeroResNet56", r => r.Start.Zeros):N0} of its {byName.Single(v => v.Name == "ReZeroResNet56").Runs[0].Start.Norms.Count} weighted layers get exactly zero gradient (only the scales α, the stem, the projections and the classifier learn in the first step); after one epoch its spread is {Mean("ReZeroResNet56", r => r.End.Spread):G3}, against ResNet-56's {Mean("ResNet56", r => r.End.Spread):G3} and plain-56's {Mean("Plain56", r => r.End.Spread):G3}.",
            $"After one epoch the test accuracies are plain-56 {100 * Mean("Plain56", r => r.Run.TestMetric("accuracy")):F2} %, ResNet-56 {100 * Mean("ResNet56", r => r.Run.TestMetric("accuracy")):F2} %, ReZero ResNet-56 {100 * Mean("ReZeroResNet56", r => r.Run.TestMetric("accuracy")):F2} %, tanh MLP {100 * Mean("TanhMlp20", r => r.Run.TestMetric("accuracy")):F2} % and residual tanh MLP {100 * Mean("ResidualTanhMlp20", r => r.Run.TestMetric("accuracy")):F2} %.",
        });
    }

    /// <summary>One backward pass of the probe batch in training mode; the gradients are cleared again, and BatchNorm's running statistics restored.</summary>
    private static Profile Probe(Trainer trainer, Tensor inputs, Tensor labels)
    {
        var model = trainer.Model;
        var saved = model.state_dict().ToDictionary(p => p.Key, p => p.Value.clone());
        try
        {
            using var scope = NewDisposeScope();
            model.train();
            trainer.Optimizer.zero_grad();
            Tensor x = trainer.Normalization is { } n ? n.Apply(inputs.to(trainer.Device)) : inputs.to(trainer.Device);
            Tensor loss = nn.functional.cross_entropy(model.forward(x), labels.to(trainer.Device));
            loss.backward();
            var recorder = new GradientFlowRecorder(every: 1);
            recorder.Record(model, 0, 0);
            trainer.Optimizer.zero_grad();
            return new Profile(recorder.Samples.OrderBy(s => s.LayerIndex).Select(s => s.Norm).ToList());
        }
        finally
        {
            using (no_grad())
            {
                foreach (var (name, value) in model.state_dict())
                {
                    value.copy_(saved[name]);
                }
            }
            foreach (var value in saved.Values)
            {
                value.Dispose();
            }
        }
    }

    /// <summary>A gradient-norm profile, input side first.</summary>
    private sealed record Profile(IReadOnlyList<double> Norms)
    {
        public double Input => Norms[0];

        public double Output => Norms[^1];

        public double Spread => Norms.Where(n => n > 0).Max() / Norms.Where(n => n > 0).Min();

        public int Zeros => Norms.Count(n => n == 0);

        public (double[] X, double[] Y) Curve() => (Enumerable.Range(0, Norms.Count).Select(i => (double)i).ToArray(), Norms.ToArray());
    }
}
