using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using Dsl.Runtime.IO;

namespace Dsl.Runtime.Checkpoints;

/// <summary>
/// The byte layout of a checkpoint file, little-endian:
/// magic "DSLCKPT\0" (8 bytes), format version (int32), section count (int32), then per section
/// name length (int32), name (UTF-8), data length (int64), data; then a SHA-256 of every byte before it (32 bytes).
/// </summary>
internal static class CheckpointFormat
{
    public const int Version = 1;
    public const int MaxNameBytes = 1024;

    private static readonly byte[] Magic = "DSLCKPT\0"u8.ToArray();
    private const int HashBytes = 32;
    private const int HeaderBytes = 8 + 4 + 4;
    private const int SmallestFile = HeaderBytes + HashBytes;
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static int NameByteCount(string name) => StrictUtf8.GetByteCount(name);

    /// <summary>Writes the sections, sorted by name so that equal content gives equal bytes.</summary>
    public static void Write(Stream stream, IReadOnlyDictionary<string, byte[]> sections)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        void Emit(ReadOnlySpan<byte> bytes)
        {
            hash.AppendData(bytes);
            stream.Write(bytes);
        }

        Span<byte> number = stackalloc byte[8];
        Emit(Magic);
        BinaryPrimitives.WriteInt32LittleEndian(number, Version);
        Emit(number[..4]);
        BinaryPrimitives.WriteInt32LittleEndian(number, sections.Count);
        Emit(number[..4]);
        foreach (var (name, data) in sections.OrderBy(s => s.Key, StringComparer.Ordinal))
        {
            var nameBytes = StrictUtf8.GetBytes(name);
            BinaryPrimitives.WriteInt32LittleEndian(number, nameBytes.Length);
            Emit(number[..4]);
            Emit(nameBytes);
            BinaryPrimitives.WriteInt64LittleEndian(number, data.LongLength);
            Emit(number);
            Emit(data);
        }
        stream.Write(hash.GetHashAndReset());
    }

    /// <summary>
    /// Reads and validates a whole checkpoint: magic, then version, then checksum, then structure, so that each
    /// kind of damage gets the message that explains it best.
    /// </summary>
    public static Dictionary<string, byte[]> Read(Stream stream, string path)
    {
        var length = stream.Length;
        var head = new byte[Math.Min(length, HeaderBytes)];
        stream.ReadExactly(head);

        if (length == 0)
            throw Corrupt(path, "it is empty");
        // A file cut inside the magic still starts like a checkpoint: that is truncation, not a foreign file.
        var comparable = (int)Math.Min(length, Magic.Length);
        if (!head.AsSpan(0, comparable).SequenceEqual(Magic.AsSpan(0, comparable)))
            throw Corrupt(path, "it is not a checkpoint file (it does not start with \"DSLCKPT\")");
        if (length < SmallestFile)
            throw Corrupt(path, $"it is truncated: it has {length} bytes, and the smallest checkpoint has {SmallestFile}");

        var version = BinaryPrimitives.ReadInt32LittleEndian(head.AsSpan(8));
        if (version != Version)
            throw Corrupt(path, $"it has format version {version}, and this build reads only version {Version}");

        VerifyChecksum(stream, length, path);

        stream.Position = HeaderBytes;
        var count = BinaryPrimitives.ReadInt32LittleEndian(head.AsSpan(12));
        var end = length - HashBytes;
        var reader = new BoundedReader(stream, end, path);
        if (count < 0 || count > (end - HeaderBytes) / 12)
            throw Corrupt(path, $"its section count {count} does not fit in its {length} bytes");

        var sections = new Dictionary<string, byte[]>(count, StringComparer.Ordinal);
        for (var i = 0; i < count; i++)
        {
            var name = reader.ReadName(i);
            var data = reader.ReadData(name);
            if (!sections.TryAdd(name, data))
                throw Corrupt(path, $"it holds the section \"{Names.Printable(name)}\" twice");
        }
        if (stream.Position != end)
            throw Corrupt(path, $"it has {end - stream.Position} unexpected bytes after its last section");
        return sections;
    }

    private static void VerifyChecksum(Stream stream, long length, string path)
    {
        stream.Position = 0;
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 16];
        var remaining = length - HashBytes;
        while (remaining > 0)
        {
            var read = stream.Read(buffer, 0, (int)Math.Min(buffer.Length, remaining));
            if (read == 0)
                throw Corrupt(path, "it became shorter while it was being read");
            hash.AppendData(buffer, 0, read);
            remaining -= read;
        }
        var stored = new byte[HashBytes];
        stream.ReadExactly(stored);
        if (!CryptographicOperations.FixedTimeEquals(stored, hash.GetHashAndReset()))
            throw Corrupt(path, "it fails its SHA-256 check (the file is damaged or incomplete)");
    }

    private static CheckpointCorruptException Corrupt(string path, string reason) => new(path, reason);

    /// <summary>Reads section fields without ever reading past the checksum, so bad lengths become clear errors.</summary>
    private sealed class BoundedReader(Stream stream, long end, string path)
    {
        private long Remaining => end - stream.Position;

        public string ReadName(int index)
        {
            var length = ReadInt32($"the name length of section {index}");
            if (length <= 0 || length > MaxNameBytes || length > Remaining)
                throw Corrupt(path, $"section {index} has an invalid name length {length}");
            var bytes = new byte[length];
            stream.ReadExactly(bytes);
            try
            {
                return StrictUtf8.GetString(bytes);
            }
            catch (DecoderFallbackException)
            {
                throw Corrupt(path, $"the name of section {index} is not valid UTF-8");
            }
        }

        public byte[] ReadData(string name)
        {
            Span<byte> number = stackalloc byte[8];
            Require(8, $"the length of section \"{Names.Printable(name)}\"");
            stream.ReadExactly(number);
            var length = BinaryPrimitives.ReadInt64LittleEndian(number);
            if (length < 0 || length > Remaining)
                throw Corrupt(path, $"section \"{Names.Printable(name)}\" claims {length} bytes but only {Remaining} remain");
            if (length > Array.MaxLength)
                throw Corrupt(path, $"section \"{Names.Printable(name)}\" has {length} bytes, more than one array can hold");
            var data = new byte[length];
            stream.ReadExactly(data);
            return data;
        }

        private int ReadInt32(string what)
        {
            Span<byte> number = stackalloc byte[4];
            Require(4, what);
            stream.ReadExactly(number);
            return BinaryPrimitives.ReadInt32LittleEndian(number);
        }

        private void Require(int bytes, string what)
        {
            if (Remaining < bytes)
                throw Corrupt(path, $"it ends before {what}");
        }
    }
}
