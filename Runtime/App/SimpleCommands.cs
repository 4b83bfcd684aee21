using System;
using System.ComponentModel;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using Spectre.Console;
using Spectre.Console.Cli;
using static TorchSharp.torch;

namespace Dsl.Runtime.App;

/// <summary><c>list</c>: the models, with parameter counts and descriptions.</summary>
internal sealed class ListCommand : Command
{
    public override int Execute(CommandContext context, CancellationToken cancellationToken)
    {
        var app = AppContext.Of(context);
        var width = app.Models.Count == 0 ? 0 : app.Models.Max(m => m.Name.Length);
        foreach (var model in app.Models)
        {
            app.Console.WriteLine($"{model.Name.PadRight(width)}  {model.ParameterCount,10:N0} parameters  " +
                $"{ModelFacts.Shape(model.InputShape)} -> {ModelFacts.Shape(model.OutputShape)}{(model.TakesTokenIds ? " (token ids)" : "")}  {model.Description}");
        }

        return 0;
    }
}

/// <summary>Settings of the commands that take one model name.</summary>
internal class ModelSettings : CommandSettings
{
    [CommandArgument(0, "[Model]")]
    [Description("The model's class name (see list)")]
    public string? Model { get; init; }
}

/// <summary><c>summary &lt;Model&gt;</c>: the compile-time table.</summary>
internal sealed class SummaryCommand : Command<SummaryCommand.Settings>
{
    internal sealed class Settings : ModelSettings
    {
        [CommandOption("--expanded")]
        [Description("Every layer of every repeated block, instead of one row per repetition")]
        public bool Expanded { get; init; }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var app = AppContext.Of(context);
        var entry = app.Find(settings.Model, "summary");
        app.Console.WriteLine(settings.Expanded && entry.SummaryExpanded.Length > 0 ? entry.SummaryExpanded : entry.Summary);
        return 0;
    }
}

/// <summary><c>check [Model...]</c>: one forward and backward pass of each model; the parameter count must equal the compile-time one.</summary>
internal sealed class CheckCommand : Command<CheckCommand.Settings>
{
    internal sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "[Models]")]
        [Description("The models to check (default: all)")]
        public string[] Models { get; init; } = Array.Empty<string>();
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var app = AppContext.Of(context);
        var entries = settings.Models.Length == 0 ? app.Models.ToArray() : settings.Models.Select(n => app.Find(n, "check")).ToArray();
        foreach (var entry in entries)
        {
            using var scope = NewDisposeScope();
            var watch = Stopwatch.StartNew();
            using var net = ModelFacts.Create(entry);
            var input = ModelFacts.SampleInput(entry, net, 8);
            var output = net.call(input);
            output.square().mean().backward();
            var learned = net.parameters().Sum(p => p.numel());
            app.Console.WriteLine($"{entry.Name}: input [{string.Join(", ", input.shape)}] -> output [{string.Join(", ", output.shape)}], " +
                $"{learned:N0} parameters (compile time: {entry.ParameterCount:N0}), forward + backward in {watch.ElapsedMilliseconds} ms");
            if (learned != entry.ParameterCount)
            {
                throw new InvalidOperationException($"{entry.Name}: the compile-time parameter count {entry.ParameterCount} differs from the module's {learned}");
            }
        }

        return 0;
    }
}
