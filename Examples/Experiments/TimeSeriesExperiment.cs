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
/// <c>experiment timeseries</c>: a 1-D residual CNN and its plain twin (the same layers without the skips) forecast the
/// next 24 values of a synthetic seasonal series with regime changes from a window of 96; their MAE on the later,
/// held-out part of the series is compared with the seasonal naive forecast (the value one season ago).
/// </summary>
public sealed class TimeSeriesExperiment : IExperiment
{
    private const int Season = 24;

    private const int Window = 96;

    private const int Horizon = 24;

    public string Name => "timeseries";

    public string Title => "Forecasting: a residual 1-D CNN against its plain twin and the seasonal naive forecast";

    public string Description => "a 1-D residual CNN and the same layers without skips forecasting a seasonal series with regime changes: test MAE against the value one season ago";

    public int DefaultSeeds => 2;

    public void Run(ExperimentContext context)
    {
        int length = context.Pick(1_500, 6_000, 48_000);
        int cut = (int)(length * 0.8);
        int epochs = context.Pick(1, 3, 20);
        var options = new TrainerOptions
        {
            Task = TrainingTask.Regression,
            RegressionLoss = RegressionLoss.L1,
            Epochs = epochs,
            BatchSize = 128,
            Optimizer = OptimizerKind.Adam,
            LearningRate = 1e-3,
            Schedule = ScheduleKind.Cosine,
            Normalize = false,
            GradientLogEvery = 0,
            ProgressEvery = 50,
        };
        context.Report.Uses("data", $"a synthetic series of {length:N0} values per seed: a level and a slope, a season of {Season} (a sine and its second harmonic) whose amplitude and phase, with the level and slope, change at regime boundaries every 600–1,600 values, a slow cycle of 168, and AR(1) noise (φ = 0.8); the first {cut:N0} values train, the last {length - cut:N0} test; windows of {Window} in, the next {Horizon} out, every offset (stride 1)");
        context.Report.Uses("recipe", $"both networks: {epochs} epochs, batch {options.BatchSize}, Adam (learning rate {options.LearningRate:G3}) with cosine decay, L1 loss (the MAE itself), no input normalisation (the series is already of unit scale); the same series and seeds for both");

        var results = new List<(string Name, TrainingRun Run, double[] ByHorizon, double[] Example)>();
        var baselines = new List<(long Seed, double Seasonal, double Last, double[] SeasonalByHorizon, double[] LastByHorizon)>();
        (float[] History, float[] Truth, float[] Seasonal)? example = null;
        foreach (long seed in context.Seeds)
        {
            float[] series = MakeSeries(length, seed);
            using var train = TimeSeriesWindows.Create(series[..cut], Window, Horizon);
            using var test = TimeSeriesWindows.Create(series[cut..], Window, Horizon);
            long exampleIndex = test.Count / 2;
            using (var scope = NewDisposeScope())
            {
                Tensor seasonal = test.Inputs.select(1, 0).narrow(1, Window - Season, Horizon);
                Tensor last = test.Inputs.select(1, 0).narrow(1, Window - 1, 1).expand(-1, Horizon);
                double[] seasonalByHorizon = (seasonal - test.Labels).abs().mean(new long[] { 0 }).data<float>().Select(v => (double)v).ToArray();
                double[] lastByHorizon = (last - test.Labels).abs().mean(new long[] { 0 }).data<float>().Select(v => (double)v).ToArray();
                baselines.Add((seed, seasonalByHorizon.Average(), lastByHorizon.Average(), seasonalByHorizon, lastByHorizon));
                if (example is null)
                {
                    example = (test.Inputs[exampleIndex, 0].data<float>().ToArray(), test.Labels[exampleIndex].data<float>().ToArray(),
                        seasonal[exampleIndex].data<float>().ToArray());
                }
            }

            foreach (var (name, build) in new (string, Func<nn.Module<Tensor, Tensor>>)[] { ("plain CNN", () => new ForecastPlain1d()), ("residual CNN", () => new ForecastResNet1d()) })
            {
                double[] byHorizon = Array.Empty<double>(), forecast = Array.Empty<double>();
                var run = context.Train(name, build, options, train, test, seed, inspect: t =>
                {
                    using var scope = NewDisposeScope();
                    Tensor predicted = t.Predict(test.Inputs);
                    byHorizon = (predicted - test.Labels).abs().mean(new long[] { 0 }).data<float>().Select(v => (double)v).ToArray();
                    forecast = predicted[exampleIndex].data<float>().Select(v => (double)v).ToArray();
                });
                results.Add((name, run, byHorizon, forecast));
            }
        }

        var models = new[] { "plain CNN", "residual CNN" }.Select(n => (Name: n, Runs: results.Where(r => r.Name == n).ToList())).ToList();
        double Mae(string name) => models.Single(m => m.Name == name).Runs.Average(r => r.Run.TestMetric("mae"));
        double Ratio(string name) => models.Single(m => m.Name == name).Runs.Select((r, i) => r.Run.TestMetric("mae") / baselines[i].Seasonal).Average();
        double seasonalMae = baselines.Average(b => b.Seasonal);

        context.Report.Heading("Results");
        context.Report.Paragraph($"MAE over every test window and all {Horizon} steps ahead, on the last fifth of each seed's series (later in time than every training window). The ratio divides a forecaster's MAE by the seasonal naive forecast's on the same seed's test windows (below 1: better than copying the last season).");
        var none = "—";
        var rows = new List<IReadOnlyList<ReportCell>>
        {
            new ReportCell[] { "seasonal naive (the value one season ago)", "none", ReportCell.Numbers(baselines.Select(b => b.Seasonal), "F4"), "reference", none, none },
            new ReportCell[] { "last value", "none", ReportCell.Numbers(baselines.Select(b => b.Last), "F4"), ReportCell.Numbers(baselines.Select(b => b.Last / b.Seasonal), "F3"), none, none },
        };
        rows.AddRange(models.Select(m => (IReadOnlyList<ReportCell>)new ReportCell[]
        {
            m.Name, ReportCell.Number(m.Runs[0].Run.Parameters, "N0"),
            ReportCell.Numbers(m.Runs.Select(r => r.Run.TestMetric("mae")), "F4"),
            ReportCell.Numbers(m.Runs.Select((r, i) => r.Run.TestMetric("mae") / baselines[i].Seasonal), "F3"),
            ReportCell.Numbers(m.Runs.Select(r => r.Run.Final.TrainLoss), "F4"),
            ReportCell.Numbers(m.Runs.Select(r => r.Run.Seconds), "F0"),
        }));
        context.Report.Table(new[] { "forecaster", "parameters", "test MAE", "MAE ÷ seasonal naive MAE", "final training loss (L1)", "seconds" }, rows);

        double[] steps = Enumerable.Range(1, Horizon).Select(h => (double)h).ToArray();
        ChartSeries Mean(string name, IReadOnlyList<double[]> perSeed, bool dashed = false) =>
            ExperimentKit.MeanSeries(name, perSeed.Select(y => (steps, y)).ToList(), dashed);
        context.Report.Chart("mae-by-horizon.png", "Test MAE against the number of steps ahead (mean over seeds; the band spans the seeds); dashed: the baselines",
            new LineChart("Test MAE by horizon", "steps ahead", "MAE", new[]
            {
                Mean("seasonal naive", baselines.Select(b => b.SeasonalByHorizon).ToList(), dashed: true),
                Mean("last value", baselines.Select(b => b.LastByHorizon).ToList(), dashed: true),
                Mean("plain CNN", models[0].Runs.Select(r => r.ByHorizon).ToList()),
                Mean("residual CNN", models[1].Runs.Select(r => r.ByHorizon).ToList()),
            }));
        int window = Math.Max(1, context.Pick(2, 25, 100));
        context.Report.Chart("training-loss.png", "Training loss (L1) against step, smoothed (mean over seeds; the band spans the seeds)",
            new LineChart("Training loss", "step", "L1 loss", models.Select(m =>
                ExperimentKit.MeanSeries(m.Name, m.Runs.Select(r => ExperimentKit.Smooth(r.Run.StepLosses, window)).ToList(), dashed: m.Name.StartsWith("plain", StringComparison.Ordinal))).ToList(), LogY: true));
        var (history, truth, seasonalForecast) = example!.Value;
        double[] past = Enumerable.Range(-Window + 1, Window).Select(t => (double)t).ToArray();
        context.Report.Chart("example-forecast.png", $"One test window of the first seed (the middle one): the {Window} values the networks see, the {Horizon} that follow, and the forecasts",
            new LineChart("An example forecast", "step (0: the window's last value)", "value", new[]
            {
                new ChartSeries("window", past, history.Select(v => (double)v).ToArray()),
                new ChartSeries("what followed", steps, truth.Select(v => (double)v).ToArray()),
                new ChartSeries("seasonal naive", steps, seasonalForecast.Select(v => (double)v).ToArray(), Dashed: true),
                new ChartSeries("plain CNN", steps, models[0].Runs[0].Example),
                new ChartSeries("residual CNN", steps, models[1].Runs[0].Example),
            }));

        context.Report.Heading("What we see");
        string Better(double ratio) => ratio < 1 ? $"{100 * (1 - ratio):F1} % below" : ratio > 1 ? $"{100 * (ratio - 1):F1} % above" : "equal to";
        double residualMae = Mae("residual CNN"), plainMae = Mae("plain CNN");
        double ResidualAt(int h) => models[1].Runs.Average(r => r.ByHorizon[h]);
        double SeasonalAt(int h) => baselines.Average(b => b.SeasonalByHorizon[h]);
        int residualWins = models[1].Runs.Select((r, i) => r.Run.TestMetric("mae") < models[0].Runs[i].Run.TestMetric("mae")).Count(w => w);
        context.Report.Bullets(new[]
        {
            $"The residual CNN's test MAE is {residualMae:F4}, {Better(Ratio("residual CNN"))} the seasonal naive forecast's {seasonalMae:F4} (mean of the per-seed ratios); the plain CNN's is {plainMae:F4}, {Better(Ratio("plain CNN"))} it.",
            $"Residual against plain: the residual CNN has the lower test MAE on {residualWins} of {context.Seeds.Count} seed(s); the means differ by {Math.Abs(residualMae - plainMae):F4} ({100 * Math.Abs(residualMae - plainMae) / plainMae:F1} % of the plain CNN's MAE) " +
                (context.Seeds.Count > 1 ? $"against a spread over seeds of {ReportCell.StandardDeviation(models[1].Runs.Select(r => r.Run.TestMetric("mae")).ToList()):F4} (residual) and {ReportCell.StandardDeviation(models[0].Runs.Select(r => r.Run.TestMetric("mae")).ToList()):F4} (plain)." : "(one seed: no spread to compare it with)."),
            $"By horizon, the residual CNN's MAE is {ResidualAt(0):F4} one step ahead against the seasonal naive forecast's {SeasonalAt(0):F4}, and {ResidualAt(Horizon - 1):F4} against {SeasonalAt(Horizon - 1):F4} {Horizon} steps ahead: " +
                (ResidualAt(0) / SeasonalAt(0) < ResidualAt(Horizon - 1) / SeasonalAt(Horizon - 1)
                    ? "its advantage over the baseline is larger at the first steps, where the autocorrelated noise of the last values still says something about the next ones."
                    : "its advantage over the baseline is not larger at the first steps than at the last."),
            "Both networks are 13 convolutions deep with BatchNorm after each; He et al. (2016) found skips decisive in deeper plain networks (from about 20 layers on; see the `depth` experiment), so at this depth a small difference between the twins is what the paper would lead one to expect. The seasonal naive forecast is the usual yardstick for seasonal data: a learned forecaster is only worth having where its ratio is clearly below 1" +
                (context.Budget == ExperimentBudget.Full ? "." : $". This run trains {epochs} epochs on {cut:N0} values per seed (`--full`: 20 epochs on {48_000 * 4 / 5:N0})."),
        });
    }

    /// <summary>The series of <paramref name="seed"/>: seasonal, with regime changes and autocorrelated noise, of unit scale.</summary>
    public static float[] MakeSeries(int length, long seed)
    {
        var random = new Random(unchecked((int)((seed * 7_368_787) + 12)));
        double Uniform(double low, double high) => low + ((high - low) * random.NextDouble());
        double Gaussian() => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        var values = new float[length];
        double level = 0, slope = 0, amplitude = 1, phase = 0, noise = 0;
        int nextRegime = 0;
        for (int t = 0; t < length; t++)
        {
            if (t == nextRegime)
            {
                level = Uniform(-1, 1);
                slope = Uniform(-1, 1) / 1_000;
                amplitude = Uniform(0.5, 1.5);
                phase = Uniform(-Math.PI / 3, Math.PI / 3);
                nextRegime = t + random.Next(600, 1_601);
            }

            level += slope;
            noise = (0.8 * noise) + (0.2 * Gaussian());
            double angle = (2 * Math.PI * t / Season) + phase;
            values[t] = (float)(level + (amplitude * Math.Sin(angle)) + (0.3 * amplitude * Math.Sin(2 * angle)) + (0.4 * Math.Sin(2 * Math.PI * t / 168)) + noise);
        }

        return values;
    }
}
