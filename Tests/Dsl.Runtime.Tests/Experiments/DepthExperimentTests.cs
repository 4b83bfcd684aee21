using Dsl.Examples.Experiments;
using Xunit;

namespace Dsl.Runtime.Tests.Experiments;

public class DepthExperimentTests
{
    [Fact]
    public void A_smoke_run_writes_the_report_with_measured_numbers_and_both_plots()
    {
        using var directory = new TempDirectory();
        var run = ExperimentSmoke.Run(new DepthExperiment(), directory.Path);

        run.AssertShape("Depth: without skips deeper trains worse, with skips deeper trains better", "Results", "What we see");
        run.AssertNumbersAreMeasured();
        Assert.Contains("training-loss.png", run.Report);
        Assert.Contains("first-layer-gradients.png", run.Report);
        foreach (string network in new[] { "Plain20", "ResNet20", "Plain32", "ResNet32", "Plain56", "ResNet56" })
        {
            Assert.Contains("| " + network + " |", run.Report);
        }
    }
}
