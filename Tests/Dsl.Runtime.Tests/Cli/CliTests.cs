using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using Spectre.Console;
using Xunit;

namespace Dsl.Runtime.Tests.Cli;

/// <summary>The example tool as a user runs it: exit codes, one-line errors, and what a run leaves in --out.</summary>
[Collection("training")]
public class CliTests
{
    [Theory]
    [InlineData("train NoSuchModel", "unknown model 'NoSuchModel'")]
    [InlineData("summary NoSuchModel", "unknown model 'NoSuchModel'")]
    [InlineData("train", "train needs a model name")]
    [InlineData("train TinyResNet --epochs 0", "--epochs must be a whole number from 1 up, not '0'")]
    [InlineData("train TinyResNet --epochs many", "--epochs must be a whole number from 1 up, not 'many'")]
    [InlineData("train TinyResNet --lr -1", "--lr must be a number greater than 0, not '-1'")]
    [InlineData("train TinyResNet --batch-size", "--batch-size needs a value")]
    [InlineData("train TinyResNet --optimizer rmsprop", "--optimizer must be one of sgd, adam, adamw, not 'rmsprop'")]
    [InlineData("train TinyResNet --epoch 3", "unknown option --epoch")]
    [InlineData("train TinyResNet extra", "unexpected argument 'extra'")]
    [InlineData("train UNet --task classification", "UNet maps [1, 28, 28] to [1, 28, 28], not 1×28×28 images to 10 classes")]
    [InlineData("evaluate TinyResNet", "evaluate needs --checkpoint FILE")]
    [InlineData("fly", "unknown command 'fly'")]
    public void Wrong_arguments_give_one_line_and_exit_code_2(string commandLine, string message)
    {
        var (code, output, error) = Run(commandLine.Split(' '));

        Assert.Equal(2, code);
        Assert.StartsWith("error: ", error);
        Assert.Single(error.TrimEnd().Split('\n'));
        Assert.Contains(message, error);
        Assert.DoesNotContain("   at ", error);
        Assert.Equal("", output);
    }

    [Fact]
    public void A_device_that_is_not_there_is_one_line_and_exit_code_1()
    {
        using var temp = new TempDirectory();
        var (code, _, error) = Run("train", "TinyResNet", "--device", "tpu", "--out", temp.Path);

        Assert.Equal(1, code);
        Assert.Equal("error: device 'tpu' is not known: use cpu, cuda or cuda:N", error.Trim());
    }

    [Fact]
    public void A_data_directory_without_the_files_is_one_line_naming_it()
    {
        using var temp = new TempDirectory();
        var directory = temp.Path;
        var (code, _, error) = Run("train", "TinyResNet", "--data", directory, "--out", Path.Combine(directory, "run"));

        Assert.Equal(1, code);
        Assert.Contains(directory, error);
        Assert.Single(error.Trim().Split('\n'));
    }

    [Fact]
    public void List_and_summary_print_the_examples_and_the_compile_time_table()
    {
        var (code, output, _) = Run("list");
        Assert.Equal(0, code);
        Assert.Contains("ResNet20", output);
        Assert.Contains("TinyTransformer", output);

        (code, output, _) = Run("summary", "TinyResNet");
        Assert.Equal(0, code);
        Assert.Equal(Dsl.Examples.Models.TinyResNet.Summary.Trim(), output.Trim());
    }

    [Fact]
    public void Train_writes_checkpoints_metrics_plots_and_weights_then_evaluate_reads_them_back()
    {
        using var temp = new TempDirectory();
        var run = Path.Combine(temp.Path, "run");
        var (code, output, error) = Run("train", "TinyResNet", "--epochs", "2", "--limit", "256", "--batch-size", "64",
            "--device", "cpu", "--seed", "3", "--out", run);

        Assert.True(code == 0, error);
        var lines = output.Trim().Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
        Assert.Contains(lines, l => l.StartsWith("epoch 2/2  train loss", StringComparison.Ordinal));
        Assert.StartsWith("TinyResNet: test accuracy ", lines[^1]);
        foreach (var file in new[] { "metrics.json", "metrics.csv", "gradient-norms.csv", "gradient-flow.png", "curves.png",
                     "model.safetensors", "model.pth", "checkpoints/last.ckpt", "checkpoints/epoch-0002.ckpt" })
        {
            Assert.True(File.Exists(Path.Combine(run, file)), $"{file} is missing");
        }

        using var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "metrics.json")));
        var accuracy = metrics.RootElement.GetProperty("test").GetProperty("accuracy").GetDouble();
        Assert.Contains($"test accuracy {accuracy:P2}", lines[^1].Replace(",", ""));

        // The same weights, read back three ways, give the same accuracy on the test split.
        var reported = new System.Collections.Generic.List<string>();
        foreach (var weights in new[] { "model.safetensors", "model.pth", "checkpoints/best.ckpt" }) // the weights the test was run with
        {
            (code, output, error) = Run("evaluate", "TinyResNet", "--checkpoint", Path.Combine(run, weights), "--device", "cpu");
            Assert.True(code == 0, error);
            Assert.StartsWith("TinyResNet: test accuracy ", output);
            reported.Add(output.Substring(0, output.IndexOf(" on ", StringComparison.Ordinal)));
        }

        Assert.Single(reported.Distinct());

        // A second run into the same folder would mix two runs: refused unless it resumes.
        (code, _, error) = Run("train", "TinyResNet", "--epochs", "2", "--limit", "256", "--batch-size", "64", "--out", run);
        Assert.Equal(2, code);
        Assert.Contains("--resume", error);

        (code, output, error) = Run("train", "TinyResNet", "--epochs", "2", "--limit", "256", "--batch-size", "64", "--seed", "3",
            "--out", run, "--resume");
        Assert.True(code == 0, error);
        Assert.Contains("resuming from", output);
    }

    [Fact]
    public void Evaluate_with_a_corrupt_checkpoint_names_the_file()
    {
        using var temp = new TempDirectory();
        var directory = temp.Path;
        var file = Path.Combine(directory, "broken.ckpt");
        File.WriteAllText(file, "not a checkpoint");

        var (code, _, error) = Run("evaluate", "TinyResNet", "--checkpoint", file);

        Assert.Equal(1, code);
        Assert.Contains(file, error);
        Assert.Single(error.Trim().Split('\n'));
    }

    internal static (int Code, string Output, string Error) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(output),
        });
        console.Profile.Width = 4096;
        var code = DslApp.Run(args, Examples.Catalogue, console, error);
        return (code, output.ToString(), error.ToString());
    }
}
