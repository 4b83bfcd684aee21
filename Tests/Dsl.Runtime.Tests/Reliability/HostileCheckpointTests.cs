using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using Dsl.Runtime.Checkpoints;
using Dsl.Runtime.Tests.Training;
using Dsl.Runtime.Training;
using Xunit;
using static TorchSharp.torch;

namespace Dsl.Runtime.Tests.Reliability;

/// <summary>
/// Checkpoints that pass their SHA-256 but hold what no run writes (as a tool, a bug or a person may produce): each is
/// refused with one line naming the file and the field, before anything reaches libtorch, and resuming falls back to
/// the checkpoint before it.
/// </summary>
public sealed class HostileCheckpointTests(TrainingFixture data) : IClassFixture<TrainingFixture>, IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    /// <summary>Trains <paramref name="epochs"/> one-epoch-of-8-steps epochs into the temp folder (last.ckpt, epoch-NNNN.ckpt).</summary>
    private void Train(int epochs)
    {
        using var model = TrainingFixture.Model(4);
        using var trainer = new Trainer(model, TrainingFixture.Quick with { Epochs = epochs }, CPU, temp.Path);
        trainer.Fit(data.Train);
    }

    /// <summary>Rewrites a checkpoint's sections and saves it again with a valid checksum.</summary>
    internal static void Rewrite(string path, Action<Dictionary<string, byte[]>> change)
    {
        var sections = CheckpointFile.Load(path).Sections.ToDictionary(s => s.Key, s => s.Value);
        change(sections);
        new CheckpointFile(sections).Save(path);
    }

    /// <summary>Sets a field of the "state" section's JSON (a path of property names, matched ignoring case).</summary>
    internal static void SetState(Dictionary<string, byte[]> sections, JsonNode value, params string[] names)
    {
        var root = JsonNode.Parse(sections["state"])!.AsObject();
        var node = root;
        for (var i = 0; i < names.Length - 1; i++)
            node = node.Single(p => string.Equals(p.Key, names[i], StringComparison.OrdinalIgnoreCase)).Value!.AsObject();
        var key = node.Single(p => string.Equals(p.Key, names[^1], StringComparison.OrdinalIgnoreCase)).Key;
        node[key] = value;
        sections["state"] = System.Text.Encoding.UTF8.GetBytes(root.ToJsonString());
    }

    private Trainer Fresh(nn.Module<Tensor, Tensor> model) => new(model, TrainingFixture.Quick with { Epochs = 2 }, CPU, temp.Path);

    [Theory]
    [InlineData(17)]
    [InlineData(0)]
    [InlineData(5057)]
    public void A_wrong_sized_rng_section_is_one_line_naming_the_file_not_an_abort(int size)
    {
        // Before: the bytes went to libtorch's set_state on --resume, whose uncaught c10::Error aborted the process (exit 134).
        Train(1);
        var path = Path.Combine(temp.Path, "last.ckpt");
        Rewrite(path, s => s["rng"] = new byte[size]);
        using var model = TrainingFixture.Model(5);
        using var trainer = Fresh(model);

        var e = Assert.Throws<CheckpointCorruptException>(() => trainer.LoadCheckpoint(path));

        Assert.Contains(path, e.Message);
        Assert.Contains($"section \"rng\" has {size} bytes", e.Message);
    }

    [Fact]
    public void A_real_generator_state_passes_the_check_and_libtorch_takes_it()
    {
        // The check reads libtorch's layout; a real state of any seed must pass it (and then set_rng_state must accept it).
        foreach (var seed in new long[] { 0, 1, 42, long.MaxValue })
        {
            manual_seed(seed);
            using var drawn = rand(100); // moves "left" and "next" away from a fresh seed's values
            using var state = get_rng_state();
            var bytes = state.data<byte>().ToArray();

            Assert.Same(bytes, RngState.Check(bytes, "test"));
            using var again = tensor(bytes, dtype: uint8);
            set_rng_state(again);
        }
    }

    [Fact]
    public void A_right_sized_but_invalid_generator_state_is_refused_too()
    {
        Train(1);
        var path = Path.Combine(temp.Path, "last.ckpt");
        using var state = get_rng_state();
        var bytes = state.data<byte>().ToArray();
        BitConverter.GetBytes(0).CopyTo(bytes, 8); // left = 0: mt19937::is_valid fails, and set_state throws c10::Error
        Rewrite(path, s => s["rng"] = bytes);
        using var model = TrainingFixture.Model(5);
        using var trainer = Fresh(model);

        var e = Assert.Throws<CheckpointCorruptException>(() => trainer.LoadCheckpoint(path));

        Assert.Contains("not a valid generator state", e.Message);
    }

    [Theory]
    [InlineData("ProgressEvery", 0, "ProgressEvery must be at least 1")] // before: a DivideByZeroException during the run
    [InlineData("BatchSize", -3, "BatchSize must be at least 1")]
    [InlineData("LearningRate", -1.0, "LearningRate must be a positive number")]
    [InlineData("Step", -5, "stored Step is -5")] // before: a silently wrong learning-rate schedule
    [InlineData("Epoch", 99, "stored Epoch is 99")]
    [InlineData("Batch", -1, "stored Batch is -1")]
    [InlineData("ScheduleStartEpoch", 7, "stored ScheduleStartEpoch is 7")]
    public void An_impossible_stored_option_or_position_is_one_line_naming_the_file_and_the_field(string field, double value, string expected)
    {
        Train(1);
        var path = Path.Combine(temp.Path, "last.ckpt");
        var node = value == Math.Floor(value) && field != "LearningRate" ? JsonValue.Create((long)value) : JsonValue.Create(value);
        Rewrite(path, s =>
        {
            if (field is "ProgressEvery" or "BatchSize" or "LearningRate")
                SetState(s, node, "Options", field);
            else
                SetState(s, node, field);
        });
        using var model = TrainingFixture.Model(5);
        using var trainer = Fresh(model);

        var e = Assert.Throws<CheckpointCorruptException>(() => trainer.LoadCheckpoint(path));

        Assert.Contains(path, e.Message);
        Assert.Contains(expected, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void A_parser_error_quoting_the_file_with_line_breaks_is_still_one_line()
    {
        // Found by the fuzz test: System.Text.Json quotes the bad token, line breaks and all, and the message spanned lines.
        var path = temp.File("broken.ckpt");
        new CheckpointFile(new Dictionary<string, byte[]> { ["state"] = "{\n  \"Format\": trUe,\n  \"x\": \u001b[2J\n}"u8.ToArray() }).Save(path);
        using var model = TrainingFixture.Model(5);
        using var trainer = Fresh(model);

        var e = Assert.Throws<CheckpointCorruptException>(() => trainer.LoadCheckpoint(path));

        Assert.Contains("its training state is unreadable", e.Message);
        Assert.DoesNotContain(e.Message, char.IsControl);
    }

    [Fact]
    public void A_hash_valid_but_unusable_last_checkpoint_falls_back_to_the_newest_epoch_file_with_a_warning()
    {
        // Before: only files failing their checksum were skipped; this one loaded (or aborted) instead of falling back.
        Train(2);
        var last = Path.Combine(temp.Path, "last.ckpt");
        Rewrite(last, s => SetState(s, JsonValue.Create(0), "Options", "ProgressEvery"));
        using var model = TrainingFixture.Model(5);
        using var trainer = Fresh(model);
        var warnings = new List<string>();
        trainer.Warning += warnings.Add;

        var used = trainer.Resume();

        Assert.Equal(Path.Combine(temp.Path, "epoch-0002.ckpt"), used);
        Assert.Equal(16, trainer.Step);
        Assert.Contains(warnings, w => w.Contains(last) && w.Contains("ProgressEvery"));
    }

    [Fact]
    public void When_no_checkpoint_is_usable_resume_fails_naming_the_folder_and_each_file()
    {
        Train(1);
        foreach (var path in Directory.GetFiles(temp.Path, "*.ckpt"))
            Rewrite(path, s => s["rng"] = new byte[3]);
        using var model = TrainingFixture.Model(5);
        using var trainer = Fresh(model);

        var e = Assert.Throws<CheckpointCorruptException>(() => trainer.Resume());

        Assert.Equal(temp.Path, e.FilePath);
        Assert.Contains("last.ckpt", e.Message);
        Assert.Contains("epoch-0001.ckpt", e.Message);
    }
}
