using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Text.Json;
using Dsl.Runtime.IO;
using static TorchSharp.torch;

namespace Dsl.Runtime.Checkpoints;

/// <summary>One tensor of a safetensors header: its dtype, shape and byte range within the data (after the header).</summary>
internal sealed record SafetensorsEntry(string Name, ScalarType DType, long[] Shape, long Begin, long End)
{
    public long ByteCount => End - Begin;
}

/// <summary>
/// A safetensors header, read and checked completely before any tensor data is touched: the header length is bounded and
/// inside the file, it is one JSON object without duplicate names, every entry has a known dtype, a shape of
/// non-negative sizes and a byte range whose length is dtype × shape, and the ranges are sorted, never overlap, and
/// cover the data without a hole or a byte left over (as the format requires). What passes can be read with memory
/// bounded by the sizes of the tensors the caller asks for, whatever the file claims.
/// </summary>
internal sealed class SafetensorsFile
{
    /// <summary>The reference implementation's limit on the header (safetensors' <c>MAX_HEADER_SIZE</c>, 100 MB).</summary>
    public const long MaxHeaderBytes = 100_000_000;

    private const int MaxRank = 64;

    private SafetensorsFile(IReadOnlyList<SafetensorsEntry> entries, Dictionary<string, string>? metadata, long dataStart)
    {
        Entries = entries;
        Metadata = metadata;
        DataStart = dataStart;
    }

    /// <summary>The tensors, in the order of their data.</summary>
    public IReadOnlyList<SafetensorsEntry> Entries { get; }

    /// <summary>The <c>__metadata__</c> map, or null when the header has none.</summary>
    public Dictionary<string, string>? Metadata { get; }

    /// <summary>Where the tensor data starts in the file (8 + the header length).</summary>
    public long DataStart { get; }

    /// <summary>Reads and validates the header of the safetensors file open in <paramref name="stream"/>.</summary>
    /// <exception cref="CheckpointCorruptException">Anything about the header is wrong; the message names the file (and the tensor, escaped).</exception>
    public static SafetensorsFile ReadHeader(Stream stream, string path)
    {
        var length = stream.Length;
        if (length < 8)
            throw Corrupt(path, $"it is too short for a safetensors file ({length} bytes)");
        Span<byte> prefix = stackalloc byte[8];
        stream.Position = 0;
        stream.ReadExactly(prefix);
        var headerLength = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (headerLength > (ulong)(length - 8))
            throw Corrupt(path, $"its safetensors header claims {headerLength} bytes but the file has {length}");
        if (headerLength > MaxHeaderBytes)
            throw Corrupt(path, $"its safetensors header claims {headerLength} bytes, more than the format's limit of {MaxHeaderBytes}");
        if (headerLength < 2)
            throw Corrupt(path, $"its safetensors header has {headerLength} bytes, too few for a JSON object");

        var bytes = new byte[headerLength];
        stream.ReadExactly(bytes);
        if (!System.Text.Unicode.Utf8.IsValid(bytes))
            throw Corrupt(path, "its safetensors header is not valid UTF-8");
        var dataStart = 8 + (long)headerLength;
        var dataLength = length - dataStart;
        try
        {
            using var document = JsonDocument.Parse(bytes, new JsonDocumentOptions { MaxDepth = 8 });
            return Parse(document.RootElement, path, dataStart, dataLength);
        }
        catch (JsonException e)
        {
            throw Corrupt(path, $"its safetensors header is not valid JSON ({Names.FirstLine(e.Message)})");
        }
    }

    private static SafetensorsFile Parse(JsonElement root, string path, long dataStart, long dataLength)
    {
        if (root.ValueKind != JsonValueKind.Object)
            throw Corrupt(path, $"its safetensors header is a JSON {root.ValueKind.ToString().ToLowerInvariant()}, not an object");

        var names = new HashSet<string>(StringComparer.Ordinal);
        var entries = new List<SafetensorsEntry>();
        Dictionary<string, string>? metadata = null;
        foreach (var property in root.EnumerateObject())
        {
            if (!names.Add(property.Name))
                throw Corrupt(path, $"its safetensors header names \"{Names.Printable(property.Name)}\" twice");
            if (property.Name == "__metadata__")
            {
                metadata = ReadMetadata(property.Value, path);
                continue;
            }
            entries.Add(ReadEntry(property.Name, property.Value, path, dataLength));
        }

        // The format requires the data to be indexed entirely, in order, without holes: no byte is read twice.
        entries.Sort((a, b) => a.Begin != b.Begin ? a.Begin.CompareTo(b.Begin) : a.End.CompareTo(b.End));
        long expected = 0;
        SafetensorsEntry? previous = null;
        foreach (var entry in entries)
        {
            if (entry.Begin < expected)
                throw Corrupt(path, $"the data of the tensor \"{Names.Printable(entry.Name)}\" (bytes {entry.Begin}..{entry.End}) overlaps that of \"{Names.Printable(previous!.Name)}\" (bytes {previous.Begin}..{previous.End})");
            if (entry.Begin > expected)
                throw Corrupt(path, $"its tensor data has a hole: bytes {expected}..{entry.Begin} belong to no tensor (the next is \"{Names.Printable(entry.Name)}\")");
            expected = entry.End;
            previous = entry;
        }
        if (expected != dataLength)
            throw Corrupt(path, $"its tensors cover {expected} bytes of data but the file has {dataLength} after the header");
        return new SafetensorsFile(entries, metadata, dataStart);
    }

    private static Dictionary<string, string> ReadMetadata(JsonElement value, string path)
    {
        if (value.ValueKind != JsonValueKind.Object)
            throw Corrupt(path, "its safetensors __metadata__ is not a JSON object");
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var item in value.EnumerateObject())
        {
            if (item.Value.ValueKind != JsonValueKind.String)
                throw Corrupt(path, $"its safetensors __metadata__ entry \"{Names.Printable(item.Name)}\" is not a string");
            if (!result.TryAdd(item.Name, item.Value.GetString()!))
                throw Corrupt(path, $"its safetensors __metadata__ names \"{Names.Printable(item.Name)}\" twice");
        }
        return result;
    }

    private static SafetensorsEntry ReadEntry(string name, JsonElement value, string path, long dataLength)
    {
        var shown = Names.Printable(name);
        if (value.ValueKind != JsonValueKind.Object)
            throw Corrupt(path, $"the safetensors entry \"{shown}\" is not a JSON object");
        if (!value.TryGetProperty("dtype", out var dtypeElement) || dtypeElement.ValueKind != JsonValueKind.String)
            throw Corrupt(path, $"the tensor \"{shown}\" has no dtype");
        var dtypeName = dtypeElement.GetString()!;
        if (DTypeOf(dtypeName) is not { } dtype)
            throw Corrupt(path, $"the tensor \"{shown}\" has the dtype \"{Names.Printable(dtypeName)}\", which this runtime does not read (F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL)");

        if (!value.TryGetProperty("shape", out var shapeElement) || shapeElement.ValueKind != JsonValueKind.Array)
            throw Corrupt(path, $"the tensor \"{shown}\" has no shape");
        if (shapeElement.GetArrayLength() > MaxRank)
            throw Corrupt(path, $"the tensor \"{shown}\" has {shapeElement.GetArrayLength()} dimensions, more than {MaxRank}");
        var shape = new long[shapeElement.GetArrayLength()];
        var elements = 1L;
        var i = 0;
        foreach (var size in shapeElement.EnumerateArray())
        {
            if (size.ValueKind != JsonValueKind.Number || !size.TryGetInt64(out var s) || s < 0)
                throw Corrupt(path, $"the tensor \"{shown}\" has a shape entry {Names.Printable(size.GetRawText())}, not a non-negative integer");
            shape[i++] = s;
            // Any product beyond the data is wrong anyway; saturating keeps the arithmetic exact below it.
            elements = s != 0 && elements > dataLength / s ? long.MaxValue : elements * s;
        }

        if (!value.TryGetProperty("data_offsets", out var offsets) || offsets.ValueKind != JsonValueKind.Array || offsets.GetArrayLength() != 2)
            throw Corrupt(path, $"the tensor \"{shown}\" has no data_offsets [begin, end]");
        var begin = Offset(offsets[0], shown, path);
        var end = Offset(offsets[1], shown, path);
        if (begin > end)
            throw Corrupt(path, $"the tensor \"{shown}\" has data_offsets [{begin}, {end}] that end before they begin");
        if (end > dataLength)
            throw Corrupt(path, $"the tensor \"{shown}\" has data_offsets [{begin}, {end}] beyond the {dataLength} bytes of data in the file");

        var elementSize = WeightDTypes.ElementSize(dtype);
        var needed = elements > dataLength / elementSize ? long.MaxValue : elements * elementSize;
        if (needed != end - begin)
            throw Corrupt(path, $"the tensor \"{shown}\" ({dtypeName} [{string.Join(", ", shape)}]) needs {(needed == long.MaxValue ? "more bytes than the file has" : $"{needed} bytes")} but its data_offsets span {end - begin}");
        return new SafetensorsEntry(name, dtype, shape, begin, end);
    }

    private static long Offset(JsonElement element, string shown, string path)
    {
        if (element.ValueKind != JsonValueKind.Number || !element.TryGetInt64(out var offset) || offset < 0)
            throw Corrupt(path, $"the tensor \"{shown}\" has a data offset {Names.Printable(element.GetRawText())}, not a non-negative integer");
        return offset;
    }

    /// <summary>Reads the data of <paramref name="entry"/> into a new tensor (in the caller's dispose scope); it holds exactly the bytes of the entry.</summary>
    public Tensor ReadTensor(Stream stream, SafetensorsEntry entry)
    {
        var tensor = empty(entry.Shape, dtype: entry.DType);
        stream.Position = DataStart + entry.Begin;
        tensor.ReadBytesFromStream(stream);
        return tensor;
    }

    /// <summary>The safetensors dtype names this runtime reads.</summary>
    public static ScalarType? DTypeOf(string name) => name switch
    {
        "F64" => ScalarType.Float64,
        "F32" => ScalarType.Float32,
        "F16" => ScalarType.Float16,
        "BF16" => ScalarType.BFloat16,
        "I64" => ScalarType.Int64,
        "I32" => ScalarType.Int32,
        "I16" => ScalarType.Int16,
        "I8" => ScalarType.Int8,
        "U8" => ScalarType.Byte,
        "BOOL" => ScalarType.Bool,
        _ => null,
    };

    private static CheckpointCorruptException Corrupt(string path, string reason) => new(path, reason);
}
