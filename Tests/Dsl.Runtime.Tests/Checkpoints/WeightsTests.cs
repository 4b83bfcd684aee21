using System;
using System.IO;
using System.Linq;
using Dsl.Examples;
using Dsl.Runtime.Checkpoints;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Dsl.Runtime.Tests.Checkpoints;

public sealed class WeightsTests : IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    [Theory]
    [InlineData("model.safetensors")]
    [InlineData("model.pth")]
    [InlineData("model.pt")]
    [InlineData("model.bin")]
    public void Round_trip_into_a_fresh_model_gives_identical_outputs_and_batch_norm_statistics(string fileName)
    {
        using var scope = torch.NewDisposeScope();
        using var trained = SmallNets.ConvNet();
        SmallNets.UpdateRunningStats(trained, batches: 2);
        using var fresh = SmallNets.ConvNet();
        Assert.False(SmallNets.SameState(trained, fresh));
        var path = temp.File(fileName);

        Weights.Save(trained, path);
        Weights.Load(fresh, path);

        Assert.True(SmallNets.SameState(trained, fresh));
        Assert.Equal(2L, fresh.state_dict()["1.num_batches_tracked"].item<long>());
        Assert.Equal(ScalarType.Int64, fresh.state_dict()["1.num_batches_tracked"].dtype);
        trained.eval();
        fresh.eval();
        var input = SmallNets.Input();
        Assert.True(SmallNets.Identical(trained.call(input), fresh.call(input)));
        Assert.Single(Directory.GetFiles(temp.Path)); // no temporary file left
    }

    public static TheoryData<string, string> ExampleModelsAndFormats()
    {
        var data = new TheoryData<string, string>();
        foreach (var model in Examples.Catalogue)
        {
            data.Add(model.Name, ".safetensors");
            data.Add(model.Name, ".pth");
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(ExampleModelsAndFormats))]
    public void Generated_example_models_round_trip(string name, string extension)
    {
        using var scope = torch.NewDisposeScope();
        var example = Examples.Find(name);
        using var source = Examples.Create(example);
        using var target = Examples.Create(example);
        var path = temp.File(name + extension);

        Weights.Save(source, path);
        Weights.Load(target, path);

        source.eval();
        target.eval();
        var input = example.SampleInput(2);
        Assert.True(SmallNets.SameState(source, target));
        Assert.True(SmallNets.Identical(source.call(input), target.call(input)));
    }

    [Theory]
    [InlineData("wide.safetensors")]
    [InlineData("wide.pth")]
    public void Loading_into_a_model_of_another_shape_names_each_tensor_and_both_shapes_and_loads_nothing(string fileName)
    {
        using var scope = torch.NewDisposeScope();
        using var wide = SmallNets.ConvNet(channels: 8);
        using var narrow = SmallNets.ConvNet(channels: 4);
        using var narrowBefore = SmallNets.ConvNet(channels: 4);
        narrowBefore.load_state_dict(narrow.state_dict());
        var path = temp.File(fileName);
        Weights.Save(wide, path);

        var error = Assert.Throws<WeightsMismatchException>(() => Weights.Load(narrow, path));

        var file = Path.GetFullPath(path);
        Assert.Contains($"0.weight: the file {file} has [8, 1, 3, 3], the model has [4, 1, 3, 3]", error.Problems);
        Assert.Contains($"4.weight: the file {file} has [3, 288], the model has [3, 144]", error.Problems);
        Assert.Contains($"1.running_mean: the file {file} has [8], the model has [4]", error.Problems);
        Assert.Equal(7, error.Problems.Count); // every tensor but 4.bias and num_batches_tracked
        Assert.Contains("0.weight: the file", error.Message);
        Assert.True(SmallNets.SameState(narrow, narrowBefore));
    }

    [Fact]
    public void Missing_and_unexpected_tensors_are_listed_when_strict_and_ignored_otherwise()
    {
        using var scope = torch.NewDisposeScope();
        using var withBatchNorm = nn.Sequential(nn.Linear(4, 4), nn.BatchNorm1d(4));
        using var withLinear = nn.Sequential(nn.Linear(4, 4), nn.Linear(4, 2));
        var path = temp.File("model.safetensors");
        Weights.Save(withBatchNorm, path);

        var error = Assert.Throws<WeightsMismatchException>(() => Weights.Load(withLinear, path));

        var file = Path.GetFullPath(path);
        Assert.Contains($"1.weight: the file {file} has [4], the model has [2, 4]", error.Problems);
        Assert.Contains(error.Problems, p => p.StartsWith("1.running_mean: unexpected", StringComparison.Ordinal));
        Assert.Contains(error.Problems, p => p.StartsWith("1.num_batches_tracked: unexpected", StringComparison.Ordinal));

        // Not strict: the common, matching tensors load; a shape mismatch still blocks everything.
        using var linearOnly = nn.Sequential(nn.Linear(4, 4));
        Weights.Load(linearOnly, path, strict: false);
        Assert.True(SmallNets.Identical(linearOnly.state_dict()["0.weight"], withBatchNorm.state_dict()["0.weight"]));
        Assert.Throws<WeightsMismatchException>(() => Weights.Load(withLinear, path, strict: false));
    }

    [Fact]
    public void A_dtype_mismatch_is_reported()
    {
        using var scope = torch.NewDisposeScope();
        using var single = nn.Linear(3, 2);
        using var @double = nn.Linear(3, 2);
        @double.to(ScalarType.Float64);
        var path = temp.File("linear.safetensors");
        Weights.Save(single, path);

        var error = Assert.Throws<WeightsMismatchException>(() => Weights.Load(@double, path));

        Assert.Contains($"weight: the file {Path.GetFullPath(path)} has dtype Float32, the model has Float64", error.Problems);
    }

    [Theory]
    [InlineData("model.onnx")]
    [InlineData("model")]
    [InlineData("model.ckpt")]
    public void An_unknown_extension_lists_the_supported_ones(string fileName)
    {
        using var net = nn.Linear(2, 2);
        var path = temp.File(fileName);

        var onSave = Assert.Throws<ArgumentException>(() => Weights.Save(net, path));
        var onLoad = Assert.Throws<ArgumentException>(() => Weights.Load(net, path));

        foreach (var error in new[] { onSave, onLoad })
        {
            Assert.Contains(path, error.Message);
            Assert.Contains(".safetensors, .pt, .pth, .bin", error.Message);
        }
        Assert.Empty(Directory.GetFiles(temp.Path));
    }

    [Theory]
    [InlineData("model.safetensors", 300)]
    [InlineData("model.safetensors", -10)]
    [InlineData("model.safetensors", 3)]
    [InlineData("model.pth", 300)]
    [InlineData("model.pth", -10)]
    public void A_truncated_weights_file_is_reported_naming_it(string fileName, int keep)
    {
        using var scope = torch.NewDisposeScope();
        using var net = SmallNets.ConvNet();
        var path = temp.File(fileName);
        Weights.Save(net, path);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(keep >= 0 ? keep : bytes.Length + keep)]);

        var error = Assert.Throws<CheckpointCorruptException>(() => Weights.Load(net, path));

        Assert.Equal(Path.GetFullPath(path), error.FilePath);
        Assert.StartsWith($"Cannot read {Path.GetFullPath(path)}: ", error.Message);
        Assert.DoesNotContain("\n", error.Message);
    }

    [Theory]
    [InlineData("model.safetensors")]
    [InlineData("model.pth")]
    public void A_file_of_another_kind_is_reported_naming_it(string fileName)
    {
        using var net = nn.Linear(2, 2);
        var path = temp.File(fileName);
        File.WriteAllText(path, "hello world, this is not a weights file at all");

        var error = Assert.Throws<CheckpointCorruptException>(() => Weights.Load(net, path));

        Assert.Equal(Path.GetFullPath(path), error.FilePath);
    }

    [Fact]
    public void A_missing_weights_file_is_a_FileNotFoundException_naming_it()
    {
        using var net = nn.Linear(2, 2);
        var path = temp.File("absent.safetensors");

        var error = Assert.Throws<FileNotFoundException>(() => Weights.Load(net, path));

        Assert.Contains(path, error.Message);
    }
}
