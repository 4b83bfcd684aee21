using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Text.Json.Nodes;

namespace Dsl.Runtime.Tests.Reliability;

/// <summary>Builds and takes apart safetensors files byte by byte, to write the hostile ones a real writer never would.</summary>
internal static class SafetensorsBytes
{
    /// <summary>8 bytes of little-endian header length, the header (padded with spaces to 8 bytes), then the data.</summary>
    public static byte[] Build(string headerJson, byte[] data, ulong? claimedHeaderLength = null)
    {
        var json = Encoding.UTF8.GetBytes(headerJson);
        var padded = (json.Length + 7) / 8 * 8;
        var file = new byte[8 + padded + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(file, claimedHeaderLength ?? (ulong)padded);
        json.CopyTo(file, 8);
        file.AsSpan(8 + json.Length, padded - json.Length).Fill((byte)' ');
        data.CopyTo(file, 8 + padded);
        return file;
    }

    /// <summary>The header of a file as a JSON object, and its data.</summary>
    public static (JsonObject Header, byte[] Data) Split(byte[] file)
    {
        var length = (int)BinaryPrimitives.ReadUInt64LittleEndian(file);
        var header = JsonNode.Parse(file.AsSpan(8, length))!.AsObject();
        return (header, file[(8 + length)..]);
    }

    /// <summary>A header entry as JSON text.</summary>
    public static string Entry(string name, string dtype, IEnumerable<long> shape, long begin, long end) =>
        $"{JsonValue.Create(name).ToJsonString()}:{{\"dtype\":\"{dtype}\",\"shape\":[{string.Join(",", shape)}],\"data_offsets\":[{begin},{end}]}}";

    /// <summary>A header of entries (JSON texts), possibly with duplicate names, which a JsonObject cannot hold.</summary>
    public static string Header(IEnumerable<string> entries) => "{" + string.Join(",", entries) + "}";

    /// <summary>The entries of a real header as (name, dtype, shape, begin, end).</summary>
    public static List<(string Name, string DType, long[] Shape, long Begin, long End)> Entries(JsonObject header) =>
        header.Where(p => p.Key != "__metadata__")
            .Select(p => (p.Key, (string)p.Value!["dtype"]!, p.Value!["shape"]!.AsArray().Select(s => (long)s!).ToArray(),
                (long)p.Value!["data_offsets"]![0]!, (long)p.Value!["data_offsets"]![1]!))
            .ToList();
}
