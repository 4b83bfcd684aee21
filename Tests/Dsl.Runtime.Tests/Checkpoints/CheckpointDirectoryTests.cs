using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Dsl.Runtime.Checkpoints;
using Xunit;

namespace Dsl.Runtime.Tests.Checkpoints;

public sealed class CheckpointDirectoryTests : IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    private static CheckpointFile Checkpoint(int marker) =>
        new(new Dictionary<string, byte[]> { ["marker"] = BitConverter.GetBytes(marker) });

    private static int Marker(CheckpointFile checkpoint) => BitConverter.ToInt32(checkpoint["marker"]);

    private string[] FileNames() => Directory.GetFiles(temp.Path).Select(Path.GetFileName).Order().ToArray()!;

    [Fact]
    public void SaveEpoch_writes_the_epoch_file_and_last()
    {
        var directory = new CheckpointDirectory(temp.Path);

        var path = directory.SaveEpoch(3, Checkpoint(3));

        Assert.Equal(temp.File("epoch-0003.ckpt"), path);
        Assert.Equal(new[] { "epoch-0003.ckpt", "last.ckpt" }, FileNames());
        Assert.Equal(3, Marker(CheckpointFile.Load(path)));
        Assert.Equal(3, Marker(CheckpointFile.Load(temp.File("last.ckpt"))));
    }

    [Fact]
    public void Keep_two_keeps_only_the_two_newest_epoch_files()
    {
        var directory = new CheckpointDirectory(temp.Path, keep: 2);

        for (var epoch = 1; epoch <= 5; epoch++)
            directory.SaveEpoch(epoch, Checkpoint(epoch));

        Assert.Equal(new[] { "epoch-0004.ckpt", "epoch-0005.ckpt", "last.ckpt" }, FileNames());
        Assert.Equal(new[] { 5, 4 }, directory.EpochFiles().Select(f => f.Epoch));
    }

    [Fact]
    public void SaveLast_writes_only_last_and_LoadLatest_prefers_it()
    {
        var directory = new CheckpointDirectory(temp.Path);
        directory.SaveEpoch(1, Checkpoint(1));

        directory.SaveLast(Checkpoint(99)); // interrupted mid-epoch 2

        Assert.Equal(new[] { "epoch-0001.ckpt", "last.ckpt" }, FileNames());
        var latest = directory.LoadLatest(out var skipped);
        Assert.NotNull(latest);
        Assert.Equal(99, Marker(latest.Value.Checkpoint));
        Assert.Equal(directory.LastPath, latest.Value.Path);
        Assert.Empty(skipped);
    }

    [Fact]
    public void LoadLatest_skips_a_corrupt_last_falls_back_to_the_newest_valid_epoch_and_reports_it()
    {
        var directory = new CheckpointDirectory(temp.Path);
        directory.SaveEpoch(1, Checkpoint(1));
        directory.SaveEpoch(2, Checkpoint(2));
        directory.SaveLast(Checkpoint(3));
        var last = File.ReadAllBytes(directory.LastPath);
        File.WriteAllBytes(directory.LastPath, last[..(last.Length / 2)]); // a crash outside our control

        var latest = directory.LoadLatest(out var skipped);

        Assert.NotNull(latest);
        Assert.Equal(2, Marker(latest.Value.Checkpoint));
        Assert.Equal(temp.File("epoch-0002.ckpt"), latest.Value.Path);
        var report = Assert.Single(skipped);
        Assert.StartsWith(directory.LastPath + ": ", report);
        Assert.Matches("truncated|SHA-256", report);
    }

    [Fact]
    public void LoadLatest_skips_every_corrupt_file_down_to_a_valid_one()
    {
        var directory = new CheckpointDirectory(temp.Path);
        directory.SaveEpoch(1, Checkpoint(1));
        directory.SaveEpoch(2, Checkpoint(2));
        File.WriteAllText(directory.LastPath, "garbage");
        File.WriteAllBytes(directory.EpochPath(2), Array.Empty<byte>());

        var latest = directory.LoadLatest(out var skipped);

        Assert.Equal(1, Marker(latest!.Value.Checkpoint));
        Assert.Equal(2, skipped.Count);
        Assert.StartsWith(directory.LastPath, skipped[0]);
        Assert.StartsWith(directory.EpochPath(2), skipped[1]);
    }

    [Fact]
    public void LoadLatest_returns_null_when_there_is_no_checkpoint()
    {
        Assert.Null(new CheckpointDirectory(temp.Path).LoadLatest(out var skipped));
        Assert.Empty(skipped);
        Assert.Null(new CheckpointDirectory(Path.Combine(temp.Path, "never-created")).LoadLatest(out _));
    }

    [Fact]
    public void LoadLatest_throws_when_files_exist_but_none_is_valid()
    {
        var directory = new CheckpointDirectory(temp.Path);
        directory.SaveEpoch(1, Checkpoint(1));
        File.WriteAllText(directory.LastPath, "garbage");
        File.WriteAllText(directory.EpochPath(1), "garbage");

        var error = Assert.Throws<CheckpointCorruptException>(() => directory.LoadLatest(out _));

        Assert.Equal(temp.Path, error.FilePath);
        Assert.Contains("none of its 2 checkpoint files is valid", error.Message);
        Assert.Contains(directory.LastPath, error.Message);
        Assert.Contains(directory.EpochPath(1), error.Message);
    }

    [Fact]
    public void Keep_must_be_at_least_one()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new CheckpointDirectory(temp.Path, keep: 0));
    }
}
