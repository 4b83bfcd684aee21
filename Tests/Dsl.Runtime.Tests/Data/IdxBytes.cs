using System;
using System.Buffers.Binary;
using System.IO;
using System.IO.Compression;
using System.Linq;

namespace Dsl.Runtime.Tests.Data;

/// <summary>Builds small IDX files (and broken ones) in memory.</summary>
internal static class IdxBytes
{
    public static byte[] Header(uint magic, params uint[] dims)
    {
        var header = new byte[4 + 4 * dims.Length];
        BinaryPrimitives.WriteUInt32BigEndian(header, magic);
        for (int i = 0; i < dims.Length; i++)
        {
            BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(4 + 4 * i), dims[i]);
        }

        return header;
    }

    /// <summary>Images whose pixel at (image, row, column) is <paramref name="pixel"/>(image, row, column).</summary>
    public static byte[] Images(int count, int rows, int columns, Func<int, int, int, byte> pixel)
    {
        var body = new byte[count * rows * columns];
        for (int n = 0; n < count; n++)
        {
            for (int r = 0; r < rows; r++)
            {
                for (int c = 0; c < columns; c++)
                {
                    body[(n * rows + r) * columns + c] = pixel(n, r, c);
                }
            }
        }

        return Header(0x803, (uint)count, (uint)rows, (uint)columns).Concat(body).ToArray();
    }

    /// <summary>A pattern that differs for every pixel of a small image set.</summary>
    public static byte[] Images(int count, int rows = 3, int columns = 4) =>
        Images(count, rows, columns, (n, r, c) => (byte)(n * 50 + r * columns + c));

    public static byte[] Labels(params byte[] labels) => Header(0x801, (uint)labels.Length).Concat(labels).ToArray();

    public static byte[] Gzip(byte[] data)
    {
        using var memory = new MemoryStream();
        using (var gzip = new GZipStream(memory, CompressionLevel.Fastest))
        {
            gzip.Write(data);
        }

        return memory.ToArray();
    }
}
