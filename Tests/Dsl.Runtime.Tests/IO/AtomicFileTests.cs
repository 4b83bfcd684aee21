using System;
using System.IO;
using Dsl.Runtime.IO;
using Xunit;

namespace Dsl.Runtime.Tests.IO;

public sealed class AtomicFileTests : IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    [Fact]
    public void A_writer_that_throws_halfway_leaves_the_old_file_intact_and_no_temporary_file()
    {
        var path = temp.File("last.ckpt");
        File.WriteAllText(path, "old content");

        var error = Assert.Throws<IOException>(() => AtomicFile.Write(path, stream =>
        {
            stream.Write(new byte[4096]);
            throw new IOException("disk full (simulated)");
        }));

        Assert.Equal("disk full (simulated)", error.Message);
        Assert.Equal("old content", File.ReadAllText(path));
        Assert.Equal(new[] { path }, Directory.GetFiles(temp.Path));
    }

    [Fact]
    public void The_new_content_appears_only_after_the_writer_finished()
    {
        var path = temp.File("weights.bin");
        File.WriteAllText(path, "old");

        AtomicFile.Write(path, stream =>
        {
            stream.Write("new"u8);
            // While writing, the target still holds the old content and the data goes to a temporary file beside it.
            Assert.Equal("old", File.ReadAllText(path));
            Assert.Equal(2, Directory.GetFiles(temp.Path).Length);
        });

        Assert.Equal("new", File.ReadAllText(path));
        Assert.Single(Directory.GetFiles(temp.Path));
    }
}
