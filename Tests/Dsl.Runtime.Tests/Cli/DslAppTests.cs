using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using Xunit;

namespace Dsl.Runtime.Tests.Cli;

/// <summary>DslApp as a user's project gets it: help from the commands' settings, the validation split, extending a run, other tasks, diagrams.</summary>
[Collection("training")]
public class DslAppTests
{
    private static (int Code, string Output, string Error) Run(params string[] args) => CliTests.Run(args);

    [Theory]
    [InlineData("help", "train")]
    [InlineData("train", "--help")]
    public void Help_for_train_prints_its_options(string first, string second)
    {
        var (code, output, _) = Run(first, second);

        Assert.Equal(0, code);
        foreach (var option in new[] { "--epochs", "--validation", "--test-weights", "--task", "--data", "--resume", "--monitor" })
        {
            Assert.Contains(option, output);
        }
    }

    [Fact]
    public void The_validation_split_comes_off_the_training_data_and_the_test_set_is_evaluated_once_at_the_end()
    {
        using var temp = new TempDirectory();
        var run = Path.Combine(temp.Path, "run");
        var (code, output, error) = Run("train", "TinyResNet", "--epochs", "2", "--limit", "200", "--batch-size", "64",
            "--device", "cpu", "--out", run, "--validation", "0.2");

        Assert.True(code == 0, error);
        using var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "metrics.json")));
        var split = metrics.RootElement.GetProperty("split");
        Assert.Equal(160, split.GetProperty("train").GetInt64());
        Assert.Equal(40, split.GetProperty("validation").GetInt64());
        Assert.Equal(200, split.GetProperty("test").GetInt64());
        var test = metrics.RootElement.GetProperty("test");
        var history = metrics.RootElement.GetProperty("history").EnumerateArray().ToList();
        Assert.All(history, h => Assert.NotEqual(test.GetProperty("loss").GetDouble(), h.GetProperty("validationLoss").GetDouble()));
        Assert.Contains("160 train / 40 validation / 200 test images", output);
        Assert.Contains("validation_loss", File.ReadAllLines(Path.Combine(run, "metrics.csv"))[0]);
        Assert.True(File.Exists(Path.Combine(run, "test-metrics.csv")));

        // --validation 0: no validation set at all.
        (code, output, error) = Run("train", "TinyResNet", "--epochs", "1", "--limit", "64", "--out", Path.Combine(temp.Path, "none"), "--validation", "0");
        Assert.True(code == 0, error);
        Assert.Contains("64 train / 0 validation / 64 test", output);
    }

    [Fact]
    public void Resume_with_more_epochs_extends_a_finished_run()
    {
        using var temp = new TempDirectory();
        var run = Path.Combine(temp.Path, "run");
        var (code, _, error) = Run("train", "TinyResNet", "--epochs", "1", "--limit", "128", "--batch-size", "64", "--out", run);
        Assert.True(code == 0, error);

        (code, var output, error) = Run("train", "TinyResNet", "--epochs", "2", "--limit", "128", "--batch-size", "64", "--out", run, "--resume");

        Assert.True(code == 0, error);
        Assert.Contains("extending the run from 1 to 2 epochs", output);
        Assert.Contains(output.Split('\n'), l => l.StartsWith("epoch 2/2  train loss", StringComparison.Ordinal));
        using var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "metrics.json")));
        Assert.Equal(2, metrics.RootElement.GetProperty("epochs").GetInt32());
    }

    [Theory]
    [InlineData("TinyTransformer", "test accuracy")]            // token ids, synthetic majority-vote labels
    [InlineData("UNet", "psnr")]                                 // images to images: denoising
    [InlineData("ResidualCnn1d", "test mse")]                    // a signal to 8 values: forecasting a series
    public void Models_of_other_shapes_train_on_a_task_that_fits_them(string model, string headline)
    {
        using var temp = new TempDirectory();
        var (code, output, error) = Run("train", model, "--epochs", "1", "--limit", "128", "--batch-size", "32", "--out", temp.Path);

        Assert.True(code == 0, error);
        var last = output.Trim().Split('\n')[^1];
        Assert.StartsWith(model + ": test ", last);
        Assert.Contains(headline, last);
    }

    [Fact]
    public void A_model_whose_shapes_do_not_fit_the_task_gets_one_line()
    {
        var (code, _, error) = Run("train", "TinyTransformer", "--task", "regression");

        Assert.Equal(2, code);
        Assert.Contains("TinyTransformer maps token ids [16] to [4]", error);
        Assert.Single(error.Trim().Split('\n'));
    }

    public static TheoryData<string> ExampleNames => new(Examples.Catalogue.Select(e => e.Name));

    /// <summary>summary, summary --expanded and diagram (DOT, and SVG through Graphviz when it is installed) for every example, through the real catalogue.</summary>
    [Theory]
    [MemberData(nameof(ExampleNames))]
    public void Summary_and_diagram_work_for_every_example(string name)
    {
        var entry = Examples.Find(name);
        using var temp = new TempDirectory();

        var (code, output, error) = Run("summary", name);
        Assert.True(code == 0, error);
        Assert.Contains(entry.Summary.Split('\n')[2].Trim(), output);
        Assert.Contains("Multiply-accumulates per example", output);

        (code, output, error) = Run("summary", name, "--expanded");
        Assert.True(code == 0, error);
        Assert.Contains("(every layer of every block)", output);

        var dot = temp.File(name + ".dot");
        (code, _, error) = Run("diagram", name, "--out", dot);
        Assert.True(code == 0, error);
        Assert.Equal(entry.Diagram, File.ReadAllText(dot));
        Assert.StartsWith("digraph", entry.Diagram);

        if (File.Exists("/usr/bin/dot"))
        {
            var svg = temp.File(name + ".svg");
            (code, _, error) = Run("diagram", name, "--out", svg);
            Assert.True(code == 0, error);
            Assert.Contains("<svg", File.ReadAllText(svg));
        }
    }

    [Fact]
    public void Summary_expanded_and_diagrams_in_dot_svg_and_an_unknown_extension()
    {
        var entry = Examples.Find("TinyResNet");
        var drawn = new ModelCatalogEntry(entry.Name, entry.FullName, entry.Description, entry.InputShape, entry.OutputShape, entry.TakesTokenIds,
            entry.ParameterCount, entry.MultiplyAccumulates, entry.Summary, "EXPANDED TABLE", "digraph TinyResNet { input -> stem -> output; }",
            entry.OutputShapeFor, entry.Create);
        var models = new[] { drawn };
        using var temp = new TempDirectory();

        var (code, output, _) = RunWith(models, "summary", "TinyResNet", "--expanded");
        Assert.Equal(0, code);
        Assert.Equal("EXPANDED TABLE", output.Trim());

        var dot = temp.File("net.dot");
        (code, _, var error) = RunWith(models, "diagram", "TinyResNet", "--out", dot);
        Assert.True(code == 0, error);
        Assert.Equal(drawn.Diagram, File.ReadAllText(dot));

        (code, _, error) = RunWith(models, "diagram", "TinyResNet", "--out", temp.File("net.bmp"));
        Assert.Equal(2, code);
        Assert.Contains(".dot, .svg or .png", error);

        var svg = temp.File("net.svg");
        Environment.SetEnvironmentVariable("DSL_DOT", "/nonexistent/dot");
        try
        {
            (code, _, error) = RunWith(models, "diagram", "TinyResNet", "--out", svg);
        }
        finally
        {
            Environment.SetEnvironmentVariable("DSL_DOT", null);
        }

        Assert.Equal(1, code);
        Assert.Contains("sudo apt-get install graphviz", error);
        Assert.Single(error.Trim().Split('\n'));

        if (File.Exists("/usr/bin/dot"))
        {
            (code, _, error) = RunWith(models, "diagram", "TinyResNet", "--out", svg);
            Assert.True(code == 0, error);
            Assert.Contains("<svg", File.ReadAllText(svg));
        }
    }

    [Fact]
    public void The_catalogue_of_an_assembly_is_found_through_its_attribute()
    {
        var models = DslApp.CatalogOf(typeof(Dsl.Examples.Models.ResNet20).Assembly)!;

        Assert.Contains(models, m => m.Name == "ResNet20");
        Assert.Null(DslApp.CatalogOf(typeof(DslApp).Assembly));
    }

    private static (int Code, string Output, string Error) RunWith(ModelCatalogEntry[] models, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var console = Spectre.Console.AnsiConsole.Create(new Spectre.Console.AnsiConsoleSettings
        {
            Ansi = Spectre.Console.AnsiSupport.No,
            ColorSystem = Spectre.Console.ColorSystemSupport.NoColors,
            Interactive = Spectre.Console.InteractionSupport.No,
            Out = new Spectre.Console.AnsiConsoleOutput(output),
        });
        console.Profile.Width = 4096;
        var code = DslApp.Run(args, models, console, error);
        return (code, output.ToString(), error.ToString());
    }
}
