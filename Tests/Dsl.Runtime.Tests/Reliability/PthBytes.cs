using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace Dsl.Runtime.Tests.Reliability;

/// <summary>
/// Writes <c>.pth</c> files opcode by opcode, as <c>torch.save(state_dict)</c> lays them out (protocol 2, a zip with
/// <c>archive/data.pkl</c> and one entry per storage), to make the hostile ones a real writer never would.
/// </summary>
internal static class PthBytes
{
    /// <summary>A tensor as the pickle declares it: a view of a storage.</summary>
    public sealed record View(string Name, string Storage, long Offset, long[] Shape, long[] Stride);

    /// <summary>A storage: torch's class name (<c>FloatStorage</c>), the element count the pickle declares, and the entry's bytes.</summary>
    public sealed record Storage(string Key, string Type, long Elements, byte[] Bytes);

    /// <summary>The views and storages of <paramref name="module"/>'s state_dict: one storage per tensor, contiguous views.</summary>
    public static (List<View> Views, List<Storage> Storages) Of(nn.Module module)
    {
        var views = new List<View>();
        var storages = new List<Storage>();
        foreach (var (name, tensor) in module.state_dict())
        {
            var key = storages.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
            storages.Add(new Storage(key, TypeOf(tensor.dtype), tensor.numel(), tensor.contiguous().bytes.ToArray()));
            views.Add(new View(name, key, 0, tensor.shape, ContiguousStrides(tensor.shape)));
        }
        return (views, storages);
    }

    public static long[] ContiguousStrides(long[] shape)
    {
        var strides = new long[shape.Length];
        var step = 1L;
        for (var i = shape.Length - 1; i >= 0; i--)
        {
            strides[i] = step;
            step *= shape[i];
        }
        return strides;
    }

    public static string TypeOf(ScalarType dtype) => dtype switch
    {
        ScalarType.Float32 => "FloatStorage",
        ScalarType.Float64 => "DoubleStorage",
        ScalarType.Int64 => "LongStorage",
        ScalarType.Int32 => "IntStorage",
        ScalarType.Byte => "ByteStorage",
        ScalarType.Bool => "BoolStorage",
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, null),
    };

    /// <summary>The pickle torch.save writes for these views (each storage declared with its own element count).</summary>
    public static byte[] Pickle(IEnumerable<View> views, IReadOnlyCollection<Storage> storages)
    {
        var p = new PickleWriter();
        p.Proto();
        p.Global("collections", "OrderedDict");
        p.Op(')');
        p.Op('R');
        p.Op('(');
        foreach (var view in views)
        {
            var storage = storages.First(s => s.Key == view.Storage);
            p.Text(view.Name);
            p.Global("torch._utils", "_rebuild_tensor_v2");
            p.Op('(');
            p.Op('(');
            p.Text("storage");
            p.Global("torch", storage.Type);
            p.Text(storage.Key);
            p.Text("cpu");
            p.Int(storage.Elements);
            p.Op('t');
            p.Op('Q');
            p.Int(view.Offset);
            p.Tuple(view.Shape);
            p.Tuple(view.Stride);
            p.Op(0x89); // requires_grad False
            p.Global("collections", "OrderedDict");
            p.Op(')');
            p.Op('R');
            p.Op('t');
            p.Op('R');
        }
        p.Op('u');
        p.Op('.');
        return p.ToArray();
    }

    /// <summary>The zip around a pickle and the storages' entries (deflated when asked, as PyBridge writes them).</summary>
    public static byte[] Zip(byte[] pickle, IEnumerable<Storage> storages, bool deflate = false, long? pickleLengthOverride = null)
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            var level = deflate ? CompressionLevel.Fastest : CompressionLevel.NoCompression;
            Add(zip, "archive/data.pkl", pickle, level);
            Add(zip, "archive/byteorder", "little"u8.ToArray(), level);
            foreach (var storage in storages)
                Add(zip, "archive/data/" + storage.Key, storage.Bytes, level);
            Add(zip, "archive/version", "3\n"u8.ToArray(), level);
        }
        return buffer.ToArray();
    }

    public static byte[] File(IReadOnlyCollection<View> views, IReadOnlyCollection<Storage> storages, bool deflate = false) =>
        Zip(Pickle(views, storages), storages, deflate);

    private static void Add(ZipArchive zip, string name, byte[] bytes, CompressionLevel level)
    {
        using var stream = zip.CreateEntry(name, level).Open();
        stream.Write(bytes);
    }

    /// <summary>Emits pickle opcodes (protocol 2, the subset torch.save uses).</summary>
    public sealed class PickleWriter
    {
        private readonly MemoryStream bytes = new();

        public void Proto(byte protocol = 2)
        {
            bytes.WriteByte(0x80);
            bytes.WriteByte(protocol);
        }

        public void Op(char opcode) => bytes.WriteByte((byte)opcode);

        public void Op(byte opcode) => bytes.WriteByte(opcode);

        public void Raw(ReadOnlySpan<byte> raw) => bytes.Write(raw);

        public void Global(string module, string name) => Raw(Encoding.ASCII.GetBytes($"c{module}\n{name}\n"));

        public void Text(string text)
        {
            var utf8 = Encoding.UTF8.GetBytes(text);
            Op('X');
            Span<byte> length = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32LittleEndian(length, (uint)utf8.Length);
            Raw(length);
            Raw(utf8);
        }

        /// <summary>BININT for what fits 32 bits, LONG1 beyond (as pickle does).</summary>
        public void Int(long value)
        {
            if (value is >= int.MinValue and <= int.MaxValue)
            {
                Op('J');
                Span<byte> b = stackalloc byte[4];
                BinaryPrimitives.WriteInt32LittleEndian(b, (int)value);
                Raw(b);
                return;
            }
            Op(0x8a);
            bytes.WriteByte(8);
            Span<byte> l = stackalloc byte[8];
            BinaryPrimitives.WriteInt64LittleEndian(l, value);
            Raw(l);
        }

        public void Tuple(IEnumerable<long> values)
        {
            Op('(');
            foreach (var value in values)
                Int(value);
            Op('t');
        }

        public byte[] ToArray() => bytes.ToArray();
    }
}
