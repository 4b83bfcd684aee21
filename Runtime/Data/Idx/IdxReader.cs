using System;
using System.Buffers.Binary;
using System.IO;
using System.IO.Compression;
using Dsl.Runtime.IO;

namespace Dsl.Runtime.Data;

/// <summary>
/// Reads IDX files (the MNIST format: a big-endian magic number, big-endian int32 dimensions, then unsigned bytes),
/// plain or gzipped. Gzip is recognised by its 1f 8b header, not by the file name.
/// Every defect is reported as a <see cref="DataFileException"/> naming the file.
/// </summary>
public static class IdxReader
{
    /// <summary>Magic number of an IDX file of unsigned bytes with three dimensions (images).</summary>
    public const uint ImagesMagic = 0x00000803;

    /// <summary>Magic number of an IDX file of unsigned bytes with one dimension (labels).</summary>
    public const uint LabelsMagic = 0x00000801;

    /// <summary>Reads an images file (magic 0x00000803: count, rows, columns).</summary>
    /// <param name="path">The file, plain or gzipped.</param>
    public static IdxImages ReadImages(string path)
    {
        using FileStream file = OpenRegular(path);
        return ReadImages(file, Path.GetFullPath(path));
    }

    /// <summary>Reads a labels file (magic 0x00000801: count).</summary>
    /// <param name="path">The file, plain or gzipped.</param>
    public static byte[] ReadLabels(string path)
    {
        using FileStream file = OpenRegular(path);
        return ReadLabels(file, Path.GetFullPath(path));
    }

    /// <summary>
    /// The count an images or labels file declares (its first dimension), from its header alone: checked like a full
    /// read would check it (magic, sizes, plausible for the file's length), without reading or allocating its data.
    /// </summary>
    /// <param name="path">The file, plain or gzipped.</param>
    /// <param name="magic"><see cref="ImagesMagic"/> or <see cref="LabelsMagic"/>.</param>
    public static int ReadDeclaredCount(string path, uint magic)
    {
        using FileStream file = OpenRegular(path);
        string name = Path.GetFullPath(path);
        return Read(file, name, body =>
        {
            uint[] dims = ReadHeader(body, name, magic);
            if (magic == ImagesMagic)
            {
                CheckImages(body, dims, name);
            }
            else
            {
                body.CheckDeclared(Positive(dims[0], "label count", name), $"{dims[0]} labels");
            }

            return (int)dims[0];
        });
    }

    /// <summary>Opens a data file, refusing what is not a regular file: a FIFO would block forever, a device never end.</summary>
    private static FileStream OpenRegular(string path)
    {
        string full = Path.GetFullPath(path);
        RegularFile.Require(full, reason => new DataFileException(full, $"{full}: {reason}."));
        return File.OpenRead(full);
    }

    /// <summary>Reads an images file from a stream, which is left open.</summary>
    /// <param name="stream">The file's bytes, plain or gzipped, from the current position.</param>
    /// <param name="name">The file path or resource name used in error messages.</param>
    public static IdxImages ReadImages(Stream stream, string name) =>
        Read(stream, name, body =>
        {
            uint[] dims = ReadHeader(body, name, ImagesMagic);
            (int count, int rows, int columns, long size) = CheckImages(body, dims, name);
            byte[] pixels = ReadBody(body, (int)size, name, $"{count} images of {rows} × {columns} pixels");
            return new IdxImages(count, rows, columns, pixels);
        });

    private static (int Count, int Rows, int Columns, long Size) CheckImages(Body body, uint[] dims, string name)
    {
        int count = Positive(dims[0], "image count", name);
        int rows = Positive(dims[1], "row count", name);
        int columns = Positive(dims[2], "column count", name);
        long size = (long)count * rows * columns;
        if (size > Array.MaxLength)
        {
            throw new DataFileException(name,
                $"{name} declares {count} images of {rows} × {columns} pixels, more than one array can hold: its header is corrupt.");
        }

        body.CheckDeclared(size, $"{count} images of {rows} × {columns} pixels");
        return (count, rows, columns, size);
    }

    /// <summary>Reads a labels file from a stream, which is left open.</summary>
    /// <param name="stream">The file's bytes, plain or gzipped, from the current position.</param>
    /// <param name="name">The file path or resource name used in error messages.</param>
    public static byte[] ReadLabels(Stream stream, string name) =>
        Read(stream, name, body =>
        {
            uint[] dims = ReadHeader(body, name, LabelsMagic);
            int count = Positive(dims[0], "label count", name);
            body.CheckDeclared(count, $"{count} labels");
            return ReadBody(body, count, name, $"{count} labels");
        });

    /// <summary>
    /// Deflate's largest possible expansion (about 1032 : 1, for a long run of one byte), so a gzip file of n bytes
    /// cannot hold more than this many times n of data: a header declaring more is a lie, refused before reading.
    /// </summary>
    public const long MaxGzipRatio = 1032;

    private static T Read<T>(Stream stream, string name, Func<Body, T> parse)
    {
        // Gzip detection peeks at two bytes, so an unseekable stream is read into memory first.
        Stream seekable = stream.CanSeek ? stream : CopyToMemory(stream);
        bool gzip = StartsWithGzipMagic(seekable);
        long stored = seekable.Length - seekable.Position;
        try
        {
            using GZipStream? unzipped = gzip ? new GZipStream(seekable, CompressionMode.Decompress, leaveOpen: true) : null;
            return parse(new Body((Stream?)unzipped ?? seekable, name, gzip, stored));
        }
        catch (InvalidDataException e)
        {
            throw new DataFileException(name, $"{name} is not a valid gzip file ({e.Message}).");
        }
    }

    private static MemoryStream CopyToMemory(Stream stream)
    {
        var memory = new MemoryStream();
        stream.CopyTo(memory);
        memory.Position = 0;
        return memory;
    }

    private static bool StartsWithGzipMagic(Stream stream)
    {
        long start = stream.Position;
        int first = stream.ReadByte();
        int second = stream.ReadByte();
        stream.Position = start;
        return first == 0x1f && second == 0x8b;
    }

    /// <summary>
    /// The decompressed bytes of a file and what its size allows: exactly the rest of the file when plain, at most
    /// <see cref="MaxGzipRatio"/> times the compressed size when gzipped (whose true size is known only at its end, so
    /// the body is read incrementally and a lying header fails there, without a large allocation).
    /// </summary>
    private sealed class Body(Stream stream, string name, bool gzip, long stored) : Stream
    {
        private long position;

        /// <summary>Refuses a header whose declared data cannot be in the file (before anything is allocated for it).</summary>
        public void CheckDeclared(long dataBytes, string declared)
        {
            long header = position;
            if (!gzip && header + dataBytes != stored)
            {
                long follow = stored - header;
                throw new DataFileException(name, header + dataBytes > stored
                    ? $"{name} is truncated: its header declares {declared} ({dataBytes} bytes of data), but only {follow} bytes follow it."
                    : $"{name} has more data than the {declared} its header declares ({follow} bytes follow it, not {dataBytes}), so its dimensions are wrong.");
            }

            if (gzip && header + dataBytes > MaxGzipRatio * stored)
            {
                throw new DataFileException(name,
                    $"{name} declares {declared} ({dataBytes} bytes of data), more than a {stored}-byte gzip file can hold (at most {MaxGzipRatio} times its size): its header is corrupt.");
            }
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            int read = stream.Read(buffer);
            position += read;
            return read;
        }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => position; set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    /// <summary>Checks the magic number and returns the dimensions it announces.</summary>
    private static uint[] ReadHeader(Stream body, string name, uint expectedMagic)
    {
        string expectedKind = KindOf(expectedMagic);
        Span<byte> magicBytes = stackalloc byte[4];
        int read = ReadAtMost(body, magicBytes);
        if (read == 0)
        {
            throw new DataFileException(name, $"{name} is empty, but an IDX {expectedKind} file was expected.");
        }

        if (read < magicBytes.Length)
        {
            throw new DataFileException(name, $"{name} is truncated: it ends after {read} bytes, inside the 4-byte IDX magic number.");
        }

        uint magic = BinaryPrimitives.ReadUInt32BigEndian(magicBytes);
        if (magic != expectedMagic)
        {
            string found = magic is ImagesMagic or LabelsMagic ? $"an IDX {KindOf(magic)} file" : "not an IDX file of unsigned bytes";
            throw new DataFileException(name,
                $"{name} is {found} (magic number 0x{magic:x8}), but an IDX {expectedKind} file (0x{expectedMagic:x8}) was expected.");
        }

        int dimensionCount = (int)(expectedMagic & 0xff);
        Span<byte> dimensionBytes = stackalloc byte[4 * dimensionCount];
        read = ReadAtMost(body, dimensionBytes);
        if (read < dimensionBytes.Length)
        {
            throw new DataFileException(name,
                $"{name} is truncated: its header ends after {4 + read} of {4 + dimensionBytes.Length} bytes.");
        }

        var dims = new uint[dimensionCount];
        for (int i = 0; i < dimensionCount; i++)
        {
            dims[i] = BinaryPrimitives.ReadUInt32BigEndian(dimensionBytes.Slice(4 * i, 4));
        }

        return dims;
    }

    private static string KindOf(uint magic) => magic == ImagesMagic ? "images" : "labels";

    private static int Positive(uint dimension, string what, string name)
    {
        if (dimension == 0 || dimension > int.MaxValue)
        {
            throw new DataFileException(name, $"{name} declares a {what} of {dimension}, which is not a usable size: its header is corrupt.");
        }

        return (int)dimension;
    }

    /// <summary>Reads exactly <paramref name="size"/> bytes and checks that nothing follows them.</summary>
    private static byte[] ReadBody(Stream body, int size, string name, string declared)
    {
        // The buffer grows as data arrives, so a corrupt header cannot make us allocate gigabytes up front.
        var buffer = new byte[Math.Min(size, 1 << 20)];
        int filled = 0;
        while (filled < size)
        {
            if (filled == buffer.Length)
            {
                Array.Resize(ref buffer, (int)Math.Min(size, 2L * buffer.Length));
            }

            int read = body.Read(buffer, filled, buffer.Length - filled);
            if (read == 0)
            {
                throw new DataFileException(name,
                    $"{name} is truncated: its header declares {declared} ({size} bytes of data), but only {filled} bytes follow it.");
            }

            filled += read;
        }

        if (body.ReadByte() >= 0)
        {
            throw new DataFileException(name,
                $"{name} has more data than the {declared} its header declares, so its dimensions are wrong.");
        }

        return buffer;
    }

    private static int ReadAtMost(Stream stream, Span<byte> buffer)
    {
        int filled = 0;
        while (filled < buffer.Length)
        {
            int read = stream.Read(buffer[filled..]);
            if (read == 0)
            {
                break;
            }

            filled += read;
        }

        return filled;
    }
}
