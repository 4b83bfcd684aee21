using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using Dsl.Runtime.Checkpoints;
using Dsl.Runtime.IO;
using Xunit;

namespace Dsl.Runtime.Tests.Reliability;

/// <summary>
/// A run killed mid-write leaves <c>last.ckpt.&lt;pid&gt;-&lt;n&gt;.tmp</c> (2.2 MB each for the examples) beside its files;
/// the next start removes those of dead processes, and nothing else.
/// </summary>
public sealed class StaleTemporaryFileTests : IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    /// <summary>The id of a process that has exited (ids are reused only after wrapping around).</summary>
    private static int DeadProcessId()
    {
        using var process = Process.Start(new ProcessStartInfo("dotnet", "--version") { RedirectStandardOutput = true })!;
        process.WaitForExit();
        return process.Id;
    }

    [Fact]
    public void Temporary_files_of_dead_writers_are_removed_and_every_other_file_is_kept()
    {
        var dead = DeadProcessId();
        var stale = new[] { $"last.ckpt.{dead}-1.tmp", $"epoch-0003.ckpt.{dead}-17.tmp", $"model.safetensors.{dead}-2.tmp" }
            .Select(name => temp.Write(name, new byte[1000])).ToArray();
        var kept = new[]
        {
            $"last.ckpt.{Environment.ProcessId}-1.tmp", // this process's own write in progress
            "last.ckpt.1-1.tmp", // process 1 is running: a live writer
            "notes.tmp", "data.123.tmp", $".{dead}-1.tmp", $"last.ckpt.{dead}-1.tmp.bak", $"last.ckpt.{dead}-x.tmp", "last.ckpt", "model.safetensors",
        }.Select(name => temp.Write(name, new byte[10])).ToArray();

        var removed = AtomicFile.RemoveStaleTemporaries(temp.Path);

        Assert.Equal(stale.Order(), removed.Order());
        Assert.All(stale, path => Assert.False(File.Exists(path), path));
        Assert.All(kept, path => Assert.True(File.Exists(path), path));
    }

    [Fact]
    public void Resuming_from_a_checkpoint_folder_removes_what_a_killed_run_left()
    {
        var orphan = temp.Write($"last.ckpt.{DeadProcessId()}-4.tmp", new byte[2048]);

        var found = new CheckpointDirectory(temp.Path).Restore((_, _) => { }, out var skipped);

        Assert.Null(found);
        Assert.Empty(skipped);
        Assert.False(File.Exists(orphan));
    }

    [Fact]
    public void A_folder_that_does_not_exist_is_no_error()
    {
        Assert.Empty(AtomicFile.RemoveStaleTemporaries(Path.Combine(temp.Path, "absent")));
    }
}
