using System;
using System.Collections.Generic;
using System.Linq;
using Dsl.Examples.Models;
using Dsl.Runtime.Data;
using Dsl.Runtime.Experiments;
using Dsl.Runtime.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Dsl.Examples.Experiments;

/// <summary>
/// <c>experiment unet</c>: U-Net denoising of Fashion-MNIST (Gaussian noise σ = 0.5 on images in 0..1, the clean image the
/// target) with its Concat skips and without them, the no-skip decoder widened to the same parameter budget.
/// </summary>
public sealed class UNetExperiment : IExperiment
{
    private const float Sigma = 0.5f;

    private const int Shown = 6;

    public string Name => "unet";

    public string Title => "U-Net denoising: the Concat skips carry the detail the bottleneck loses";

    public string Description => "U-Net denoising of Fashion-MNIST (σ = 0.5) with and without its Concat skips at equal parameter budgets: test PSNR and example outputs";

    public int DefaultSeeds => 3;

    public void Run(ExperimentContext context)
    {
        int epochs = context.Pick(1, 4, 20);
        var (allTrain, cleanTest) = ExperimentKit.FashionMnist(context); // all 8,000 embedded images: 3 seeds × 2 networks × 4 epochs fit 30 minutes
        using var testClean = cleanTest;
        using var trainClean = allTrain;
        using var train = Noisy(trainClean, 1);
        using var test = Noisy(testClean, 2);
        var options = new TrainerOptions
        {
            Task = TrainingTask.Regression,
            Epochs = epochs,
            BatchSize = 64,
            Optimizer = OptimizerKind.Adam,
            LearningRate = 2e-3,
            Schedule = ScheduleKind.Cosine,
            Normalize = false,
            GradientLogEvery = 0,
            ProgressEvery = 50,
        };
        context.Report.Uses("task", $"denoising: the input is the image (pixels in 0..1) plus Gaussian noise of σ = {Sigma:G2}, drawn once per image with a fixed seed and not clipped; the target is the clean image; PSNR = 10·log10(1 / MSE) on the 0..1 scale over the whole test set");
        context.Report.Uses("recipe", $"both networks: {epochs} epoch(s), batch {options.BatchSize}, Adam (learning rate {options.LearningRate:G3}) with cosine decay, MSE loss, no input normalisation (inputs and targets stay on the 0..1 scale of the PSNR), no augmentation; the same seeds for both");

        var variants = new (string Name, string Skips, Func<nn.Module<Tensor, Tensor>> Build)[]
        {
            ("U-Net without skips", "none (decoder widened)", () => new UNetNoSkip()),
            ("U-Net", "two Concat skips", () => new UNet()),
        };
        var runs = new List<(string Name, TrainingRun Run)>();
        var outputs = new Dictionary<string, float[][,]>();
        using Tensor shownInputs = test.Inputs.narrow(0, 0, Shown);
        foreach (long seed in context.Seeds)
        {
            foreach (var variant in variants)
            {
                var run = context.Train(variant.Name, variant.Build, options, train, test, seed, inspect: t =>
                {
                    if (!outputs.ContainsKey(variant.Name))
                    {
                        using var predicted = t.Predict(shownInputs);
                        outputs[variant.Name] = Images(predicted);
                    }
                });
                runs.Add((variant.Name, run));
            }
        }

        double inputPsnr = Psnr(test.Inputs, test.Labels);
        var byName = variants.Select(v => (v.Name, v.Skips, Runs: runs.Where(r => r.Name == v.Name).Select(r => r.Run).ToList())).ToList();
        double Mean(string name, Func<TrainingRun, double> value) => byName.Single(v => v.Name == name).Runs.Average(value);

        context.Report.Heading("Results");
        context.Report.Paragraph($"PSNR and MSE on the {test.Count:N0} noisy test images against their clean originals; the first row is the noisy input itself. The two networks share the encoder and the bottleneck; without skips the decoder is widened (48 and 24 channels instead of 32 and 16) so that both have about the same number of parameters.");
        var rows = new List<IReadOnlyList<ReportCell>>
        {
            new ReportCell[] { "noisy input", "—", "—", ReportCell.Number(inputPsnr, "F2"), ReportCell.Number(Math.Pow(10, -inputPsnr / 10), "F5"), "—", "—" },
        };
        rows.AddRange(byName.Select(v => (IReadOnlyList<ReportCell>)new ReportCell[]
        {
            v.Name, v.Skips, ReportCell.Number(v.Runs[0].Parameters, "N0"),
            ReportCell.Numbers(v.Runs.Select(r => r.TestMetric("psnr")), "F2"),
            ReportCell.Numbers(v.Runs.Select(r => r.TestMetric("mse")), "F5"),
            ReportCell.Numbers(v.Runs.Select(r => r.Final.TrainLoss), "F5"),
            ReportCell.Numbers(v.Runs.Select(r => r.Seconds), "F0"),
        }));
        context.Report.Table(new[] { "network", "skips", "parameters", "test PSNR (dB)", "test MSE", "final training loss (MSE)", "seconds" }, rows);

        int window = Math.Max(1, context.Pick(1, 25, 100));
        context.Report.Chart("training-loss.png", "Training loss (MSE) against step, smoothed (mean over seeds; the band spans the seeds); dashed: without skips",
            new LineChart("Training loss", "step", "MSE", byName.Select(v =>
                ExperimentKit.MeanSeries(v.Name, v.Runs.Select(r => ExperimentKit.Smooth(r.StepLosses, window)).ToList(), dashed: v.Name.Contains("without", StringComparison.Ordinal))).ToList(), LogY: true));
        float[][,] noisy = Images(shownInputs), clean = Images(test.Labels.narrow(0, 0, Shown));
        context.Report.Grid("examples.png", $"The first {Shown} test images (first seed's networks; the noisy input and the outputs clipped to 0..1 for display)",
            new ImageGrid(new[] { "noisy", "without skips", "with skips", "clean" },
                Enumerable.Range(0, Shown).Select(i => ($"test {i + 1}", (IReadOnlyList<float[,]>)new[] { noisy[i], outputs[variants[0].Name][i], outputs[variants[1].Name][i], clean[i] })).ToList()));

        context.Report.Heading("What we see");
        double with = Mean("U-Net", r => r.TestMetric("psnr")), without = Mean("U-Net without skips", r => r.TestMetric("psnr"));
        long withParameters = byName[1].Runs[0].Parameters, withoutParameters = byName[0].Runs[0].Parameters;
        int wins = Enumerable.Range(0, context.Seeds.Count).Count(i => byName[1].Runs[i].TestMetric("psnr") > byName[0].Runs[i].TestMetric("psnr"));
        context.Report.Bullets(new[]
        {
            $"The noisy input has a PSNR of {inputPsnr:F2} dB. The U-Net with skips ({withParameters:N0} parameters) brings it to {with:F2} dB, the one without ({withoutParameters:N0} parameters, {100.0 * (withoutParameters - withParameters) / withParameters:+0.00;-0.00} %) to {without:F2} dB: " +
                (with > without ? $"the skips are worth {with - without:F2} dB" : with < without ? $"the skips cost {without - with:F2} dB" : "no difference") +
                $", and the U-Net with skips has the higher PSNR on {wins} of {context.Seeds.Count} seed(s).",
            "Without skips everything the decoder knows has passed through the 7×7×64 bottleneck; with them it also sees the 28×28 and 14×14 encoder features, which is where the edges and texture of a garment are. Whether that shows in the outputs can be judged in the figure: the second and third columns.",
            "Ronneberger et al. (2015) introduced the Concat skips for segmentation, to give the decoder back the localisation the contracting path loses; for denoising, Mao et al. (2016, RED-Net) report higher PSNR with symmetric skips between encoder and decoder than without them at the same depth. " +
                (context.Budget == ExperimentBudget.Full ? $"This run trains {epochs} epochs on the full training set." : $"This run trains {epochs} epoch(s) on {train.Count:N0} images with {context.Seeds.Count} seed(s), to fit 2 CPU cores (`--full`: 20 epochs on all 60,000)."),
        });
    }

    /// <summary>The images of <paramref name="clean"/> with Gaussian noise of σ = <see cref="Sigma"/> (seeded by <paramref name="stream"/>), the clean images the targets.</summary>
    private static TensorDataset Noisy(TensorDataset clean, ulong stream)
    {
        using var scope = NewDisposeScope();
        using var generator = new torch.Generator(4_242 + stream, CPU);
        var noise = randn(clean.Inputs.shape, generator: generator) * Sigma;
        return new TensorDataset(clean.Inputs + noise, clean.Inputs.clone());
    }

    /// <summary>10·log10(1 / MSE) of <paramref name="output"/> against <paramref name="target"/>.</summary>
    private static double Psnr(Tensor output, Tensor target)
    {
        using var scope = NewDisposeScope();
        double mse = (output - target).square().mean().item<float>();
        return 10 * Math.Log10(1 / mse);
    }

    /// <summary>Images [N, 1, H, W] as N arrays [H, W], clipped to 0..1.</summary>
    private static float[][,] Images(Tensor images)
    {
        using var scope = NewDisposeScope();
        Tensor clipped = images.clamp(0, 1).to(ScalarType.Float32).cpu();
        long n = clipped.shape[0], h = clipped.shape[2], w = clipped.shape[3];
        float[] values = clipped.contiguous().data<float>().ToArray();
        var result = new float[n][,];
        for (long i = 0; i < n; i++)
        {
            var image = new float[h, w];
            for (long y = 0; y < h; y++)
            {
                for (long x = 0; x < w; x++)
                {
                    image[y, x] = values[(i * h * w) + (y * w) + x];
                }
            }

            result[i] = image;
        }

        return result;
    }
}
