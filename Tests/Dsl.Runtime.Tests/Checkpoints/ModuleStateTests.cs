using System;
using Dsl.Runtime.Checkpoints;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Dsl.Runtime.Tests.Checkpoints;

public sealed class ModuleStateTests
{
    private const string Source = "/runs/a/last.ckpt (section model)";

    [Fact]
    public void Round_trip_gives_identical_outputs_and_batch_norm_statistics()
    {
        using var scope = torch.NewDisposeScope();
        using var trained = SmallNets.ConvNet();
        SmallNets.UpdateRunningStats(trained, batches: 3);
        using var fresh = SmallNets.ConvNet();

        ModuleState.LoadModuleState(fresh, ModuleState.SaveModuleState(trained), Source);

        Assert.True(SmallNets.SameState(trained, fresh));
        Assert.Equal(3L, fresh.state_dict()["1.num_batches_tracked"].item<long>());
        trained.eval();
        fresh.eval();
        var input = SmallNets.Input();
        Assert.True(SmallNets.Identical(trained.call(input), fresh.call(input)));
    }

    [Fact]
    public void A_shape_mismatch_names_each_tensor_and_both_shapes_and_loads_nothing()
    {
        using var scope = torch.NewDisposeScope();
        using var wide = SmallNets.ConvNet(channels: 8);
        using var narrow = SmallNets.ConvNet(channels: 4);
        var before = ModuleState.SaveModuleState(narrow);

        var error = Assert.Throws<WeightsMismatchException>(
            () => ModuleState.LoadModuleState(narrow, ModuleState.SaveModuleState(wide), Source));

        Assert.Contains($"0.weight: {Source} has [8, 1, 3, 3], the model has [4, 1, 3, 3]", error.Problems);
        Assert.Contains($"4.weight: {Source} has [3, 288], the model has [3, 144]", error.Problems);
        Assert.Equal(before, ModuleState.SaveModuleState(narrow));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(20)]
    [InlineData(500)]
    [InlineData(-1)]
    public void Truncated_bytes_are_reported_naming_the_source_and_load_nothing(int keep)
    {
        using var scope = torch.NewDisposeScope();
        using var source = SmallNets.ConvNet();
        using var target = SmallNets.ConvNet();
        var before = ModuleState.SaveModuleState(target);
        var state = ModuleState.SaveModuleState(source);

        var error = Assert.Throws<CheckpointCorruptException>(
            () => ModuleState.LoadModuleState(target, state[..(keep >= 0 ? keep : state.Length + keep)], Source));

        Assert.Equal(Source, error.FilePath);
        Assert.StartsWith($"Cannot read {Source}: ", error.Message);
        Assert.Equal(before, ModuleState.SaveModuleState(target));
    }

    [Fact]
    public void Bytes_left_over_after_the_last_tensor_are_reported()
    {
        using var scope = torch.NewDisposeScope();
        using var net = SmallNets.ConvNet();
        var state = ModuleState.SaveModuleState(net);
        var padded = new byte[state.Length + 3];
        state.CopyTo(padded, 0);

        var error = Assert.Throws<CheckpointCorruptException>(() => ModuleState.LoadModuleState(net, padded, Source));

        Assert.Contains("3 unexpected bytes", error.Message);
    }
}
