using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Dsl.Runtime.Data;
using Xunit;

namespace Dsl.Runtime.Tests.Data;

public sealed class IdxReaderTests
{
    [Theory]
    [InlineData(false, "images-idx3-ubyte")]
    [InlineData(true, "images-idx3-ubyte.gz")]
    [InlineData(true, "images-idx3-ubyte")] // gzip recognised by its header, whatever the name
    [InlineData(false, "images-idx3-ubyte.gz")] // a plain file with a .gz name is still read
    public void Reads_images_plain_or_gzipped_by_header(bool gzip, string fileName)
    {
        using var dir = new TempDirectory();
        byte[] file = IdxBytes.Images(count: 2, rows: 3, columns: 4);
        string path = dir.Write(fileName, gzip ? IdxBytes.Gzip(file) : file);

        IdxImages images = IdxReader.ReadImages(path);

        Assert.Equal((2, 3, 4), (images.Count, images.Rows, images.Columns));
        Assert.Equal(file.Skip(16), images.Pixels);
        Assert.Equal(50 + 1 * 4 + 2, images.Pixels[(1 * 3 + 1) * 4 + 2]); // image 1, row 1, column 2
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Reads_labels_plain_or_gzipped(bool gzip)
    {
        using var dir = new TempDirectory();
        byte[] file = IdxBytes.Labels(3, 0, 9, 255);
        string path = dir.Write("labels", gzip ? IdxBytes.Gzip(file) : file);

        Assert.Equal(new byte[] { 3, 0, 9, 255 }, IdxReader.ReadLabels(path));
    }

    [Fact]
    public void Reads_a_gzipped_stream_that_cannot_seek()
    {
        byte[] file = IdxBytes.Gzip(IdxBytes.Images(count: 3));
        using var stream = new ForwardOnlyStream(file);

        IdxImages images = IdxReader.ReadImages(stream, "resource:images");

        Assert.Equal(3, images.Count);
        Assert.Equal(IdxBytes.Images(count: 3).Skip(16), images.Pixels);
    }

    public static IEnumerable<object[]> BadImageFiles()
    {
        byte[] good = IdxBytes.Images(count: 2);
        yield return Case("empty file", Array.Empty<byte>(), "is empty");
        yield return Case("magic cut short", new byte[] { 0, 0, 8 }, "truncated");
        yield return Case("header cut short", good.Take(10).ToArray(), "header ends after 10 of 16 bytes");
        yield return Case("pixels cut short", good.Take(good.Length - 5).ToArray(), "truncated");
        yield return Case("labels file given as images", IdxBytes.Labels(1, 2), "an IDX labels file");
        yield return Case("not IDX at all", "hello, world"u8.ToArray(), "not an IDX file");
        yield return Case("zero rows", IdxBytes.Header(0x803, 2, 0, 4), "row count of 0");
        yield return Case("zero images", IdxBytes.Header(0x803, 0, 3, 4), "image count of 0");
        yield return Case("count beyond int", IdxBytes.Header(0x803, 0xFFFFFFFF, 28, 28), "image count of 4294967295");
        yield return Case("more pixels than an array holds", IdxBytes.Header(0x803, 60000, 28000, 28000), "more than one array");
        yield return Case("extra bytes after the pixels", good.Concat(new byte[] { 7 }).ToArray(), "more data than");
        yield return Case("gzip cut short", IdxBytes.Gzip(good).Take(20).ToArray(), "truncated");
        yield return Case("gzip header then garbage", new byte[] { 0x1f, 0x8b, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 }, "gzip");
    }

    [Theory]
    [MemberData(nameof(BadImageFiles))]
    public void Bad_images_file_gives_DataFileException_naming_the_file(string what, byte[] bytes, string expected)
    {
        using var dir = new TempDirectory();
        string path = dir.Write("bad-images-idx3-ubyte", bytes);

        var error = Assert.Throws<DataFileException>(() => IdxReader.ReadImages(path));

        Assert.Equal(path, error.FilePath);
        Assert.Contains(path, error.Message);
        Assert.True(error.Message.Contains(expected, StringComparison.Ordinal), $"{what}: expected \"{expected}\" in: {error.Message}");
    }

    public static IEnumerable<object[]> BadLabelFiles()
    {
        yield return Case("empty file", Array.Empty<byte>(), "is empty");
        yield return Case("images file given as labels", IdxBytes.Images(count: 1), "an IDX images file");
        yield return Case("labels cut short", IdxBytes.Header(0x801, 5).Concat(new byte[] { 1, 2 }).ToArray(), "only 2 bytes follow");
        yield return Case("zero labels", IdxBytes.Header(0x801, 0), "label count of 0");
    }

    [Theory]
    [MemberData(nameof(BadLabelFiles))]
    public void Bad_labels_file_gives_DataFileException_naming_the_file(string what, byte[] bytes, string expected)
    {
        using var dir = new TempDirectory();
        string path = dir.Write("bad-labels-idx1-ubyte.gz", bytes);

        var error = Assert.Throws<DataFileException>(() => IdxReader.ReadLabels(path));

        Assert.Contains(path, error.Message);
        Assert.True(error.Message.Contains(expected, StringComparison.Ordinal), $"{what}: expected \"{expected}\" in: {error.Message}");
    }

    [Fact]
    public void Stream_errors_use_the_given_name()
    {
        using var stream = new MemoryStream(IdxBytes.Labels(1));

        var error = Assert.Throws<DataFileException>(() => IdxReader.ReadImages(stream, "Some.Resource.gz"));

        Assert.Equal("Some.Resource.gz", error.FilePath);
        Assert.StartsWith("Some.Resource.gz is an IDX labels file", error.Message);
    }

    private static object[] Case(string what, byte[] bytes, string expected) => new object[] { what, bytes, expected };

    /// <summary>A stream that only reads forwards, like a network or pipe stream.</summary>
    private sealed class ForwardOnlyStream(byte[] bytes) : Stream
    {
        private readonly MemoryStream inner = new(bytes);

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
