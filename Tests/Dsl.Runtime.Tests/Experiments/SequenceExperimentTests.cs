using System.Linq;
using Dsl.Examples.Experiments;
using Xunit;

namespace Dsl.Runtime.Tests.Experiments;

/// <summary>Smoke runs of the transformer, timeseries and unet experiments through the real command.</summary>
public class SequenceExperimentTests
{
    [Fact]
    public void A_transformer_smoke_run_writes_the_report_with_measured_numbers_and_its_plots()
    {
        using var directory = new TempDirectory();
        var run = ExperimentSmoke.Run(new TransformerExperiment(), directory.Path);

        run.AssertShape("Transformer depth: residual adds let deep encoders train, and ReZero converges faster", "Results", "What we see");
        run.AssertNumbersAreMeasured();
        foreach (string plot in new[] { "training-loss.png", "test-sequence-accuracy.png", "twelve-blocks.png" })
        {
            Assert.Contains(plot, run.Report);
        }
        foreach (string family in new[] { "pre-norm, residual", "pre-norm, no residual", "ReZero" })
        {
            Assert.Equal(3, run.Report.Split('\n').Count(line => line.StartsWith("| " + family + " |", System.StringComparison.Ordinal)));
        }
        Assert.Contains("Bachlechner", run.Report);
    }

    [Fact]
    public void A_timeseries_smoke_run_compares_both_networks_with_the_seasonal_naive_forecast()
    {
        using var directory = new TempDirectory();
        var run = ExperimentSmoke.Run(new TimeSeriesExperiment(), directory.Path);

        run.AssertShape("Forecasting: a residual 1-D CNN against its plain twin and the seasonal naive forecast", "Results", "What we see");
        run.AssertNumbersAreMeasured();
        foreach (string row in new[] { "| seasonal naive (the value one season ago) |", "| last value |", "| plain CNN |", "| residual CNN |" })
        {
            Assert.Contains(row, run.Report);
        }
        foreach (string plot in new[] { "mae-by-horizon.png", "training-loss.png", "example-forecast.png" })
        {
            Assert.Contains(plot, run.Report);
        }
    }

    [Fact]
    public void The_synthetic_series_is_the_same_for_a_seed_and_differs_between_seeds()
    {
        float[] first = TimeSeriesExperiment.MakeSeries(2_000, 1);
        Assert.Equal(first, TimeSeriesExperiment.MakeSeries(2_000, 1));
        Assert.NotEqual(first, TimeSeriesExperiment.MakeSeries(2_000, 2));
        Assert.All(first, v => Assert.InRange(v, -10f, 10f));
    }

    [Fact]
    public void A_unet_smoke_run_writes_psnr_for_both_networks_and_the_example_grid()
    {
        using var directory = new TempDirectory();
        var run = ExperimentSmoke.Run(new UNetExperiment(), directory.Path);

        run.AssertShape("U-Net denoising: the Concat skips carry the detail the bottleneck loses", "Results", "What we see");
        run.AssertNumbersAreMeasured();
        foreach (string row in new[] { "| noisy input |", "| U-Net without skips |", "| U-Net |" })
        {
            Assert.Contains(row, run.Report);
        }
        Assert.Contains("examples.png", run.Report);
        Assert.Contains("57,585", run.Report);
        Assert.Contains("57,681", run.Report);
    }
}
