using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Dsl.Runtime.Checkpoints;

/// <summary>
/// Writes the <c>__metadata__</c> map (string → string) of a safetensors header, which PyBridge does not write
/// (<see cref="SafetensorsFile"/> reads it, with the rest of the header).
/// The header is 8 bytes of little-endian length, then JSON; tensor offsets count from the end of the header, so the
/// header can grow without moving them.
/// </summary>
internal static class SafetensorsMetadata
{
    /// <summary>Writes <paramref name="file"/> (a safetensors file in memory) to <paramref name="output"/> with <paramref name="metadata"/> added.</summary>
    public static void Write(byte[] file, IReadOnlyDictionary<string, string>? metadata, Stream output)
    {
        if (metadata is null || metadata.Count == 0)
        {
            output.Write(file);
            return;
        }

        var length = checked((int)BinaryPrimitives.ReadUInt64LittleEndian(file));
        var header = JsonNode.Parse(file.AsSpan(8, length))!.AsObject();
        var map = new JsonObject();
        foreach (var (key, value) in metadata)
        {
            map[key] = value;
        }

        header["__metadata__"] = map;
        var json = Encoding.UTF8.GetBytes(header.ToJsonString());
        var padded = (json.Length + 7) / 8 * 8; // the format aligns the data to 8 bytes, padding the header with spaces
        Span<byte> prefix = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(prefix, (ulong)padded);
        output.Write(prefix);
        output.Write(json);
        for (var i = json.Length; i < padded; i++)
        {
            output.WriteByte((byte)' ');
        }

        output.Write(file.AsSpan(8 + length));
    }
}
