using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Dsl.Runtime.Checkpoints;
using Dsl.Runtime.Tests.Checkpoints;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;
using Storage = Dsl.Runtime.Tests.Reliability.PthBytes.Storage;
using View = Dsl.Runtime.Tests.Reliability.PthBytes.View;

namespace Dsl.Runtime.Tests.Reliability;

/// <summary>
/// <c>.pth</c> files written to hurt. Before, they went to PyBridge's unpickler, which allocated what the pickle declared
/// (each storage's element count, once per tensor that refers to it, and each tensor's shape) before any check. Now each
/// is refused from its pickle and zip index with one line naming the file, before any tensor data is read or any memory
/// beyond the pickle is taken; and real files, shared storages and views still load.
/// </summary>
public sealed class HostilePthTests : IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    private static CheckpointCorruptException Refused(nn.Module module, string path, bool strict = true, long maxManagedBytes = 2_000_000)
    {
        var allocated = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<CheckpointCorruptException>(() => Weights.Load(module, path, strict));
        allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;
        Assert.Contains(path, e.Message);
        Assert.DoesNotContain('\n', e.Message);
        Assert.True(allocated < maxManagedBytes, $"refusing the file allocated {allocated:N0} managed bytes");
        return e;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_state_dict_laid_out_as_torch_save_writes_it_loads_exactly(bool deflate)
    {
        using var scope = torch.NewDisposeScope();
        using var source = SmallNets.ConvNet();
        SmallNets.UpdateRunningStats(source);
        var (views, storages) = PthBytes.Of(source);
        var path = temp.Write("real.pth", PthBytes.File(views, storages, deflate));
        using var target = SmallNets.ConvNet();

        Weights.Load(target, path);

        foreach (var (name, tensor) in source.state_dict())
            Assert.True(SmallNets.Identical(tensor, target.state_dict()[name]), name);
    }

    [Fact]
    public void Views_of_one_shared_storage_load_with_their_offsets_and_strides()
    {
        // A transposed view (stride [1, 4]), a slice at an offset, and a broadcast (stride 0) of one 16-float storage.
        using var scope = torch.NewDisposeScope();
        var values = arange(16, dtype: float32);
        var storage = new Storage("s", "FloatStorage", 16, values.bytes.ToArray());
        var views = new List<View>
        {
            new("0.weight", "s", 0, [4, 4], [1, 4]),
            new("0.bias", "s", 12, [4], [1]),
            new("1.weight", "s", 5, [4], [0]),
        };
        var path = temp.Write("views.pth", PthBytes.File(views, [storage]));
        using var net = nn.Sequential(nn.Linear(4, 4), nn.LayerNorm(4));

        Weights.Load(net, path, strict: false);

        var state = net.state_dict();
        Assert.True(SmallNets.Identical(state["0.weight"], values.view(4, 4).t()));
        Assert.Equal(new[] { 12f, 13f, 14f, 15f }, state["0.bias"].data<float>().ToArray());
        Assert.Equal(new[] { 5f, 5f, 5f, 5f }, state["1.weight"].data<float>().ToArray());
    }

    [Fact]
    public void A_storage_declaring_more_elements_than_its_entry_holds_is_refused_before_allocating_them()
    {
        // Before: PyBridge allocated elements × size bytes for the storage (here 2^40 floats) before reading the entry.
        using var net = SmallNets.ConvNet();
        var (views, storages) = PthBytes.Of(net);
        storages[0] = storages[0] with { Elements = 1L << 40 };
        var path = temp.Write("huge-storage.pth", PthBytes.File(views, storages));

        var e = Refused(net, path);

        Assert.Contains("storage \"0\" is declared as 1,099,511,627,776 elements", e.Message);
    }

    [Fact]
    public void Four_hundred_tensors_viewing_one_shared_storage_take_only_what_the_model_reads()
    {
        // Before: each of the 400 references materialised the whole 4 MB storage (1.6 GB in all).
        const int elements = 1 << 20;
        var storage = new Storage("big", "FloatStorage", elements, new byte[4 * elements]);
        var views = Enumerable.Range(0, 400).Select(i => new View($"t{i}", "big", 0, [elements], [1])).ToList();
        var path = temp.Write("shared.pth", PthBytes.File(views, [storage]));
        using var net = SmallNets.ConvNet();

        var peak = PeakResidentMemory.Reset();
        var allocated = GC.GetAllocatedBytesForCurrentThread();
        Weights.Load(net, path, strict: false); // no name matches: nothing is read
        allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;
        var grown = PeakResidentMemory.Read() - peak;

        Assert.True(allocated < 4_000_000, $"loading allocated {allocated:N0} managed bytes");
        Assert.True(grown is null or < 100_000_000, $"loading grew the peak resident set by {grown:N0} bytes");
    }

    [Fact]
    public void A_tensor_reaching_beyond_its_storage_is_refused()
    {
        using var net = SmallNets.ConvNet();
        var (views, storages) = PthBytes.Of(net);
        views[0] = views[0] with { Offset = 30 }; // 36 elements from 30 in a storage of 36
        var path = temp.Write("beyond.pth", PthBytes.File(views, storages));

        var e = Refused(net, path);

        Assert.Contains("the tensor \"0.weight\"", e.Message);
        Assert.Contains("reaches beyond the 36 elements of its storage", e.Message);
    }

    [Fact]
    public void A_huge_declared_shape_is_refused_by_the_model_match_before_anything_is_allocated()
    {
        // Before: PyBridge called torch.zeros(shape) for the declared shape (here 2^40 floats) before anything was compared.
        using var net = SmallNets.ConvNet();
        var (views, storages) = PthBytes.Of(net);
        views[0] = views[0] with { Shape = [1 << 20, 1 << 20], Stride = [0, 0] };
        var path = temp.Write("huge-shape.pth", PthBytes.File(views, storages));

        var allocated = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<WeightsMismatchException>(() => Weights.Load(net, path));
        allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;

        Assert.Contains("0.weight: the file", e.Message);
        Assert.True(allocated < 2_000_000, $"refusing the file allocated {allocated:N0} managed bytes");
    }

    [Fact]
    public void A_sparse_strided_view_is_refused_as_reading_it_would_cost_its_whole_span()
    {
        using var net = SmallNets.ConvNet();
        var (views, storages) = PthBytes.Of(net);
        var bias = views.FindIndex(v => v.Name == "4.bias"); // [3] in a storage of 3
        views[bias] = views[bias] with { Stride = [1_000] };
        storages[bias] = storages[bias] with { Elements = 3_000, Bytes = new byte[12_000] };
        var path = temp.Write("sparse.pth", PthBytes.File(views, storages));

        var e = Refused(net, path);

        Assert.Contains("strided view spanning 2,001 elements of its storage for 3 elements", e.Message);
    }

    [Fact]
    public void A_pickle_string_longer_than_the_pickle_is_refused_before_allocating_it()
    {
        // Before: the unpickler allocated the declared length (here 1 TB) before reading it.
        var p = new PthBytes.PickleWriter();
        p.Proto(4);
        p.Op(0x8d); // BINUNICODE8
        p.Raw(BitConverter.GetBytes(1L << 40));
        p.Raw("abc"u8);
        var path = temp.Write("long-string.pth", PthBytes.Zip(p.ToArray(), []));
        using var net = SmallNets.ConvNet();

        var e = Refused(net, path);

        Assert.Contains("its pickle ends early: 1099511627776 bytes are needed", e.Message);
    }

    [Theory]
    [InlineData("os", "system")]
    [InlineData("builtins", "eval")]
    [InlineData("torch", "load")]
    public void A_pickle_naming_any_other_global_is_refused_naming_it(string module, string name)
    {
        var p = new PthBytes.PickleWriter();
        p.Proto();
        p.Global(module, name);
        p.Text("echo hostile");
        p.Op(0x85);
        p.Op('R');
        p.Op('.');
        var path = temp.Write("global.pth", PthBytes.Zip(p.ToArray(), []));
        using var net = SmallNets.ConvNet();

        var e = Refused(net, path);

        Assert.Contains($"refers to the Python global {module}.{name}", e.Message);
    }

    [Fact]
    public void A_pickled_module_of_parameters_is_refused_with_the_way_out()
    {
        var p = new PthBytes.PickleWriter();
        p.Proto();
        p.Op('}');
        p.Text("weight");
        p.Global("torch._utils", "_rebuild_parameter");
        var path = temp.Write("parameters.pth", PthBytes.Zip(p.ToArray(), []));
        using var net = SmallNets.ConvNet();

        var e = Refused(net, path);

        Assert.Contains("save model.state_dict() alone", e.Message);
    }

    [Fact]
    public void A_pickle_larger_than_the_model_can_need_is_refused_unread()
    {
        using var net = SmallNets.ConvNet();
        var limit = PthFile.MaxPickleBytes(net.state_dict().Count);
        var path = temp.Write("big-pickle.pth", PthBytes.Zip(new byte[limit + 1], [], deflate: true));

        var e = Refused(net, path);

        Assert.Contains($"its data.pkl has {limit + 1:N0} bytes, more than the {limit:N0}", e.Message);
    }

    [Fact]
    public void A_pickle_of_one_byte_values_up_to_the_bound_costs_a_small_multiple_of_its_size()
    {
        // Each EMPTY_DICT is one byte and one value kept on the stack: the most values a pickle of its size can hold.
        using var net = SmallNets.ConvNet();
        var limit = (int)PthFile.MaxPickleBytes(net.state_dict().Count);
        var pickle = new byte[limit];
        pickle[0] = 0x80;
        pickle[1] = 2;
        pickle.AsSpan(2).Fill((byte)'}');
        var path = temp.Write("dicts.pth", PthBytes.Zip(pickle, []));

        var e = Refused(net, path, maxManagedBytes: 64L * limit + 2_000_000);

        Assert.Contains("ends early", e.Message);
    }

    [Fact]
    public void A_name_given_twice_is_refused()
    {
        using var net = SmallNets.ConvNet();
        var (views, storages) = PthBytes.Of(net);
        views.Add(views[0]);
        var path = temp.Write("twice.pth", PthBytes.File(views, storages));

        var e = Refused(net, path);

        Assert.Contains("names \"0.weight\" twice", e.Message);
    }

    [Fact]
    public void A_storage_the_archive_lacks_is_refused_naming_it()
    {
        using var net = SmallNets.ConvNet();
        var (views, storages) = PthBytes.Of(net);
        var path = temp.Write("missing.pth", PthBytes.Zip(PthBytes.Pickle(views, storages), storages.Skip(1)));

        var e = Refused(net, path);

        Assert.Contains("refers to the storage \"0\", which its zip archive lacks", e.Message);
    }

    [Fact]
    public void Deeply_nested_marks_are_refused_not_followed()
    {
        var p = new PthBytes.PickleWriter();
        p.Proto();
        for (var i = 0; i < 100_000; i++)
            p.Op('(');
        var path = temp.Write("marks.pth", PthBytes.Zip(p.ToArray(), []));
        using var net = SmallNets.ConvNet();

        var e = Refused(net, path);

        Assert.Contains("nests deeper than 64 levels", e.Message);
    }
}
