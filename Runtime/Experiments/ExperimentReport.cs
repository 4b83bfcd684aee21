using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using Dsl.Runtime.IO;

namespace Dsl.Runtime.Experiments;

/// <summary>
/// The Markdown report an experiment writes to its output folder (<c>report.md</c>, the plots beside it, and
/// <c>results.json</c> with every measured cell). The run's set-up (command, seeds, budget, machine, wall time) is
/// written by the report itself, so it always states how its numbers were made.
/// </summary>
public sealed class ExperimentReport
{
    /// <summary>The report's file name inside the output folder.</summary>
    public const string FileName = "report.md";

    /// <summary>The measurements' file name inside the output folder.</summary>
    public const string ResultsFileName = "results.json";

    private readonly IExperiment experiment;
    private readonly ExperimentBudget budget;
    private readonly IReadOnlyList<long> seeds;
    private readonly string commandLine;
    private readonly Stopwatch wallTime = Stopwatch.StartNew();
    private readonly List<(string Key, string Text)> setUp = new();
    private readonly StringBuilder body = new();
    private readonly List<Measurement> measurements = new();
    private readonly List<string> images = new();
    private readonly List<string> divergences = new();
    private string? currentHeading;

    internal ExperimentReport(IExperiment experiment, string outputDirectory, ExperimentBudget budget, IReadOnlyList<long> seeds, string commandLine)
    {
        this.experiment = experiment;
        this.budget = budget;
        this.seeds = seeds;
        this.commandLine = commandLine;
        OutputDirectory = Path.GetFullPath(outputDirectory);
    }

    /// <summary>Where the report and its plots are written.</summary>
    public string OutputDirectory { get; }

    /// <summary>The plots written so far (file names inside <see cref="OutputDirectory"/>).</summary>
    public IReadOnlyList<string> Images => images;

    /// <summary>States one item of the set-up (<c>budget</c>, <c>data</c>, <c>recipe</c>); a second call with the same key replaces it.</summary>
    public void Uses(string key, string text)
    {
        setUp.RemoveAll(item => item.Key == key);
        setUp.Add((key, text));
    }

    /// <summary>Starts a section (<c>## heading</c>).</summary>
    public void Heading(string heading)
    {
        currentHeading = heading;
        body.Append("## ").Append(heading).Append("\n\n");
    }

    /// <summary>A paragraph of Markdown (numbers in it come from the caller's measurements).</summary>
    public void Paragraph(string markdown) => body.Append(markdown.Trim()).Append("\n\n");

    /// <summary>A bulleted list.</summary>
    public void Bullets(IEnumerable<string> items)
    {
        foreach (string item in items)
        {
            body.Append("- ").Append(item).Append('\n');
        }
        body.Append('\n');
    }

    /// <summary>A table: the first cell of each row names it; measured cells are kept for <c>results.json</c>.</summary>
    public void Table(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<ReportCell>> rows)
    {
        body.Append("| ").Append(string.Join(" | ", headers)).Append(" |\n");
        body.Append('|').Append(string.Concat(headers.Select(_ => "---|"))).Append('\n');
        foreach (var row in rows)
        {
            if (row.Count != headers.Count)
            {
                throw new ArgumentException($"a row of {row.Count} cells in a table of {headers.Count} columns");
            }

            body.Append("| ").Append(string.Join(" | ", row.Select(c => c.Text.Replace("|", "\\|")))).Append(" |\n");
            for (int i = 0; i < row.Count; i++)
            {
                if (row[i].Values is { } values)
                {
                    measurements.Add(new Measurement(currentHeading ?? "", row[0].Text, headers[i], row[i].Text, values.ToArray()));
                }
            }
        }
        body.Append('\n');
    }

    /// <summary>Writes a PNG beside the report and shows it.</summary>
    public void Image(string fileName, string caption, byte[] png)
    {
        if (fileName.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || !fileName.EndsWith(".png", StringComparison.Ordinal))
        {
            throw new ArgumentException($"'{fileName}' is not a plain .png file name", nameof(fileName));
        }

        Directory.CreateDirectory(OutputDirectory);
        AtomicFile.Write(Path.Combine(OutputDirectory, fileName), stream => stream.Write(png));
        images.Add(fileName);
        body.Append("![").Append(caption).Append("](").Append(fileName).Append(")\n\n");
    }

    /// <summary>Records a run that diverged; the report lists them in a section of their own, so no table hides one.</summary>
    public void Diverged(string description) => divergences.Add(description);

    /// <summary>Draws <paramref name="chart"/> into a PNG beside the report and shows it.</summary>
    public void Chart(string fileName, string caption, LineChart chart) => Image(fileName, caption, Reporting.Plots.ChartRenderer.Render(chart));

    /// <summary>Draws <paramref name="grid"/> into a PNG beside the report and shows it.</summary>
    public void Grid(string fileName, string caption, ImageGrid grid) => Image(fileName, caption, Reporting.Plots.ChartRenderer.Render(grid));

    /// <summary>Writes <c>report.md</c> and <c>results.json</c> (each atomically) and returns the report's path.</summary>
    public string Save()
    {
        Directory.CreateDirectory(OutputDirectory);
        double seconds = wallTime.Elapsed.TotalSeconds;
        var machine = MachineDescription.Current();
        var text = new StringBuilder();
        text.Append("# ").Append(experiment.Title).Append("\n\n");
        text.Append("Written by `").Append(commandLine).Append("`; regenerate it with the same command. ")
            .Append("Nothing here is edited by hand.\n\n");
        text.Append("| Run | |\n|---|---|\n");
        text.Append("| command | `").Append(commandLine).Append("` |\n");
        text.Append("| budget | ").Append(BudgetText()).Append(" |\n");
        text.Append("| seeds | ").Append(string.Join(", ", seeds)).Append(" |\n");
        foreach (var (key, value) in setUp)
        {
            text.Append("| ").Append(key).Append(" | ").Append(value).Append(" |\n");
        }
        text.Append("| machine | ").Append(machine).Append(" |\n");
        text.Append("| date | ").Append(DateTime.UtcNow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)).Append(" |\n");
        double cpuSeconds = Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;
        text.Append("| wall time | ").Append(Duration(seconds)).Append(" |\n");
        text.Append("| CPU time | ").Append(Duration(cpuSeconds)).Append(" of the process, all threads (")
            .Append((cpuSeconds / Math.Max(1, seconds)).ToString("F2", CultureInfo.InvariantCulture))
            .Append(" cores busy on average: less than the threads it used means it shared the cores with other work) |\n\n");
        text.Append(body);
        if (divergences.Count > 0)
        {
            text.Append("## Runs that diverged\n\n");
            foreach (string divergence in divergences)
            {
                text.Append("- ").Append(divergence).Append('\n');
            }
            text.Append('\n');
        }

        string path = Path.Combine(OutputDirectory, FileName);
        AtomicFile.Write(path, stream => stream.Write(Encoding.UTF8.GetBytes(text.ToString().TrimEnd() + "\n")));

        var results = new
        {
            experiment = experiment.Name,
            command = commandLine,
            budget = budget.ToString().ToLowerInvariant(),
            seeds,
            machine,
            wallSeconds = Math.Round(seconds, 1),
            cpuSeconds = Math.Round(Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds, 1),
            measurements,
            diverged = divergences,
        };
        AtomicFile.Write(Path.Combine(OutputDirectory, ResultsFileName),
            stream => JsonSerializer.Serialize(stream, results, new JsonSerializerOptions { WriteIndented = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals }));
        return path;
    }

    /// <summary><c>12 min 5 s</c>, <c>1 h 3 min</c>, <c>42 s</c>.</summary>
    public static string Duration(double seconds)
    {
        var span = TimeSpan.FromSeconds(Math.Round(seconds));
        return span.TotalHours >= 1 ? $"{(int)span.TotalHours} h {span.Minutes} min"
            : span.TotalMinutes >= 1 ? $"{span.Minutes} min {span.Seconds} s"
            : $"{span.Seconds} s";
    }

    private string BudgetText() => budget switch
    {
        ExperimentBudget.Smoke => "smoke (`--smoke`: a few steps to check the pipeline; the numbers mean nothing)",
        ExperimentBudget.Full => "full (`--full`)",
        _ => "default (within 30 minutes on 2 CPU cores; `--full` for the full-size run)",
    };

    /// <summary>One measured table cell: where it is, what it shows, and the values behind it.</summary>
    private sealed record Measurement(string Section, string Row, string Column, string Text, double[] Values);
}
