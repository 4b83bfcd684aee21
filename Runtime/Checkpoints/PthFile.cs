using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Linq;
using Dsl.Runtime.IO;
using static TorchSharp.torch;

namespace Dsl.Runtime.Checkpoints;

/// <summary>One tensor of a <c>.pth</c> file, checked: a view of <see cref="Elements"/> elements inside its storage entry.</summary>
internal sealed record PthEntry(string Name, ScalarType DType, long[] Shape, long[] Stride, long Offset, long Span, ZipArchiveEntry Storage)
{
    public long Elements => Shape.Aggregate(1L, (product, size) => product * size);

    /// <summary>The elements read from the storage: its own when contiguous, else the span of its view (no more than its own).</summary>
    public long ElementsRead => IsContiguous ? Elements : Span;

    /// <summary>Row-major without gaps, so its bytes are one run of the storage.</summary>
    public bool IsContiguous
    {
        get
        {
            var expected = 1L;
            for (var i = Shape.Length - 1; i >= 0; i--)
            {
                if (Shape[i] != 1 && Stride[i] != expected)
                    return false;
                expected *= Shape[i];
            }
            return true;
        }
    }
}

/// <summary>
/// A state_dict as <c>torch.save</c> writes it (a zip with <c>data.pkl</c> and one entry per storage), read without
/// PyBridge's unpickler and checked completely before any tensor data is read: <c>data.pkl</c> is bounded in size and
/// read by <see cref="StateDictPickle"/> (no code runs, no global but torch's tensor rebuilders is known), every storage
/// has its entry in the archive with exactly the bytes its type and size need, and every tensor's sizes and strides
/// stay inside its storage. A tensor is then read alone, taking its own bytes and no more (a storage shared by many
/// tensors is never materialised whole), so memory follows the tensors the caller asks for, whatever the file claims.
/// </summary>
internal sealed class PthFile : IDisposable
{
    private const int MaxRank = 64;

    /// <summary>Where element counts saturate: far beyond any file, and far from overflowing.</summary>
    private const long Cap = long.MaxValue / 4;

    /// <summary>The most one tensor may take: it is read through one managed buffer.</summary>
    private const long MaxTensorBytes = int.MaxValue;

    private readonly ZipArchive archive;

    private PthFile(ZipArchive archive, IReadOnlyList<PthEntry> entries)
    {
        this.archive = archive;
        Entries = entries;
    }

    /// <summary>The tensors, in the pickle's order.</summary>
    public IReadOnlyList<PthEntry> Entries { get; }

    public void Dispose() => archive.Dispose();

    /// <summary>The most bytes of <c>data.pkl</c> read for a model of <paramref name="modelTensors"/> tensors.</summary>
    /// <remarks>
    /// A state_dict's pickle takes about 150 bytes a tensor (its name, sizes, strides and storage key); this admits a file
    /// with about 25 times the model's tensors (a bigger checkpoint loaded non-strictly), and bounds what reading the
    /// pickle can cost: every value in it takes at least one byte, and at most a few dozen bytes of memory.
    /// </remarks>
    public static long MaxPickleBytes(int modelTensors) => 65_536L + 4_096L * modelTensors;

    /// <summary>Opens and checks the <c>.pth</c> file in <paramref name="stream"/> (left open).</summary>
    /// <exception cref="CheckpointCorruptException">Anything is wrong; the message names the file, and the tensor, escaped.</exception>
    public static PthFile Open(Stream stream, string path, long maxPickleBytes)
    {
        // Anything that is not a zip would be "the legacy format" to a zip reader, which misleads for a damaged file.
        Span<byte> start = stackalloc byte[4];
        stream.Position = 0;
        if (stream.Length < 4 || stream.Read(start) < 4 || !start.SequenceEqual("PK\x03\x04"u8))
            throw Corrupt(path, "it is not a zip archive as torch.save writes (a damaged file, or the legacy pre-1.6 format, which is not supported)");
        stream.Position = 0;
        // A damaged archive throws InvalidDataException, which the caller turns into one line naming the file.
        var archive = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true);
        try
        {
            return new PthFile(archive, Check(archive, path, maxPickleBytes));
        }
        catch
        {
            archive.Dispose();
            throw;
        }
    }

    private static List<PthEntry> Check(ZipArchive archive, string path, long maxPickleBytes)
    {
        var pickles = archive.Entries.Where(e => e.FullName == "data.pkl" || e.FullName.EndsWith("/data.pkl", StringComparison.Ordinal)).ToList();
        if (pickles.Count != 1)
            throw Corrupt(path, pickles.Count == 0
                ? "its zip archive has no data.pkl, so torch.save did not write it"
                : $"its zip archive has {pickles.Count} data.pkl entries");
        var pickle = pickles[0];
        var prefix = pickle.FullName[..^"data.pkl".Length];
        if (archive.GetEntry(prefix + "byteorder") is { } order && ReadSmall(order, path, 16) is var text && text.Trim() != "little")
            throw Corrupt(path, $"its tensors are stored \"{Names.Printable(text.Trim())}\"-endian; this runtime reads little-endian files");
        if (pickle.Length > maxPickleBytes)
            throw Corrupt(path, $"its data.pkl has {pickle.Length:N0} bytes, more than the {maxPickleBytes:N0} a state_dict for this model can need");

        var bytes = new byte[pickle.Length];
        using (var input = pickle.Open())
            ReadExactly(input, bytes, path, "data.pkl");
        var tensors = StateDictPickle.Read(bytes, path);

        var storages = new Dictionary<PickledStorage, ZipArchiveEntry>();
        var entries = new List<PthEntry>(tensors.Count);
        foreach (var (name, tensor) in tensors)
        {
            if (!storages.TryGetValue(tensor.Storage, out var storageEntry))
            {
                storageEntry = StorageEntry(archive, prefix, tensor.Storage, path);
                storages.Add(tensor.Storage, storageEntry);
            }
            entries.Add(Validate(name, tensor, storageEntry, path));
        }
        return entries;
    }

    private static ZipArchiveEntry StorageEntry(ZipArchive archive, string prefix, PickledStorage storage, string path)
    {
        var key = Names.Printable(storage.Key);
        if (storage.Key.Contains('/') || storage.Key.Contains('\\') || storage.Key.Contains(".."))
            throw Corrupt(path, $"its pickle names the storage \"{key}\", which is not an entry name");
        var entry = archive.GetEntry(prefix + "data/" + storage.Key)
            ?? throw Corrupt(path, $"its pickle refers to the storage \"{key}\", which its zip archive lacks ({Names.Printable(prefix)}data/{key})");
        var elementSize = WeightDTypes.ElementSize(DTypeOf(storage.TypeName));
        var needed = storage.Elements > long.MaxValue / elementSize ? long.MaxValue : storage.Elements * elementSize;
        if (entry.Length != needed)
            throw Corrupt(path, $"its storage \"{key}\" is declared as {storage.Elements:N0} elements of {storage.TypeName} ({(needed == long.MaxValue ? "beyond any file" : $"{needed:N0} bytes")}) but its entry holds {entry.Length:N0} bytes");
        return entry;
    }

    private static PthEntry Validate(string name, PickledTensor tensor, ZipArchiveEntry storage, string path)
    {
        var shown = Names.Printable(name);
        var shape = tensor.Shape;
        if (shape.Length > MaxRank)
            throw Corrupt(path, $"the tensor \"{shown}\" has {shape.Length} dimensions, more than {MaxRank}");
        if (shape.Any(s => s < 0) || tensor.Stride.Any(s => s < 0) || tensor.Offset < 0)
            throw Corrupt(path, $"the tensor \"{shown}\" has a negative size, stride or offset (size [{string.Join(", ", shape)}], stride [{string.Join(", ", tensor.Stride)}], offset {tensor.Offset})");

        var storageElements = tensor.Storage.Elements;
        var elements = 1L;
        var span = 1L; // elements from the first to the last one the view touches
        for (var i = 0; i < shape.Length; i++)
        {
            // Anything near the cap is refused below; saturating keeps the arithmetic exact under it.
            elements = shape[i] != 0 && elements > Cap / shape[i] ? Cap : elements * shape[i];
            if (shape[i] > 0)
                span = tensor.Stride[i] != 0 && shape[i] - 1 > (Cap - span) / tensor.Stride[i] ? Cap : span + (shape[i] - 1) * tensor.Stride[i];
        }
        if (elements == 0)
            span = 0;
        if (elements > 0 && (tensor.Offset > storageElements || span > storageElements - tensor.Offset))
            throw Corrupt(path, $"the tensor \"{shown}\" (size [{string.Join(", ", shape)}], stride [{string.Join(", ", tensor.Stride)}], offset {tensor.Offset}) reaches beyond the {storageElements:N0} elements of its storage \"{Names.Printable(tensor.Storage.Key)}\"");
        // A dense view (any order) or one that repeats elements (a stride of 0) spans at most its own elements; a sparse
        // view would make reading it cost its whole span.
        if (span > elements)
            throw Corrupt(path, $"the tensor \"{shown}\" is a strided view spanning {span:N0} elements of its storage for {elements:N0} elements; save it contiguous (tensor.contiguous())");
        var entry = new PthEntry(name, DTypeOf(tensor.Storage.TypeName), shape, tensor.Stride, tensor.Offset, span, storage);
        if (entry.ElementsRead > MaxTensorBytes / WeightDTypes.ElementSize(entry.DType))
            throw Corrupt(path, $"the tensor \"{shown}\" has {elements:N0} elements, more than this runtime reads from a .pth file (2 GiB a tensor); convert it to safetensors");
        return entry;
    }

    /// <summary>
    /// Reads <paramref name="entry"/> into a new tensor (in the caller's dispose scope): only the bytes of its view, through
    /// one buffer of that size.
    /// </summary>
    public Tensor ReadTensor(PthEntry entry, string path)
    {
        if (entry.Elements == 0)
            return empty(entry.Shape, dtype: entry.DType);
        var elementSize = WeightDTypes.ElementSize(entry.DType);
        var count = entry.ElementsRead;
        var bytes = new byte[count * elementSize];
        using (var input = entry.Storage.Open())
        {
            Skip(input, entry.Offset * elementSize, path, entry.Name);
            ReadExactly(input, bytes, path, $"the tensor \"{Names.Printable(entry.Name)}\"");
        }
        var flat = empty(new[] { count }, dtype: entry.DType);
        flat.bytes = bytes;
        return entry.IsContiguous ? flat.view(entry.Shape) : flat.as_strided(entry.Shape, entry.Stride);
    }

    /// <summary>The dtype of a storage class <see cref="StateDictPickle"/> has already accepted.</summary>
    private static ScalarType DTypeOf(string storageType) => WeightDTypes.OfTorchStorage(storageType)
        ?? throw new ArgumentOutOfRangeException(nameof(storageType), storageType, "not a storage class StateDictPickle accepts");

    private static string ReadSmall(ZipArchiveEntry entry, string path, int limit)
    {
        if (entry.Length > limit)
            throw Corrupt(path, $"its {Names.Printable(entry.FullName)} entry has {entry.Length:N0} bytes, more than {limit}");
        var bytes = new byte[entry.Length];
        using var input = entry.Open();
        ReadExactly(input, bytes, path, Names.Printable(entry.FullName));
        return System.Text.Encoding.ASCII.GetString(bytes);
    }

    private static void ReadExactly(Stream input, byte[] buffer, string path, string what)
    {
        try
        {
            input.ReadExactly(buffer);
        }
        catch (EndOfStreamException e)
        {
            throw Corrupt(path, $"{what} ends before the {buffer.Length:N0} bytes its zip entry declares", e);
        }
    }

    private static void Skip(Stream input, long count, string path, string name)
    {
        if (input.CanSeek)
        {
            try
            {
                input.Position = count;
                return;
            }
            catch (NotSupportedException)
            {
                // Some entry streams report CanSeek but refuse it: read up to the offset instead.
            }
        }
        var buffer = new byte[(int)Math.Min(count, 1 << 16)];
        while (count > 0)
        {
            var read = input.Read(buffer, 0, (int)Math.Min(count, buffer.Length));
            if (read == 0)
                throw Corrupt(path, $"the storage of the tensor \"{Names.Printable(name)}\" ends before the tensor's offset");
            count -= read;
        }
    }

    private static CheckpointCorruptException Corrupt(string path, string reason, Exception? inner = null) => new(path, reason, inner);
}
