using System.IO;
using Xunit;

namespace Dsl.Runtime.Tests.Cli;

/// <summary><c>train</c> when a run diverges, and the advice it gives: <c>--resume --lr</c> replaces the stored rate.</summary>
public class TrainFaultTests
{
    [Fact]
    public void A_run_that_diverges_before_its_first_checkpoint_names_the_step_and_no_folder()
    {
        using var temp = new TempDirectory();

        var (code, _, error) = CliTests.Run("train", "TinyResNet", "--data", "embedded", "--limit", "256", "--epochs", "2",
            "--lr", "1e12", "--schedule", "constant", "--checkpoint-minutes", "0", "--out", temp.Path);

        Assert.Equal(1, code);
        Assert.Single(error.Trim().Split('\n'));
        Assert.Matches(@"^error: training diverged: the loss of step \d+ \(epoch 1\) is (NaN|infinite|[0-9.E+]+, [0-9.E+]+ times the first loss)", error);
        Assert.Contains("before the run's first checkpoint; start again with a lower rate (e.g. --lr 1E+11)", error);
        Assert.DoesNotContain(Path.Combine(temp.Path, "checkpoints"), error);
    }

    [Fact]
    public void Resume_with_lr_replaces_the_checkpoints_rate_with_a_warning()
    {
        using var temp = new TempDirectory();
        var first = CliTests.Run("train", "TinyResNet", "--data", "embedded", "--limit", "128", "--epochs", "1", "--validation", "0", "--out", temp.Path);
        Assert.True(first.Code == 0, first.Error);

        var (code, output, error) = CliTests.Run("train", "TinyResNet", "--data", "embedded", "--limit", "128", "--epochs", "2", "--validation", "0",
            "--out", temp.Path, "--resume", "--lr", "0.01");

        Assert.True(code == 0, error);
        Assert.Contains("warning: --lr 0.01 replaces the checkpoint's 0.1 for the rest of the run", output);
        Assert.Contains("extending the run from 1 to 2 epochs", output);
        Assert.DoesNotContain("resuming with the checkpoint's options", output); // which would say the opposite of the two lines above
        Assert.Contains("Sgd lr 0.01", output);
    }

    [Fact]
    public void An_out_that_cannot_be_written_is_refused_before_the_data_is_loaded()
    {
        using var temp = new TempDirectory();
        string file = temp.Write("a-file", new byte[] { 1 });

        var (code, output, error) = CliTests.Run("train", "TinyResNet", "--data", "embedded", "--out", Path.Combine(file, "run"));

        Assert.Equal(1, code);
        Assert.Single(error.Trim().Split('\n'));
        Assert.StartsWith($"error: --out {Path.Combine(file, "run")} is not a folder this program can write to", error);
        Assert.DoesNotContain("data:", output); // nothing was loaded or trained
    }

    [Fact]
    public void An_out_on_a_disk_without_room_for_the_run_is_refused_in_one_line()
    {
        // No full disk to be had in a test: ask for more room than any disk has, so the real free-space reading decides.
        using var temp = new TempDirectory();
        string run = Path.Combine(temp.Path, "run");

        var e = Assert.Throws<System.InvalidOperationException>(() => Dsl.Runtime.App.RunOutputs.CheckWritable(run, long.MaxValue / 2));

        Assert.Matches($@"^--out {System.Text.RegularExpressions.Regex.Escape(run)}: its disk has [0-9,]+\.[0-9] MB free, and the run needs about [0-9,]+\.[0-9] MB for its checkpoints and reports$", e.Message);
        Assert.Empty(Directory.GetFiles(run)); // the write probe was removed
    }
}
