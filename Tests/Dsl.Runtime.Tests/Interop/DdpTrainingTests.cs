using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text.RegularExpressions;
using Dsl.Runtime.Checkpoints;
using Dsl.Runtime.Tests.Cli;
using Xunit;
using Xunit.Abstractions;

namespace Dsl.Runtime.Tests.Interop;

/// <summary>
/// The exported <c>train_ddp.py</c>: a two-process gloo run under torchrun on the embedded subset (written out by the
/// export) for 30 steps, whose safetensors weights evaluate in C# at the test accuracy the script printed.
/// </summary>
[Collection("training")]
public sealed class DdpTrainingTests
{
    private readonly ITestOutputHelper _output;

    public DdpTrainingTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public void Export_writes_the_script_with_the_CSharp_recipe_and_the_embedded_data()
    {
        using var temp = new TempDirectory();
        var (code, output, error) = CliTests.Run("export", "pytorch", "TinyResNet", "--out", temp.Path);
        Assert.True(code == 0, error);
        Assert.Contains("train_ddp.py", output);
        var script = File.ReadAllText(Path.Combine(temp.Path, "train_ddp.py"));
        Assert.Contains("from model import TinyResNet as Model", script);
        Assert.Contains("MEAN = [0.286]", script);
        Assert.Contains("STD = [0.353]", script);
        Assert.Contains("CROP_PADDING = 2", script);
        Assert.Contains("HORIZONTAL_FLIP = True", script);
        Assert.Contains($"NORMALIZATION_KEY = \"{Weights.NormalizationMetadataKey}\"", script);
        var recipe = Dsl.Runtime.App.TrainCommand.DefaultOptions;
        Assert.Contains($"\"--epochs\", type=int, default={recipe.Epochs})", script);
        Assert.Contains($"\"--batch-size\", type=int, default={recipe.BatchSize},", script);
        Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"\"--lr\", type=float, default={recipe.LearningRate},"), script);
        Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"\"--weight-decay\", type=float, default={recipe.WeightDecay})"), script);
        Assert.Contains("default=\"onecycle\"", script);
        foreach (var name in new[] { "train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte" })
        {
            Assert.True(File.Exists(Path.Combine(temp.Path, "data", name + ".gz")), name);
        }

        // A model that does not classify Fashion-MNIST gets no script.
        (code, _, error) = CliTests.Run("export", "pytorch", "ResNet18", "--out", Path.Combine(temp.Path, "resnet18"));
        Assert.True(code == 0, error);
        Assert.False(File.Exists(Path.Combine(temp.Path, "resnet18", "train_ddp.py")));
    }

    [Fact]
    public void A_two_process_gloo_run_writes_weights_that_evaluate_in_CSharp_at_the_accuracy_it_reported()
    {
        if (!Python.Available(_output.WriteLine)) return;
        using var temp = new TempDirectory();
        var exported = Path.Combine(temp.Path, "exported");
        var (code, _, error) = CliTests.Run("export", "pytorch", "TinyResNet", "--out", exported);
        Assert.True(code == 0, error);

        // --redirects 1 --tee 1: Debian's torch 1.13 under Python 3.11 cannot parse torchrun's default "0" (fixed in torch 2).
        var weights = Path.Combine(temp.Path, "ddp");
        var (exit, printed) = Python.RunRaw(
            ["-m", "torch.distributed.run", "--standalone", "--nproc_per_node=2", "--redirects", "1", "--tee", "1",
             Path.Combine(exported, "train_ddp.py"), "--max-steps", "30", "--batch-size", "32", "--out", weights],
            exported, TimeSpan.FromMinutes(3), new Dictionary<string, string> { ["OMP_NUM_THREADS"] = "1" });
        _output.WriteLine(printed);
        Assert.True(exit == 0, $"torchrun exited with {exit}:\n{printed}");
        Assert.Contains("step 30/30", printed);
        var reported = Regex.Match(printed, @"test accuracy (?<a>[0-9.]+) \((?<c>\d+)/(?<n>\d+)\)");
        Assert.True(reported.Success, printed);
        var correct = int.Parse(reported.Groups["c"].Value, CultureInfo.InvariantCulture);
        var count = int.Parse(reported.Groups["n"].Value, CultureInfo.InvariantCulture);
        Assert.Equal(2000, count);

        var file = Path.Combine(weights, "model.safetensors");
        Assert.Equal(new Dsl.Runtime.Data.Normalization(0.2860, 0.3530), Weights.ReadNormalization(file));
        (code, var output, error) = CliTests.Run("evaluate", "TinyResNet", "--checkpoint", file, "--data", Path.Combine(exported, "data"), "--device", "cpu");
        Assert.True(code == 0, error);
        _output.WriteLine(output);
        var evaluated = Regex.Match(output, @"test accuracy (?<p>[0-9.]+) % .* on 2,000 test images");
        Assert.True(evaluated.Success, output);
        var csharpCorrect = (int)Math.Round(double.Parse(evaluated.Groups["p"].Value, CultureInfo.InvariantCulture) / 100 * count);
        // The same test set, normalisation and weights; libtorch builds may round a logit differently, so one example may flip.
        Assert.True(Math.Abs(csharpCorrect - correct) <= 1, $"C#: {csharpCorrect}/{count}, Python: {correct}/{count}");
    }
}
