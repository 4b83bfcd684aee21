using System.Linq;
using Dsl.Runtime.Checkpoints;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Dsl.Runtime.Tests.Checkpoints;

public sealed class OptimizerStateTests
{
    private const string Source = "/runs/a/last.ckpt (section optimizer)";

    private static void Step(nn.Module<Tensor, Tensor> net, optim.Optimizer optimizer, Tensor input)
    {
        using var scope = torch.NewDisposeScope();
        optimizer.zero_grad();
        net.call(input).square().mean().backward();
        optimizer.step();
    }

    [Fact]
    public void Adam_state_round_trips_step_counts_moments_and_learning_rate_and_training_continues_identically()
    {
        using var scope = torch.NewDisposeScope();
        var input = SmallNets.Input();
        using var net = SmallNets.ConvNet();
        var adam = optim.Adam(net.parameters(), lr: 0.01);
        for (var i = 0; i < 3; i++)
            Step(net, adam, input);

        using var resumed = SmallNets.ConvNet();
        ModuleState.LoadModuleState(resumed, ModuleState.SaveModuleState(net), "model");
        var resumedAdam = optim.Adam(resumed.parameters(), lr: 0.5);
        OptimizerState.Load(resumedAdam, OptimizerState.Save(adam), Source);

        var original = adam.state_dict().State.Cast<TorchSharp.Modules.Adam.State>().ToList();
        var restored = resumedAdam.state_dict().State.Cast<TorchSharp.Modules.Adam.State>().ToList();
        Assert.Equal(original.Count, restored.Count);
        for (var i = 0; i < original.Count; i++)
        {
            Assert.Equal(3, restored[i].step);
            Assert.True(SmallNets.Identical(original[i].exp_avg, restored[i].exp_avg));
            Assert.True(SmallNets.Identical(original[i].exp_avg_sq, restored[i].exp_avg_sq));
        }
        Assert.Equal(0.01, resumedAdam.ParamGroups.Single().LearningRate);

        Step(net, adam, input);
        Step(resumed, resumedAdam, input);
        Assert.True(SmallNets.SameState(net, resumed));
    }

    [Fact]
    public void State_of_parameters_of_other_shapes_is_a_mismatch_and_leaves_the_optimizer_as_it_was()
    {
        using var scope = torch.NewDisposeScope();
        using var wide = SmallNets.ConvNet(channels: 8);
        var wideAdam = optim.Adam(wide.parameters(), lr: 0.01);
        Step(wide, wideAdam, SmallNets.Input());
        using var narrow = SmallNets.ConvNet(channels: 4);
        var narrowAdam = optim.Adam(narrow.parameters(), lr: 0.02);
        Step(narrow, narrowAdam, SmallNets.Input());
        var before = OptimizerState.Save(narrowAdam);

        var error = Assert.Throws<WeightsMismatchException>(() => OptimizerState.Load(narrowAdam, OptimizerState.Save(wideAdam), Source));

        Assert.Contains(Source, error.Message);
        Assert.Equal(before, OptimizerState.Save(narrowAdam));
    }

    [Fact]
    public void State_of_another_kind_of_optimizer_is_a_mismatch()
    {
        using var scope = torch.NewDisposeScope();
        using var net = SmallNets.ConvNet();
        var adam = optim.Adam(net.parameters(), lr: 0.01);
        var sgd = optim.SGD(net.parameters(), learningRate: 0.1);

        var error = Assert.Throws<WeightsMismatchException>(() => OptimizerState.Load(sgd, OptimizerState.Save(adam), Source));

        Assert.Contains("Adam", error.Message);
    }

    [Fact]
    public void Truncated_state_is_reported_and_leaves_the_optimizer_as_it_was()
    {
        using var scope = torch.NewDisposeScope();
        using var net = SmallNets.ConvNet();
        var adam = optim.Adam(net.parameters(), lr: 0.01);
        Step(net, adam, SmallNets.Input());
        var state = OptimizerState.Save(adam);
        using var other = SmallNets.ConvNet();
        var otherAdam = optim.Adam(other.parameters(), lr: 0.01);
        var before = OptimizerState.Save(otherAdam);

        var error = Assert.Throws<CheckpointCorruptException>(() => OptimizerState.Load(otherAdam, state[..(state.Length / 2)], Source));

        Assert.Equal(Source, error.FilePath);
        Assert.Equal(before, OptimizerState.Save(otherAdam));
    }
}
