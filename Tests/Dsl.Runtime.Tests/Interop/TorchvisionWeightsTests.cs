using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Dsl.Examples.Models;
using Dsl.Runtime.Checkpoints;
using Dsl.Runtime.Tests.Checkpoints;
using TorchSharp;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Dsl.Runtime.Tests.Interop;

/// <summary>
/// torchvision's ResNet-18 weights in the DSL's <see cref="ResNet18"/>: Python (Debian's torchvision, random weights,
/// no download) writes a state_dict and its eval-mode output; C# loads the one and reproduces the other.
/// </summary>
public sealed class TorchvisionWeightsTests : IDisposable
{
    // Random weights and BatchNorm statistics (fresh ones are 1, 0, 0, 1, which eval mode would hardly test).
    private const string Script = """
        import sys, torch, torchvision
        out = sys.argv[1]
        torch.manual_seed(0)
        model = torchvision.models.resnet18()
        with torch.no_grad():
            for m in model.modules():
                if isinstance(m, torch.nn.BatchNorm2d):
                    m.weight.uniform_(0.5, 1.5)
                    m.bias.uniform_(-0.2, 0.2)
                    m.running_mean.uniform_(-0.2, 0.2)
                    m.running_var.uniform_(0.5, 1.5)
                    m.num_batches_tracked.fill_(7)
        model.eval()
        torch.save(model.state_dict(), out + "/resnet18.pth")
        x = torch.randn(2, 3, 64, 64)
        with torch.no_grad():
            y = model(x)
        open(out + "/input.f32", "wb").write(x.numpy().astype("<f4").tobytes())
        open(out + "/output.f32", "wb").write(y.numpy().astype("<f4").tobytes())
        """;

    private readonly TempDirectory temp = new();
    private readonly ITestOutputHelper output;

    public TorchvisionWeightsTests(ITestOutputHelper output) => this.output = output;

    public void Dispose() => temp.Dispose();

    [Fact]
    public void ResNet18_has_torchvisions_parameter_count()
    {
        // conv1 64·3·7·7 + bn1 2·64; a basic block of width c: 2·9c² + 2·2c; a downsampling block c/2 → c:
        // 9·(c/2)·c + 9c² + 2·2c, and its projection (c/2)·c + 2c; fc 512·1000 + 1000.
        static long Basic(long c) => 2 * 9 * c * c + 2 * 2 * c;
        static long Down(long c) => 9 * (c / 2) * c + 9 * c * c + 2 * 2 * c + (c / 2) * c + 2 * c;
        var expected = 64 * 3 * 7 * 7 + 2 * 64
            + 2 * Basic(64)
            + Down(128) + Basic(128)
            + Down(256) + Basic(256)
            + Down(512) + Basic(512)
            + 512 * 1000 + 1000;
        Assert.Equal(11_689_512, expected);

        using var model = new ResNet18();
        Assert.Equal(expected, model.parameters().Sum(p => p.numel()));
        Assert.Equal(ResNet18.ParameterCount, expected); // the generator's compile-time count

        // torchvision's names: a repeated block's copies are numbered, and the projection is "downsample".
        var keys = model.state_dict().Keys;
        Assert.Contains("layer1.1.bn2.running_var", keys);
        Assert.Contains("layer2_0.downsample.0.weight", keys);
        Assert.Contains("layer4_0.downsample.1.num_batches_tracked", keys);
        Assert.Equal(122, keys.Count); // torchvision's resnet18 state_dict has 122 entries
    }

    [Fact]
    public void ResNet18_loads_torchvisions_resnet18_state_dict_and_gives_its_outputs()
    {
        if (!Write())
            return;
        using var scope = torch.NewDisposeScope();
        using var model = new ResNet18();

        Weights.Load(model, temp.File("resnet18.pth"), strict: true, ResNet18.TorchvisionKeys);

        Assert.Equal(7L, model.state_dict()["layer2_0.downsample.1.num_batches_tracked"].item<long>());
        model.eval();
        using var noGrad = torch.no_grad();
        var input = Floats("input.f32", 2, 3, 64, 64);
        var expected = Floats("output.f32", 2, 1000);
        var actual = model.call(input);
        var error = (actual - expected).abs().max().item<float>();
        var scale = expected.abs().max().item<float>();
        output.WriteLine($"largest absolute difference from torchvision: {error:G3} (outputs up to {scale:G3})");
        Assert.True(actual.allclose(expected, rtol: 1e-4, atol: 1e-5), $"largest difference {error}");
    }

    [Fact]
    public void Without_the_key_map_torchvisions_keys_are_reported_unmatched_on_both_sides()
    {
        if (!Write())
            return;
        using var model = new ResNet18();
        var before = model.state_dict()["fc.weight"].clone();

        var e = Assert.Throws<WeightsMismatchException>(() => Weights.Load(model, temp.File("resnet18.pth")));

        // Each renamed tensor of layer2..4 is reported on both sides, and nothing else.
        Assert.Contains(e.Problems, p => p.StartsWith("layer2_0.downsample.0.weight: missing from the file", StringComparison.Ordinal));
        Assert.Contains(e.Problems, p => p.StartsWith("layer2.0.downsample.0.weight: unexpected, the file", StringComparison.Ordinal));
        var missing = e.Problems.Count(p => p.Contains(": missing from", StringComparison.Ordinal));
        var unexpected = e.Problems.Count(p => p.Contains(": unexpected,", StringComparison.Ordinal));
        var renamed = model.state_dict().Keys.Count(k => k.StartsWith("layer2_", StringComparison.Ordinal)
            || k.StartsWith("layer3_", StringComparison.Ordinal) || k.StartsWith("layer4_", StringComparison.Ordinal));
        Assert.Equal(renamed, missing);
        Assert.Equal(renamed, unexpected);
        Assert.Equal(2 * renamed, e.Problems.Count);
        Assert.True(SmallNets.Identical(before, model.state_dict()["fc.weight"]), "nothing is loaded on a mismatch");
    }

    [Fact]
    public void A_prefix_map_strips_the_module_prefix_of_a_data_parallel_file()
    {
        using var scope = torch.NewDisposeScope();
        using var net = SmallNets.ConvNet();
        SmallNets.UpdateRunningStats(net);
        // DistributedDataParallel saves the model as its child "module": keys "module.0.weight", ….
        using var wrapped = nn.Sequential(("module", net));
        var path = temp.File("ddp.pth");
        Weights.Save(wrapped, path);
        using var fresh = SmallNets.ConvNet();

        var e = Assert.Throws<WeightsMismatchException>(() => Weights.Load(fresh, path));
        Assert.Contains("0.weight: missing from the file", e.Message, StringComparison.Ordinal);
        Assert.Contains("module.0.weight: unexpected, the file", e.Message, StringComparison.Ordinal);

        Weights.Load(fresh, path, strict: true, new Dictionary<string, string> { ["module."] = "" });
        Assert.True(SmallNets.SameState(net, fresh));
    }

    [Fact]
    public void A_function_map_drops_keys_and_a_mismatch_names_the_files_key()
    {
        using var scope = torch.NewDisposeScope();
        using var net = SmallNets.ConvNet();
        SmallNets.UpdateRunningStats(net, batches: 3);
        var path = temp.File("net.pth");
        Weights.Save(net, path);
        using var fresh = SmallNets.ConvNet();

        // Dropping num_batches_tracked leaves the model's own (0), and strict then reports it missing.
        Func<string, string?> noCounts = k => k.EndsWith(".num_batches_tracked", StringComparison.Ordinal) ? null : k;
        var missing = Assert.Throws<WeightsMismatchException>(() => Weights.Load(fresh, path, strict: true, noCounts));
        Assert.Equal(["1.num_batches_tracked: missing from the file " + Path.GetFullPath(path) + " (the model has [] Int64)"], missing.Problems);
        Weights.Load(fresh, path, strict: false, noCounts);
        Assert.Equal(0L, fresh.state_dict()["1.num_batches_tracked"].item<long>());
        Assert.True(SmallNets.Identical(net.state_dict()["1.running_mean"], fresh.state_dict()["1.running_mean"]));

        // Mapped onto the wrong tensor: the shape mismatch names the model's key and the file's.
        var swapped = Assert.Throws<WeightsMismatchException>(() =>
            Weights.Load(fresh, path, strict: false, k => k == "0.weight" ? "1.weight" : k == "1.weight" ? null : k));
        Assert.StartsWith("1.weight (the file's 0.weight): the file ", Assert.Single(swapped.Problems), StringComparison.Ordinal);

        // Two file keys onto one model key.
        var collision = Assert.Throws<WeightsMismatchException>(() =>
            Weights.Load(fresh, path, strict: false, k => k.StartsWith("1.running_", StringComparison.Ordinal) ? "1.running_mean" : k));
        Assert.Contains(collision.Problems, p => p.StartsWith("1.running_mean: the file", StringComparison.Ordinal)
            && p.Contains(" has both 1.running_", StringComparison.Ordinal));
    }

    [Fact]
    public void Prefix_renames_take_the_longest_prefix()
    {
        var map = Weights.RenamePrefixes(new Dictionary<string, string> { ["layer2."] = "stage2.", ["layer2.0."] = "layer2_0." });
        Assert.Equal("layer2_0.conv1.weight", map("layer2.0.conv1.weight"));
        Assert.Equal("stage2.1.conv1.weight", map("layer2.1.conv1.weight"));
        Assert.Equal("fc.bias", map("fc.bias"));
        Assert.Equal("layer2_0.conv1.weight", Weights.RenamePrefixes(ResNet18.TorchvisionKeys)("layer2.0.conv1.weight"));
    }

    private bool Write()
    {
        if (!Python.Available(output.WriteLine))
            return false;
        var script = temp.File("write_resnet18.py");
        File.WriteAllText(script, Script);
        Python.Run(script, [temp.Path]);
        return true;
    }

    private Tensor Floats(string name, params long[] shape)
    {
        var bytes = File.ReadAllBytes(temp.File(name));
        var values = new float[bytes.Length / sizeof(float)];
        Buffer.BlockCopy(bytes, 0, values, 0, bytes.Length);
        Assert.True(BitConverter.IsLittleEndian);
        return torch.tensor(values, shape);
    }
}
