using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Threading;
using Dsl.Runtime.Experiments;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Dsl.Runtime.App;

/// <summary>
/// <c>experiment &lt;name&gt; [--out DIR] [--full] [--seeds N] [--smoke] [--threads N] [--data SOURCE]</c>: runs one of the program's
/// <see cref="IExperiment"/>s and writes its report (<c>report.md</c>, plots, <c>results.json</c>) to <c>--out</c>.
/// </summary>
internal sealed class ExperimentCommand : Command<ExperimentCommand.Settings>
{
    internal sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "[EXPERIMENT]")]
        [Description("The experiment's name (run without one to list them)")]
        public string? Name { get; init; }

        [CommandOption("--out <DIR>")]
        [Description("Where the report, its plots and results.json go (default: runs/experiments/<name>)")]
        public string? Out { get; init; }

        [CommandOption("--full")]
        [Description("The full-size run: full data sets and the papers' training lengths (hours on a CPU)")]
        public bool Full { get; init; }

        [CommandOption("--seeds <N>")]
        [Description("Repeat every measurement with seeds 1..N (default: the experiment's own number)")]
        public int? Seeds { get; init; }

        [CommandOption("--smoke")]
        [Description("A few steps on a few examples, to check the command end to end in seconds (the numbers mean nothing)")]
        public bool Smoke { get; init; }

        [CommandOption("--threads <N>")]
        [Description("CPU threads for libtorch (default: its own choice, one per core); the report states the number")]
        public int? Threads { get; init; }

        [CommandOption("--data <SOURCE>")]
        [Description("Fashion-MNIST: 'embedded' (the default, except with --full) or a folder of IDX files")]
        public string? Data { get; init; }

        public override ValidationResult Validate()
        {
            if (Threads is < 1 or > 1024)
            {
                return ValidationResult.Error($"--threads {Threads}: give 1 to 1024 threads");
            }

            if (Seeds is < 1 or > 100)
            {
                return ValidationResult.Error($"--seeds {Seeds}: give 1 to 100 seeds");
            }

            return Full && Smoke ? ValidationResult.Error("--full and --smoke contradict each other: give one") : ValidationResult.Success();
        }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var app = AppContext.Of(context);
        if (app.Experiments.Count == 0)
        {
            throw new UsageException("this program has no experiments");
        }

        if (settings.Name is null)
        {
            var table = new Table().AddColumns("experiment", "what it shows");
            foreach (var e in app.Experiments)
            {
                table.AddRow(Markup.Escape(e.Name), Markup.Escape(e.Description));
            }
            app.Console.Write(table);
            return 0;
        }

        var experiment = app.Experiments.FirstOrDefault(e => string.Equals(e.Name, settings.Name, StringComparison.OrdinalIgnoreCase))
            ?? throw new UsageException($"unknown experiment '{settings.Name}'; the experiments are: {string.Join(", ", app.Experiments.Select(e => e.Name))}");
        string output = Path.GetFullPath(settings.Out ?? Path.Combine("runs", "experiments", experiment.Name));
        RunOutputs.CheckWritable(output, 50_000_000);
        if (settings.Threads is { } threads)
        {
            TorchSharp.torch.set_num_threads(threads);
        }

        var budget = settings.Smoke ? ExperimentBudget.Smoke : settings.Full ? ExperimentBudget.Full : ExperimentBudget.Default;
        int seedCount = settings.Seeds ?? (budget == ExperimentBudget.Smoke ? 1 : experiment.DefaultSeeds);
        var seeds = Enumerable.Range(1, seedCount).Select(i => (long)i).ToArray();

        using var run = new ExperimentContext(experiment, output, budget, seeds, CommandLine(experiment, settings), app.Console,
            settings.Data, cancellationToken);
        app.Console.MarkupLine($"[bold]{Markup.Escape(experiment.Name)}[/]: {Markup.Escape(experiment.Title)} ({budget.ToString().ToLowerInvariant()} budget, seeds {string.Join(", ", seeds)}; report in {Markup.Escape(output)})");
        try
        {
            experiment.Run(run);
        }
        catch (OperationCanceledException)
        {
            app.Console.WriteLine($"{experiment.Name}: interrupted; no report written");
            return 130;
        }

        string report = run.Report.Save();
        app.Console.WriteLine($"{experiment.Name}: report written to {report} ({run.Report.Images.Count} plot(s))");
        return 0;
    }

    /// <summary>The command that reproduces the run, as a user types it in this repository (or for another program, by its name).</summary>
    private static string CommandLine(IExperiment experiment, Settings settings)
    {
        var words = new List<string> { "experiment", experiment.Name };
        if (settings.Out is not null)
        {
            words.AddRange(new[] { "--out", settings.Out });
        }
        if (settings.Full)
        {
            words.Add("--full");
        }
        if (settings.Smoke)
        {
            words.Add("--smoke");
        }
        if (settings.Seeds is { } n)
        {
            words.AddRange(new[] { "--seeds", n.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        }
        if (settings.Threads is { } t)
        {
            words.AddRange(new[] { "--threads", t.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        }
        if (settings.Data is not null)
        {
            words.AddRange(new[] { "--data", settings.Data });
        }

        string program = Assembly.GetEntryAssembly()?.GetName().Name switch
        {
            "Dsl.Examples" => "dotnet run --project Examples -c Release --",
            { } name => name,
            null => "dsl",
        };
        return program + " " + string.Join(' ', words);
    }

    /// <summary>The public, non-abstract <see cref="IExperiment"/> classes with parameterless constructors in <paramref name="assembly"/>, by name.</summary>
    public static IReadOnlyList<IExperiment> Discover(Assembly assembly) => assembly.GetExportedTypes()
        .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IExperiment).IsAssignableFrom(t) && t.GetConstructor(Type.EmptyTypes) is not null)
        .Select(t => (IExperiment)Activator.CreateInstance(t)!)
        .OrderBy(e => e.Name, StringComparer.Ordinal)
        .ToList();
}
