using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Threading;
using Dsl.Runtime.App;
using Dsl.Runtime.Checkpoints;
using Dsl.Runtime.Data;
using Dsl.Runtime.Memory;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Dsl.Runtime;

/// <summary>
/// The command-line tool over the models of an assembly: <c>list</c>, <c>summary</c>, <c>train</c>, <c>evaluate</c>,
/// <c>check</c>, <c>diagram</c>, <c>export pytorch</c>, <c>export onnx</c> and, when the program has experiments, <c>experiment</c>, with <c>help</c>. A program's whole <c>Main</c> is <c>return DslApp.Run(args);</c>:
/// the models come from the catalogue the generator puts in the calling assembly (<see cref="ModelCatalogAttribute"/>).
/// Exit codes: 0 done, 1 a bad file, device or data (one line naming it), 2 wrong arguments (one line), 130 interrupted.
/// Never a stack trace, unless <c>DSL_TRACE=1</c>.
/// </summary>
public static class DslApp
{
    /// <summary>Runs the tool over the calling assembly's models (else the entry assembly's), with Ctrl-C/SIGTERM
    /// handling (checkpoint and stop; a second Ctrl-C kills) and glibc's malloc thresholds fixed for training speed
    /// (<c>DSL_MALLOC_TUNING=0</c> keeps glibc's defaults). Returns the exit code.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static int Run(string[] args)
    {
        var caller = Assembly.GetCallingAssembly();
        var entries = CatalogOf(caller) ?? (Assembly.GetEntryAssembly() is { } entry ? CatalogOf(entry) : null);
        if (entries is null)
        {
            Console.Error.WriteLine($"error: {caller.GetName().Name} has no model catalogue: it needs a [Model] class and the Dsl generator as an analyzer");
            return 1;
        }

        return Run(args, entries, ExperimentCommand.Discover(caller));
    }

    /// <summary>Runs the tool over <paramref name="models"/> (and <paramref name="experiments"/>, for <c>experiment</c>), with the process-level set-up of <see cref="Run(string[])"/>.</summary>
    public static int Run(string[] args, IReadOnlyList<ModelCatalogEntry> models, IReadOnlyList<Experiments.IExperiment>? experiments = null)
    {
        ArgumentNullException.ThrowIfNull(models);
        using var cancellation = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            if (!cancellation.IsCancellationRequested)
            {
                e.Cancel = true;
                cancellation.Cancel();
                Console.Error.WriteLine("stopping after this step and writing a checkpoint (Ctrl-C again to kill)");
            }
        };
        Console.CancelKeyPress += onCancel;

        // SIGTERM (a scheduler stopping the job) is treated like Ctrl-C, so the run's position is not lost.
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            cancellation.Cancel();
        });

        // Fixed malloc thresholds make training about 8 % faster on Linux (GlibcAllocator).
        if (Environment.GetEnvironmentVariable("DSL_MALLOC_TUNING") != "0")
        {
            GlibcAllocator.UseFixedThresholds();
        }

        // Redirected output (logs, CI) gets whole lines instead of lines wrapped at 80 columns.
        if (Console.IsOutputRedirected)
        {
            AnsiConsole.Profile.Width = 4096;
        }

        try
        {
            return Run(args, models, AnsiConsole.Console, Console.Error, cancellation.Token, experiments);
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }

    /// <summary>Runs one command over <paramref name="models"/>, writing to <paramref name="console"/> and one-line errors to <paramref name="error"/>; for tests and hosts.</summary>
    public static int Run(string[] args, IReadOnlyList<ModelCatalogEntry> models, IAnsiConsole console, TextWriter error,
        CancellationToken cancellation = default, IReadOnlyList<Experiments.IExperiment>? experiments = null)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(models);
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(error);
        var context = new Dsl.Runtime.App.AppContext(models, console, experiments);

        // `help train` is `train --help`; Spectre.Console.Cli writes the usage from the commands' settings.
        if (args is ["help", .. var rest])
        {
            args = rest.Append("--help").ToArray();
        }

        var app = new CommandApp();
        app.Configure(config =>
        {
            config.SetApplicationName(AppDomain.CurrentDomain.FriendlyName);
            config.ConfigureConsole(console);
            config.PropagateExceptions();
            config.Settings.StrictParsing = true;
            config.AddCommand<ListCommand>("list").WithData(context).WithDescription("the models, with parameter counts and descriptions");
            config.AddCommand<SummaryCommand>("summary").WithData(context).WithDescription("a model's compile-time summary table");
            config.AddCommand<TrainCommand>("train").WithData(context)
                .WithDescription("train a model: Fashion-MNIST for image models, synthetic or given data for the others; writes everything to --out")
                .WithExample("train", "ResNet20", "--data", "embedded");
            config.AddCommand<EvaluateCommand>("evaluate").WithData(context).WithDescription("test loss and metrics of a checkpoint or weights file");
            config.AddCommand<CheckCommand>("check").WithData(context).WithDescription("build each model and run one forward and backward pass");
            config.AddCommand<DiagramCommand>("diagram").WithData(context).WithDescription("write a model's diagram: Graphviz .dot, or .svg / .png through Graphviz's dot");
            if (context.Experiments.Count > 0)
            {
                config.AddCommand<ExperimentCommand>("experiment").WithData(context)
                    .WithDescription($"run an experiment and write its report with plots: {string.Join(", ", context.Experiments.Select(e => e.Name))}")
                    .WithExample("experiment", context.Experiments[0].Name, "--out", "report");
            }
            config.AddBranch("export", export =>
            {
                export.SetDescription("write a model for another framework or runtime");
                export.AddCommand<ExportPyTorchCommand>("pytorch").WithData(context)
                    .WithDescription("the model as PyTorch source (model.py) with its weights (model.pth, model.safetensors), fresh or from --checkpoint")
                    .WithExample("export", "pytorch", "ResNet20", "--out", "exported");
                export.AddCommand<ExportOnnxCommand>("onnx").WithData(context).WithDescription("an ONNX file (opset 17, evaluation mode) of a model and its weights")
                    .WithExample("export", "onnx", "ResNet20", "--out", "resnet20.onnx");
            });
        });

        try
        {
            if (args.Length == 0)
            {
                throw new UsageException("no command given; run 'help' for the commands");
            }

            if (!args[0].StartsWith('-') && !KnownCommands.Contains(args[0]))
            {
                throw new UsageException($"unknown command '{args[0]}'; the commands are {string.Join(", ", KnownCommands)}");
            }

            Usage.CheckOptionValues(args, SettingsOf(args[0], args.Length > 1 ? args[1] : null));
            return app.Run(args, cancellation);
        }
        catch (UsageException e)
        {
            return Fail(error, e.Message);
        }
        catch (CommandParseException e)
        {
            return Fail(error, Usage.Rephrase(e));
        }
        catch (CommandRuntimeException e)
        {
            return Fail(error, Usage.Rephrase(e));
        }
        catch (Exception e) when (e is DataFileException or CheckpointCorruptException or WeightsMismatchException
                                     or FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException
                                     or ArgumentException or InvalidOperationException or IOException)
        {
            return Fail(error, e.Message, code: 1);
        }
        catch (Exception e) when (Environment.GetEnvironmentVariable("DSL_TRACE") != "1")
        {
            // Unexpected (a native libtorch error, out of memory, a bug): still one line; DSL_TRACE=1 shows the stack trace.
            return Fail(error, $"{e.GetType().Name}: {e.Message} (set DSL_TRACE=1 for the stack trace)", code: 1);
        }
    }

    /// <summary>The models listed by the catalogue of <paramref name="assembly"/>, or null when it has none.</summary>
    public static IReadOnlyList<ModelCatalogEntry>? CatalogOf(Assembly assembly)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        var attribute = assembly.GetCustomAttribute<ModelCatalogAttribute>();
        if (attribute is null)
        {
            return null;
        }

        var member = (MemberInfo?)attribute.Catalog.GetProperty("Models", BindingFlags.Public | BindingFlags.Static)
            ?? attribute.Catalog.GetField("Models", BindingFlags.Public | BindingFlags.Static);
        var value = member switch
        {
            PropertyInfo p => p.GetValue(null),
            FieldInfo f => f.GetValue(null),
            _ => null,
        };
        return value as IReadOnlyList<ModelCatalogEntry>
            ?? throw new InvalidOperationException($"{attribute.Catalog.FullName} has no public static ModelCatalogEntry[] Models");
    }

    private static Type? SettingsOf(string command, string? subcommand) => command switch
    {
        "export" => ExportSettingsOf(subcommand),
        "summary" => typeof(SummaryCommand.Settings),
        "train" => typeof(TrainCommand.Settings),
        "evaluate" => typeof(EvaluateCommand.Settings),
        "diagram" => typeof(DiagramCommand.Settings),
        "experiment" => typeof(ExperimentCommand.Settings),
        _ => null,
    };

    // One line per export target.
    private static Type? ExportSettingsOf(string? target) => target switch
    {
        "pytorch" => typeof(ExportPyTorchCommand.Settings),
        "onnx" => typeof(ExportOnnxCommand.Settings),
        _ => null,
    };

    private static readonly string[] KnownCommands = { "list", "summary", "train", "evaluate", "check", "diagram", "export", "experiment", "help" };

    // Always exactly one line, so scripts and logs get the whole story from `head -1`.
    private static int Fail(TextWriter error, string message, int code = 2)
    {
        error.WriteLine("error: " + message.ReplaceLineEndings(" "));
        return code;
    }
}
