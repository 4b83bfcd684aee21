using Dsl.Examples.Experiments;
using Xunit;

namespace Dsl.Runtime.Tests.Experiments;

/// <summary>Smoke runs of the gradients, densenet and stochastic-depth experiments (the depth one has its own class).</summary>
public class ClassificationExperimentTests
{
    [Fact]
    public void The_gradients_experiment_writes_both_profiles_and_measured_numbers()
    {
        using var directory = new TempDirectory();
        var run = ExperimentSmoke.Run(new GradientsExperiment(), directory.Path);

        run.AssertShape("Gradients: skips keep every layer's gradient within reach of the others", "Results", "What we see");
        run.AssertNumbersAreMeasured();
        Assert.Contains("profiles-conv.png", run.Report);
        Assert.Contains("profiles-mlp.png", run.Report);
        foreach (string network in new[] { "Plain56", "ResNet56", "ReZeroResNet56", "TanhMlp20", "ResidualTanhMlp20" })
        {
            Assert.Contains("| " + network + " |", run.Report);
        }

        // ReZero's branches start at zero: 25 identity blocks of two convolutions get no gradient in the first step.
        Assert.Contains("| ReZeroResNet56 | 58 |", run.Report);
        Assert.Contains("50 of its 58 weighted layers get exactly zero gradient", run.Report);
    }

    [Fact]
    public void The_densenet_experiment_compares_three_networks_of_about_equal_size()
    {
        using var directory = new TempDirectory();
        var run = ExperimentSmoke.Run(new DenseNetExperiment(), directory.Path);

        run.AssertShape("DenseNet: feature reuse against a plain CNN and a ResNet of equal size", "Results", "What we see");
        run.AssertNumbersAreMeasured();
        Assert.Contains("| DenseNetBC | Concat (every layer to all later ones in its block) | 175,690 |", run.Report);
        Assert.Contains("| ResNet14 | Add (identity and projection) | 174,970 |", run.Report);
        Assert.Contains("| Plain14 | none | 172,218 |", run.Report);
    }

    [Fact]
    public void The_stochastic_depth_experiment_trains_both_resnets()
    {
        using var directory = new TempDirectory();
        var run = ExperimentSmoke.Run(new StochasticDepthExperiment(), directory.Path);

        run.AssertShape("Stochastic depth: ResNet-56 with and without DropPath", "Results", "What we see");
        run.AssertNumbersAreMeasured();
        Assert.Contains("| ResNet56 | none |", run.Report);
        Assert.Contains("| ResNet56DropPath | linear rule |", run.Report);
    }
}
