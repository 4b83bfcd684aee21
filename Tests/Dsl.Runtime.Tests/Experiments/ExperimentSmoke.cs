using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Text.RegularExpressions;
using Dsl.Runtime.Experiments;
using Spectre.Console;
using Xunit;

namespace Dsl.Runtime.Tests.Experiments;

/// <summary>
/// Runs an experiment through the real command (<c>experiment NAME --smoke --out DIR</c>) and checks what every report
/// must hold: the set-up table, the expected sections, PNG plots that exist, and no number in a results table that is
/// not a measurement of the run (each numeric cell must be one of the measured cells of <c>results.json</c>).
/// </summary>
internal sealed class ExperimentSmoke
{
    private static readonly Regex Digit = new("[0-9]", RegexOptions.CultureInvariant);

    private ExperimentSmoke(string directory, string report, JsonDocument results, string output)
    {
        Directory = directory;
        Report = report;
        Results = results;
        Output = output;
    }

    public string Directory { get; }

    public string Report { get; }

    public JsonDocument Results { get; }

    public string Output { get; }

    /// <summary>The measured cells' texts, as results.json holds them.</summary>
    public IReadOnlyList<string> MeasuredTexts => Results.RootElement.GetProperty("measurements").EnumerateArray()
        .Select(m => m.GetProperty("Text").GetString()!).ToList();

    public static ExperimentSmoke Run(IExperiment experiment, string directory, params string[] extra)
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
        string[] args = new[] { "experiment", experiment.Name, "--smoke", "--out", directory }.Concat(extra).ToArray();
        int code = DslApp.Run(args, Examples.Catalogue, console, error, default, new[] { experiment });
        Assert.True(code == 0, $"experiment {experiment.Name} exited {code}: {error}\n{output}");
        string report = File.ReadAllText(Path.Combine(directory, ExperimentReport.FileName));
        var results = JsonDocument.Parse(File.ReadAllText(Path.Combine(directory, ExperimentReport.ResultsFileName)));
        return new ExperimentSmoke(directory, report, results, output.ToString());
    }

    /// <summary>The title, the set-up rows, each of <paramref name="headings"/> as a section, and every referenced plot as a real PNG.</summary>
    public void AssertShape(string title, params string[] headings)
    {
        Assert.StartsWith("# " + title + "\n", Report);
        foreach (string row in new[] { "| command | `", "| seeds | ", "| machine | ", "| wall time | ", "| budget | smoke" })
        {
            Assert.Contains(row, Report);
        }
        foreach (string heading in headings)
        {
            Assert.Contains("\n## " + heading + "\n", Report);
        }

        var images = Regex.Matches(Report, @"!\[[^\]]*\]\(([^)]+\.png)\)").Select(m => m.Groups[1].Value).ToList();
        Assert.NotEmpty(images);
        foreach (string image in images)
        {
            byte[] bytes = File.ReadAllBytes(Path.Combine(Directory, image));
            Assert.True(bytes.Length > 2_000, $"{image} is only {bytes.Length} bytes");
            Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, bytes[..4]);
        }
    }

    /// <summary>
    /// Every cell of every results table (all tables after the set-up table) that holds a digit, apart from the row's
    /// name in the first column, is a measured cell of results.json: no number in a table is typed into the code.
    /// </summary>
    public void AssertNumbersAreMeasured()
    {
        var measured = MeasuredTexts.ToHashSet(StringComparer.Ordinal);
        Assert.NotEmpty(measured);
        int tables = 0, checkedCells = 0;
        bool inTable = false, first = true;
        foreach (string line in Report.Split('\n'))
        {
            if (!line.StartsWith('|'))
            {
                if (inTable)
                {
                    first = false;
                }
                inTable = false;
                continue;
            }
            if (!inTable)
            {
                inTable = true;
                tables++;
                continue;
            }
            if (first || line.StartsWith("|---", StringComparison.Ordinal))
            {
                continue;
            }

            string[] cells = line.Trim().Trim('|').Split(" | ").Select(c => c.Trim().Replace("\\|", "|")).ToArray();
            foreach (string cell in cells.Skip(1).Where(c => Digit.IsMatch(c)))
            {
                checkedCells++;
                Assert.True(measured.Contains(cell), $"the table cell '{cell}' in '{line}' is not a measurement in results.json");
            }
        }

        Assert.True(tables >= 2, "the report has no results table");
        Assert.True(checkedCells > 0, "no numeric cell was checked");
    }
}
