using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using Dsl.Runtime.IO;
using static TorchSharp.torch;

namespace Dsl.Runtime.Checkpoints;

/// <summary>
/// Reads the bytes of TorchSharp's own <c>module.save(BinaryWriter)</c> format into a dictionary, checking every
/// length before TorchSharp reads it. The format: entry count (LEB128), then per entry the key (BinaryWriter
/// string) and the tensor: dtype, rank and each dimension (LEB128), then the raw element bytes.
/// </summary>
internal static class TorchSharpStateReader
{
    private const int MaxRank = 64;

    /// <summary>The tensors are created in the caller's dispose scope.</summary>
    public static Dictionary<string, Tensor> Read(byte[] state, string source)
    {
        using var stream = new MemoryStream(state, writable: false);
        using var reader = new BinaryReader(stream, Encoding.UTF8, leaveOpen: true);
        try
        {
            var count = ReadLeb128(reader);
            // Each entry takes at least 3 bytes (key length, dtype, rank), which bounds a damaged count.
            if (count < 0 || count > state.Length / 3)
                throw new CheckpointCorruptException(source, $"its entry count {count} does not fit in {state.Length} bytes");

            var tensors = new Dictionary<string, Tensor>((int)count, StringComparer.Ordinal);
            for (var i = 0; i < count; i++)
            {
                var key = reader.ReadString();
                var start = stream.Position;
                CheckTensorHeader(reader, key, source);
                stream.Position = start;
                if (!tensors.TryAdd(key, Tensor.Load(reader)))
                    throw new CheckpointCorruptException(source, $"it holds the tensor \"{Names.Printable(key)}\" twice");
            }
            if (stream.Position != stream.Length)
                throw new CheckpointCorruptException(source, $"it has {stream.Length - stream.Position} unexpected bytes after its last tensor");
            return tensors;
        }
        catch (Exception e) when (e is EndOfStreamException or FormatException or OverflowException)
        {
            throw new CheckpointCorruptException(source, $"it is not a complete TorchSharp module state ({e.Message.TrimEnd('.')})", e);
        }
    }

    /// <summary>Checks the dtype, rank and size of the next tensor against what is left.</summary>
    private static void CheckTensorHeader(BinaryReader reader, string key, string source)
    {
        var code = ReadLeb128(reader);
        if (code is < sbyte.MinValue or > sbyte.MaxValue || !Enum.IsDefined((ScalarType)(sbyte)code))
            throw new CheckpointCorruptException(source, $"the tensor \"{Names.Printable(key)}\" has an unknown dtype code {code}");
        var dtype = (ScalarType)(sbyte)code;
        var rank = ReadLeb128(reader);
        if (rank is < 0 or > MaxRank)
            throw new CheckpointCorruptException(source, $"the tensor \"{Names.Printable(key)}\" has an invalid rank {rank}");

        long elements = 1;
        for (var d = 0; d < rank; d++)
        {
            var size = ReadLeb128(reader);
            if (size < 0)
                throw new CheckpointCorruptException(source, $"the tensor \"{Names.Printable(key)}\" has a negative dimension {size}");
            elements = checked(elements * size);
        }
        var bytes = checked(elements * ElementSize(dtype));
        var remaining = reader.BaseStream.Length - reader.BaseStream.Position;
        if (bytes > remaining)
            throw new CheckpointCorruptException(source, $"the tensor \"{Names.Printable(key)}\" needs {bytes} bytes but only {remaining} remain (truncated)");
    }

    private static long ElementSize(ScalarType dtype)
    {
        using var probe = empty(0, dtype: dtype);
        return probe.ElementSize;
    }

    /// <summary>TorchSharp's unsigned LEB128 (7 bits a byte, low first), refusing more than 64 bits.</summary>
    private static long ReadLeb128(BinaryReader reader)
    {
        long value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            var b = reader.ReadByte();
            value |= (long)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
                return value;
        }
        throw new FormatException("a variable-length number is longer than 64 bits");
    }
}
