using System;
using System.IO;
using System.Linq;
using Dsl.Runtime.Checkpoints;
using Dsl.Runtime.Tests.Checkpoints;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Dsl.Runtime.Tests.Reliability;

/// <summary>
/// Safetensors files written to hurt: each is refused from its header, with one line naming the file, before any tensor
/// data is read or any memory beyond the header is taken; and a real file still loads.
/// </summary>
public sealed class HostileSafetensorsTests : IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    private byte[] RealFile(nn.Module module)
    {
        var path = temp.File("real.safetensors");
        Weights.Save(module, path);
        return File.ReadAllBytes(path);
    }

    [Fact]
    public void Two_tensors_sharing_one_byte_range_are_refused_and_the_model_is_left_as_it_was()
    {
        // Before: PyBridge accepted the overlap, and a model with two tensors read from the same bytes loaded (exit 0).
        using var scope = torch.NewDisposeScope();
        using var net = SmallNets.ConvNet();
        var (header, data) = SafetensorsBytes.Split(RealFile(net));
        var entries = SafetensorsBytes.Entries(header);
        var weight = entries.Single(e => e.Name == "1.weight");
        var rewritten = entries.Select(e => e.Name == "1.bias"
            ? SafetensorsBytes.Entry(e.Name, e.DType, e.Shape, weight.Begin, weight.End)
            : SafetensorsBytes.Entry(e.Name, e.DType, e.Shape, e.Begin, e.End));
        var path = temp.Write("overlap.safetensors", SafetensorsBytes.Build(SafetensorsBytes.Header(rewritten), data));
        using var target = SmallNets.ConvNet();
        using (torch.no_grad())
            target.state_dict()["1.bias"].fill_(7f);

        var e = Assert.Throws<CheckpointCorruptException>(() => Weights.Load(target, path));

        Assert.Contains(path, e.Message);
        Assert.Contains("overlaps", e.Message);
        Assert.DoesNotContain('\n', e.Message);
        Assert.Equal(7f, target.state_dict()["1.bias"][0].item<float>());
    }

    [Fact]
    public void Four_hundred_entries_of_one_shared_region_are_refused_without_allocating_them()
    {
        // Before: every entry was materialised (40 entries of a 32 MB region took 1.46 GiB; 400 were killed at 6 GiB).
        const int elements = 1 << 20; // 4 MB of F32
        var entries = Enumerable.Range(0, 400).Select(i => SafetensorsBytes.Entry($"t{i}", "F32", [elements], 0, 4L * elements));
        var path = temp.Write("shared.safetensors", SafetensorsBytes.Build(SafetensorsBytes.Header(entries), new byte[4 * elements]));
        using var net = SmallNets.ConvNet();

        var allocated = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<CheckpointCorruptException>(() => Weights.Load(net, path, strict: false));
        allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;

        Assert.Contains("overlaps", e.Message);
        Assert.True(allocated < 2_000_000, $"refusing the file allocated {allocated:N0} managed bytes");
    }

    [Fact]
    public void Unknown_and_missing_names_are_reported_before_any_tensor_data_is_read()
    {
        // A valid file of one 32 MB tensor the model does not have: before, all of it was read before the names were compared.
        const int elements = 8 << 20;
        var entry = SafetensorsBytes.Entry("extra", "F32", [elements], 0, 4L * elements);
        var path = temp.Write("unknown.safetensors", SafetensorsBytes.Build(SafetensorsBytes.Header([entry]), new byte[4 * elements]));
        using var scope = torch.NewDisposeScope();
        using var net = SmallNets.ConvNet();

        var allocated = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<WeightsMismatchException>(() => Weights.Load(net, path));
        Weights.Load(net, path, strict: false); // nothing in common: nothing read, nothing loaded
        allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;

        Assert.Contains("extra: unexpected", e.Message);
        Assert.Contains("0.weight: missing", e.Message);
        Assert.True(allocated < 2_000_000, $"matching the names allocated {allocated:N0} managed bytes");
    }

    public static TheoryData<string, string> Headers()
    {
        static string E(string name, string dtype, long[] shape, long begin, long end) => SafetensorsBytes.Entry(name, dtype, shape, begin, end);
        return new TheoryData<string, string>
        {
            { SafetensorsBytes.Header([E("a", "F32", [4], 0, 16), E("a", "F32", [4], 16, 32)]), "names \"a\" twice" },
            { SafetensorsBytes.Header([E("a", "F32", [5], 0, 16), E("b", "F32", [4], 16, 32)]), "needs 20 bytes but its data_offsets span 16" },
            { SafetensorsBytes.Header([E("a", "F32", [4000000000000, 4000000000000], 0, 16), E("b", "F32", [4], 16, 32)]), "needs more bytes than the file has" },
            { SafetensorsBytes.Header([E("a", "F32", [4], 0, 16), E("b", "F32", [4], 16, 48)]), "beyond the 32 bytes of data" },
            { SafetensorsBytes.Header([E("a", "F32", [2], 0, 8), E("b", "F32", [4], 16, 32)]), "has a hole: bytes 8..16" },
            { SafetensorsBytes.Header([E("a", "F32", [4], 0, 16)]), "cover 16 bytes of data but the file has 32" },
            { SafetensorsBytes.Header([E("a", "Q4", [4], 0, 16), E("b", "F32", [4], 16, 32)]), "the dtype \"Q4\"" },
            { SafetensorsBytes.Header([E("a", "F32", [-4], 0, 16), E("b", "F32", [4], 16, 32)]), "shape entry -4" },
            { SafetensorsBytes.Header([E("a", "F32", [4], 16, 0), E("b", "F32", [4], 16, 32)]), "end before they begin" },
            { "[1, 2, 3]", "a JSON array, not an object" },
            { "{\"a\": ", "not valid JSON" },
        };
    }

    [Theory]
    [MemberData(nameof(Headers))]
    public void A_malformed_header_is_one_line_naming_the_file_and_the_fault(string header, string expected)
    {
        var path = temp.Write("bad.safetensors", SafetensorsBytes.Build(header, new byte[32]));
        using var net = SmallNets.ConvNet();

        var e = Assert.Throws<CheckpointCorruptException>(() => Weights.Load(net, path, strict: false));

        Assert.Contains(path, e.Message);
        Assert.Contains(expected, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Theory]
    [InlineData(1UL << 62, "claims 4611686018427387904 bytes but the file has")]
    [InlineData(200_000_000UL, "claims 200000000 bytes but the file has")]
    public void A_header_length_beyond_the_file_is_refused_before_it_is_allocated(ulong claimed, string expected)
    {
        var path = temp.Write("long.safetensors", SafetensorsBytes.Build("{}", [], claimed));
        using var net = SmallNets.ConvNet();

        var e = Assert.Throws<CheckpointCorruptException>(() => Weights.Load(net, path));

        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Names_with_control_characters_are_escaped_in_every_message()
    {
        // Before: the name reached the terminal raw, so a file could recolour or rewrite the error line.
        var evil = "\u001b[2K\u001b[1Aall good\u0007";
        var path = temp.Write("ansi.safetensors", SafetensorsBytes.Build(
            SafetensorsBytes.Header([SafetensorsBytes.Entry(evil, "F32", [4], 0, 16)]), new byte[16]));
        var twice = temp.Write("ansi-twice.safetensors", SafetensorsBytes.Build(
            SafetensorsBytes.Header([SafetensorsBytes.Entry(evil, "F32", [4], 0, 16), SafetensorsBytes.Entry(evil, "F32", [4], 16, 32)]), new byte[32]));
        using var net = SmallNets.ConvNet();

        var mismatch = Assert.Throws<WeightsMismatchException>(() => Weights.Load(net, path));
        var corrupt = Assert.Throws<CheckpointCorruptException>(() => Weights.Load(net, twice));

        foreach (var message in new[] { mismatch.Message, corrupt.Message })
        {
            Assert.DoesNotContain(message, c => char.IsControl(c));
            Assert.Contains(@"\u001b[2K\u001b[1Aall good\u0007", message);
        }
    }

    [Fact]
    public void A_real_file_with_metadata_still_loads_exactly()
    {
        using var scope = torch.NewDisposeScope();
        using var source = SmallNets.ConvNet();
        SmallNets.UpdateRunningStats(source);
        using var target = SmallNets.ConvNet();
        var path = temp.File("real-meta.safetensors");
        Weights.Save(source, path, new Dsl.Runtime.Data.Normalization(0.5, 0.25));

        Weights.Load(target, path);

        Assert.True(SmallNets.SameState(source, target));
        Assert.Equal(0.5, Weights.ReadNormalization(path)!.Mean[0]);
    }

    [Fact]
    public void A_fifo_is_refused_rather_than_opened()
    {
        if (OperatingSystem.IsWindows())
            return;
        var path = temp.File("pipe.safetensors");
        Assert.Equal(0, Mkfifo.Create(path));
        using var net = SmallNets.ConvNet();

        var e = Assert.Throws<CheckpointCorruptException>(() => Weights.Load(net, path));

        Assert.Contains("a FIFO", e.Message);
    }
}
