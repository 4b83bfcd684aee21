using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using Dsl.Runtime.Experiments;
using Spectre.Console;
using Xunit;

namespace Dsl.Runtime.Tests.Experiments;

/// <summary>The <c>experiment</c> command and the report, with an experiment that trains nothing.</summary>
public class ExperimentCommandTests
{
    /// <summary>Writes one table of what it was given, and one chart.</summary>
    private sealed class Probe : IExperiment
    {
        public List<(ExperimentBudget Budget, long[] Seeds)> Runs { get; } = new();

        public string Name => "probe";

        public string Title => "A probe";

        public string Description => "records its settings";

        public int DefaultSeeds => 3;

        public void Run(ExperimentContext context)
        {
            Runs.Add((context.Budget, context.Seeds.ToArray()));
            context.Report.Uses("recipe", "nothing is trained");
            context.Report.Heading("Results");
            context.Report.Table(new[] { "variant", "value" }, new[]
            {
                new ReportCell[] { "seeds", ReportCell.Numbers(context.Seeds.Select(s => (double)s), "F1") },
                new ReportCell[] { "fraction", ReportCell.Percent(0.25) },
            });
            context.Report.Chart("line.png", "a line", new LineChart("t", "x", "y", new[] { new ChartSeries("s", new double[] { 1, 2, 3 }, new double[] { 1, 10, 100 }) }, LogY: true));
        }
    }

    /// <summary>Trains a TinyResNet at an absurd rate: it diverges.</summary>
    private sealed class Diverging : IExperiment
    {
        public string Name => "diverging";

        public string Title => "Diverging";

        public string Description => "a run that diverges";

        public void Run(ExperimentContext context)
        {
            var data = context.FashionMnistData();
            using var train = data.Train.Subset(0, 64);
            var options = new Dsl.Runtime.Training.TrainerOptions { Epochs = 1, BatchSize = 16, LearningRate = 1e12, Schedule = Dsl.Runtime.Training.ScheduleKind.Constant };
            var run = context.Train("TinyResNet", () => new Dsl.Examples.Models.TinyResNet(), options, train, null, context.Seeds[0]);
            context.Report.Heading("Results");
            context.Report.Table(new[] { "network", "steps" }, new[] { new ReportCell[] { run.Label, ReportCell.Number(run.Result.Steps, "N0") } });
        }
    }

    [Fact]
    public void A_run_that_diverges_is_listed_in_a_section_of_its_own()
    {
        using var directory = new TempDirectory();

        var (code, _, error) = Run(new Diverging(), "experiment", "diverging", "--out", directory.Path, "--data", "embedded");

        Assert.True(code == 0, error);
        string report = File.ReadAllText(Path.Combine(directory.Path, "report.md"));
        Assert.Contains("## Runs that diverged\n\n- TinyResNet, seed 1, diverged at step ", report);
        Assert.Contains("its numbers are those of the weights before that step", report);
    }

    private static (int Code, string Output, string Error) Run(IExperiment experiment, params string[] args)
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
        int code = DslApp.Run(args, Examples.Catalogue, console, error, default, new[] { experiment });
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public void A_run_uses_the_experiments_default_seeds_and_writes_report_results_and_plot()
    {
        using var directory = new TempDirectory();
        var probe = new Probe();

        var (code, output, error) = Run(probe, "experiment", "probe", "--out", directory.Path);

        Assert.True(code == 0, error);
        Assert.Equal(ExperimentBudget.Default, probe.Runs.Single().Budget);
        Assert.Equal(new long[] { 1, 2, 3 }, probe.Runs.Single().Seeds);
        Assert.Contains("report written to", output);
        string report = File.ReadAllText(Path.Combine(directory.Path, "report.md"));
        Assert.StartsWith("# A probe\n", report);
        Assert.Matches($"\\| command \\| `[^ `]+ experiment probe --out {System.Text.RegularExpressions.Regex.Escape(directory.Path)}` \\|", report);
        Assert.Contains("| seeds | 1, 2, 3 |", report);
        Assert.Contains("| recipe | nothing is trained |", report);
        Assert.Contains("| seeds | 2.0 ± 1.0 |", report);
        Assert.Contains("| fraction | 25.00 % |", report);
        Assert.Contains("![a line](line.png)", report);
        Assert.True(File.ReadAllBytes(Path.Combine(directory.Path, "line.png")).Length > 2_000);

        using var results = JsonDocument.Parse(File.ReadAllText(Path.Combine(directory.Path, "results.json")));
        var seeds = results.RootElement.GetProperty("measurements").EnumerateArray().First();
        Assert.Equal("2.0 ± 1.0", seeds.GetProperty("Text").GetString());
        Assert.Equal(new[] { 1.0, 2.0, 3.0 }, seeds.GetProperty("Values").EnumerateArray().Select(v => v.GetDouble()));
        Assert.Equal("default", results.RootElement.GetProperty("budget").GetString());
    }

    [Fact]
    public void Seeds_smoke_and_full_reach_the_experiment()
    {
        using var directory = new TempDirectory();
        var probe = new Probe();

        Assert.Equal(0, Run(probe, "experiment", "probe", "--out", directory.Path, "--seeds", "2", "--full").Code);
        Assert.Equal(0, Run(probe, "experiment", "probe", "--out", directory.Path, "--smoke").Code);

        Assert.Equal(ExperimentBudget.Full, probe.Runs[0].Budget);
        Assert.Equal(new long[] { 1, 2 }, probe.Runs[0].Seeds);
        Assert.Equal(ExperimentBudget.Smoke, probe.Runs[1].Budget);
        Assert.Equal(new long[] { 1 }, probe.Runs[1].Seeds);
    }

    [Theory]
    [InlineData("unknown experiment 'nope'; the experiments are: probe", "experiment", "nope")]
    [InlineData("--seeds 0: give 1 to 100 seeds", "experiment", "probe", "--seeds", "0")]
    [InlineData("--full and --smoke contradict each other: give one", "experiment", "probe", "--full", "--smoke")]
    [InlineData("--threads 0: give 1 to 1024 threads", "experiment", "probe", "--threads", "0")]
    public void Bad_arguments_are_one_line_with_exit_code_2(string message, params string[] args)
    {
        var probe = new Probe();
        var (code, _, error) = Run(probe, args);

        Assert.Equal(2, code);
        Assert.Equal("error: " + message, error.Trim());
        Assert.Empty(probe.Runs);
    }

    [Fact]
    public void An_out_that_is_a_file_is_refused_before_anything_runs()
    {
        using var directory = new TempDirectory();
        string file = directory.Write("taken", new byte[] { 1 });
        var probe = new Probe();

        var (code, _, error) = Run(probe, "experiment", "probe", "--out", file);

        Assert.Equal(1, code);
        Assert.Contains($"--out {file} is not a folder this program can write to", error);
        Assert.Single(error.Trim().Split('\n'));
        Assert.Empty(probe.Runs);
    }

    [Fact]
    public void Without_a_name_the_experiments_are_listed()
    {
        var (code, output, _) = Run(new Probe(), "experiment");

        Assert.Equal(0, code);
        Assert.Contains("probe", output);
        Assert.Contains("records its settings", output);
    }

    [Fact]
    public void The_examples_program_offers_all_seven_experiments()
    {
        var names = Dsl.Runtime.App.ExperimentCommand.Discover(typeof(Dsl.Examples.Models.ResNet20).Assembly).Select(e => e.Name);

        Assert.Equal(new[] { "densenet", "depth", "gradients", "stochastic-depth", "timeseries", "transformer", "unet" }, names);
    }
}
