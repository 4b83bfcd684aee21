using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using Dsl.Runtime.Checkpoints;
using Xunit;

namespace Dsl.Runtime.Tests.Checkpoints;

public sealed class CheckpointFileTests : IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    private static CheckpointFile Sample() => new(new Dictionary<string, byte[]>
    {
        ["meta"] = Encoding.UTF8.GetBytes("{\"epoch\":3}"),
        ["model"] = Enumerable.Range(0, 300).Select(i => (byte)(i * 7)).ToArray(),
        ["empty"] = Array.Empty<byte>(),
        ["rng/état"] = new byte[] { 0, 255, 128 },
    });

    private string SavedSample()
    {
        var path = temp.File("sample.ckpt");
        Sample().Save(path);
        return path;
    }

    [Fact]
    public void Round_trip_keeps_every_section_byte_for_byte()
    {
        var path = SavedSample();

        var loaded = CheckpointFile.Load(path);

        var expected = Sample();
        Assert.Equal(expected.Sections.Keys.Order(), loaded.Sections.Keys.Order());
        foreach (var (name, data) in expected.Sections)
            Assert.Equal(data, loaded[name]);
        Assert.Equal(Path.GetFullPath(path), loaded.SourcePath);
    }

    [Fact]
    public void Equal_content_gives_equal_bytes_whatever_the_insertion_order()
    {
        var forward = new CheckpointFile(new Dictionary<string, byte[]> { ["a"] = [1], ["b"] = [2] });
        var backward = new CheckpointFile(new Dictionary<string, byte[]> { ["b"] = [2], ["a"] = [1] });
        forward.Save(temp.File("f.ckpt"));
        backward.Save(temp.File("b.ckpt"));

        Assert.Equal(File.ReadAllBytes(temp.File("f.ckpt")), File.ReadAllBytes(temp.File("b.ckpt")));
    }

    [Theory]
    [InlineData("empty")]
    [InlineData("inside the magic")]
    [InlineData("after the magic")]
    [InlineData("inside the header")]
    [InlineData("inside the first section name")]
    [InlineData("in the middle")]
    [InlineData("inside the checksum")]
    [InlineData("without the last byte")]
    public void A_truncated_file_is_reported_naming_the_file(string where)
    {
        var path = SavedSample();
        var bytes = File.ReadAllBytes(path);
        var keep = where switch
        {
            "empty" => 0,
            "inside the magic" => 5,
            "after the magic" => 8,
            "inside the header" => 14,
            "inside the first section name" => 20,
            "in the middle" => bytes.Length / 2,
            "inside the checksum" => bytes.Length - 20,
            _ => bytes.Length - 1,
        };
        File.WriteAllBytes(path, bytes[..keep]);

        var error = Assert.Throws<CheckpointCorruptException>(() => CheckpointFile.Load(path));

        Assert.Equal(Path.GetFullPath(path), error.FilePath);
        Assert.Contains(Path.GetFullPath(path), error.Message);
        Assert.Matches("truncated|empty|SHA-256", error.Message);
    }

    [Fact]
    public void A_flipped_bit_anywhere_in_the_file_is_detected()
    {
        var path = SavedSample();
        var original = File.ReadAllBytes(path);
        var undetected = new List<int>();

        for (var position = 0; position < original.Length; position++)
        {
            var damaged = (byte[])original.Clone();
            damaged[position] ^= 0x10;
            File.WriteAllBytes(path, damaged);
            try
            {
                CheckpointFile.Load(path);
                undetected.Add(position);
            }
            catch (CheckpointCorruptException e)
            {
                Assert.Equal(Path.GetFullPath(path), e.FilePath);
            }
        }

        Assert.Empty(undetected);
    }

    [Fact]
    public void A_flipped_bit_in_a_section_fails_the_checksum()
    {
        var path = SavedSample();
        var bytes = File.ReadAllBytes(path);
        bytes[bytes.Length / 2] ^= 1;
        File.WriteAllBytes(path, bytes);

        var error = Assert.Throws<CheckpointCorruptException>(() => CheckpointFile.Load(path));

        Assert.Contains("SHA-256", error.Message);
    }

    [Fact]
    public void A_file_with_the_wrong_magic_is_not_a_checkpoint()
    {
        var path = temp.File("notes.ckpt");
        File.WriteAllText(path, "this is a text file that is long enough to hold a checkpoint header and a hash");

        var error = Assert.Throws<CheckpointCorruptException>(() => CheckpointFile.Load(path));

        Assert.Equal($"Cannot read {Path.GetFullPath(path)}: it is not a checkpoint file (it does not start with \"DSLCKPT\").", error.Message);
    }

    [Fact]
    public void An_unknown_format_version_is_reported_with_its_number()
    {
        var path = SavedSample();
        var bytes = File.ReadAllBytes(path);
        bytes[8] = 2; // the int32 after the 8-byte magic
        File.WriteAllBytes(path, bytes);

        var error = Assert.Throws<CheckpointCorruptException>(() => CheckpointFile.Load(path));

        Assert.Contains("format version 2", error.Message);
        Assert.Contains("only version 1", error.Message);
    }

    [Fact]
    public void A_missing_file_is_a_FileNotFoundException_naming_it()
    {
        var path = temp.File("absent.ckpt");

        var error = Assert.Throws<FileNotFoundException>(() => CheckpointFile.Load(path));

        Assert.Equal(Path.GetFullPath(path), error.FileName);
        Assert.Contains(Path.GetFullPath(path), error.Message);
    }

    [Fact]
    public void A_missing_section_of_a_loaded_file_names_the_file_the_section_and_the_sections_present()
    {
        var loaded = CheckpointFile.Load(SavedSample());

        var error = Assert.Throws<CheckpointCorruptException>(() => loaded["optimizer"]);

        Assert.Equal(loaded.SourcePath, error.FilePath);
        Assert.Contains("no section \"optimizer\"", error.Message);
        Assert.Contains("empty, meta, model, rng/état", error.Message);
    }

    [Fact]
    public void A_missing_section_of_an_in_memory_checkpoint_is_a_KeyNotFoundException()
    {
        var error = Assert.Throws<KeyNotFoundException>(() => Sample()["optimizer"]);

        Assert.Contains("\"optimizer\"", error.Message);
    }

    [Fact]
    public void Invalid_section_names_and_null_data_are_refused()
    {
        var loneSurrogate = new string((char)0xD800, 1);
        foreach (var name in new[] { "", loneSurrogate, new string('x', 1025) })
            Assert.Throws<ArgumentException>(() => new CheckpointFile(new Dictionary<string, byte[]> { [name] = [1] }));
        Assert.Throws<ArgumentException>(() => new CheckpointFile(new Dictionary<string, byte[]> { ["model"] = null! }));
    }

    [Fact]
    public void Save_replaces_the_old_file_and_leaves_no_temporary_file()
    {
        var path = temp.File("run.ckpt");
        new CheckpointFile(new Dictionary<string, byte[]> { ["v"] = [1] }).Save(path);

        new CheckpointFile(new Dictionary<string, byte[]> { ["v"] = [2] }).Save(path);

        Assert.Equal(new byte[] { 2 }, CheckpointFile.Load(path)["v"]);
        Assert.Equal(new[] { "run.ckpt" }, Directory.GetFiles(temp.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void Save_creates_missing_parent_directories()
    {
        var path = Path.Combine(temp.Path, "a", "b", "run.ckpt");

        Sample().Save(path);

        Assert.Equal(Sample()["model"], CheckpointFile.Load(path)["model"]);
    }
}
