using System;
using System.IO;
using Dsl.Runtime.Checkpoints;
using Dsl.Runtime.Tests.Checkpoints;
using TorchSharp;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Dsl.Runtime.Tests.Interop;

/// <summary>
/// The runtime's own <c>.pth</c> reader on files PyTorch itself writes (Debian's <c>python3-torch</c>): pickle protocols
/// 2 (torch.save's default) and 4 (framed, memoized, STACK_GLOBAL), an OrderedDict with its <c>_metadata</c>, tensors
/// that share one storage (tied weights, a slice, a transpose, a broadcast) and a non-float dtype.
/// </summary>
public sealed class TorchSaveFilesTests(ITestOutputHelper output) : IDisposable
{
    // ConvNet's keys (Conv2d(1, 4, 3), BatchNorm2d(4), Linear(144, 3)), with values the C# side can recompute.
    private const string Script = """
        import sys, torch
        out, protocol = sys.argv[1], int(sys.argv[2])
        net = torch.nn.Sequential(torch.nn.Conv2d(1, 4, 3), torch.nn.BatchNorm2d(4), torch.nn.ReLU(), torch.nn.Flatten(), torch.nn.Linear(144, 3))
        state = net.state_dict()
        shared = torch.arange(36, dtype=torch.float32)
        state["0.weight"] = shared.view(4, 1, 3, 3)
        state["0.bias"] = shared[8:12]                         # a slice at an offset of the same storage
        state["1.weight"] = torch.arange(4, dtype=torch.float32).expand(4) * 0 + 2.5
        state["1.bias"] = torch.tensor(7.0).expand(4)          # a broadcast: stride 0
        state["1.running_mean"] = shared[:4]
        state["1.running_var"] = torch.arange(1, 5, dtype=torch.float32)
        state["1.num_batches_tracked"] = torch.tensor(11)
        state["4.weight"] = torch.arange(432, dtype=torch.float32).view(144, 3).t()   # a transpose: strides (1, 3)
        state["4.bias"] = torch.tensor([-1.0, 0.0, 1.0])
        torch.save(state, out, pickle_protocol=protocol)
        """;

    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    public void A_state_dict_written_by_torch_save_loads_with_every_view_as_pytorch_reads_it(int protocol)
    {
        if (!Python.Available(output.WriteLine))
            return;
        var script = temp.File("write.py");
        File.WriteAllText(script, Script);
        var path = temp.File($"state-{protocol}.pth");
        Python.Run(script, [path, protocol.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        using var scope = torch.NewDisposeScope();
        using var net = SmallNets.ConvNet();

        Weights.Load(net, path);

        var state = net.state_dict();
        var shared = arange(36, dtype: float32);
        Assert.True(SmallNets.Identical(state["0.weight"], shared.view(4, 1, 3, 3)));
        Assert.True(SmallNets.Identical(state["0.bias"], shared.narrow(0, 8, 4)));
        Assert.True(SmallNets.Identical(state["1.weight"], full(4, 2.5f)));
        Assert.True(SmallNets.Identical(state["1.bias"], full(4, 7f)));
        Assert.True(SmallNets.Identical(state["1.running_mean"], shared.narrow(0, 0, 4)));
        Assert.True(SmallNets.Identical(state["1.running_var"], arange(1, 5, dtype: float32)));
        Assert.Equal(11L, state["1.num_batches_tracked"].item<long>());
        Assert.True(SmallNets.Identical(state["4.weight"], arange(432, dtype: float32).view(144, 3).t()));
        Assert.True(SmallNets.Identical(state["4.bias"], tensor(new[] { -1f, 0f, 1f })));
    }
}
