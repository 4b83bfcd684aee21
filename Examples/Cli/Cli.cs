using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using Dsl.Runtime.Checkpoints;
using Dsl.Runtime.Data;
using Spectre.Console;

namespace Dsl.Examples.Cli;

/// <summary>
/// The example tool: <c>list</c>, <c>summary</c>, <c>train</c>, <c>evaluate</c> and <c>check</c>.
/// Bad input is one line on stderr and exit code 2; a bad file or device is one line and exit code 1; never a stack trace.
/// </summary>
public static class Cli
{
    /// <summary>The first lines of the help text.</summary>
    public static readonly string Usage = string.Join(Environment.NewLine,
        "usage: Dsl.Examples <command>",
        "  list                       the example models",
        "  summary <Model>            the compile-time summary table",
        "  " + TrainCommand.Usage,
        "  " + EvaluateCommand.Usage,
        "  check [<Model>]            build each model and run one forward and backward pass");

    /// <summary>Runs a command; returns the exit code (0 ok, 1 failed, 2 bad usage, 130 interrupted).</summary>
    public static int Run(string[] args, IAnsiConsole console, TextWriter error, CancellationToken cancellation = default)
    {
        try
        {
            return args switch
            {
                ["list", ..] => CheckNoMore(args, 1, () => ListCommand(console)),
                ["summary", var name] => Summary(console, name),
                ["summary", ..] => throw new UsageException("summary takes one model name"),
                ["train", .. var rest] => TrainCommand.Run(rest, console, cancellation),
                ["evaluate", .. var rest] => EvaluateCommand.Run(rest, console),
                ["check"] => CheckCommand.Run(console, ModelZoo.All.Select(m => m.Name).ToArray()),
                ["check", .. var names] => CheckCommand.Run(console, names),
                ["help" or "--help" or "-h"] => Help(console),
                [] => Fail(error, "no command given; run 'Dsl.Examples help' for the commands"),
                [var command, ..] => Fail(error, $"unknown command '{command}'; the commands are list, summary, train, evaluate, check and help"),
            };
        }
        catch (UsageException e)
        {
            return Fail(error, e.Message);
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

    /// <summary>An example that classifies 1×28×28 images into 10 classes (what Fashion-MNIST training needs).</summary>
    internal static ExampleModel FindClassifier(string name)
    {
        var example = Find(name);
        if (!IsFashionMnistClassifier(example))
        {
            var classifiers = ModelZoo.All.Where(IsFashionMnistClassifier);
            throw new UsageException(
                $"{example.Name} maps [{string.Join(", ", example.InputShape)}] to [{string.Join(", ", example.OutputShape)}], not 1×28×28 images to 10 classes; " +
                $"the Fashion-MNIST classifiers are: {string.Join(", ", classifiers.Select(m => m.Name))}");
        }

        return example;
    }

    private static bool IsFashionMnistClassifier(ExampleModel model) =>
        model.InputShape.SequenceEqual(new long[] { 1, 28, 28 }) && model.OutputShape.SequenceEqual(new long[] { 10 });

    /// <summary>The data for <c>--data</c>: a directory, <c>embedded</c> for the subset inside Dsl.Runtime, or (null) the first full copy found, else the subset.</summary>
    internal static DataSplit LoadData(string? spec) =>
        string.Equals(spec, "embedded", StringComparison.OrdinalIgnoreCase) ? FashionMnist.LoadEmbedded() : FashionMnist.Load(spec);

    internal static ExampleModel Find(string name) =>
        ModelZoo.Find(name) ?? throw new UsageException(
            $"unknown model '{name}'; the examples are: {string.Join(", ", ModelZoo.All.Select(m => m.Name))}");

    private static int ListCommand(IAnsiConsole console)
    {
        var width = ModelZoo.All.Max(m => m.Name.Length);
        foreach (var model in ModelZoo.All)
        {
            console.WriteLine($"{model.Name.PadRight(width)}  {model.ParameterCount,10:N0} parameters  {model.Description}");
        }

        return 0;
    }

    private static int Summary(IAnsiConsole console, string name)
    {
        console.WriteLine(Find(name).Summary);
        return 0;
    }

    private static int Help(IAnsiConsole console)
    {
        console.WriteLine(Usage);
        return 0;
    }

    private static int CheckNoMore(string[] args, int count, Func<int> run) =>
        args.Length > count ? throw new UsageException($"unexpected argument '{args[count]}'") : run();

    // Always exactly one line, so scripts and logs get the whole story from `head -1`.
    private static int Fail(TextWriter error, string message, int code = 2)
    {
        error.WriteLine("error: " + message.ReplaceLineEndings(" "));
        return code;
    }
}
