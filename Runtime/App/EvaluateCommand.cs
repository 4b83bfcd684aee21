using System;
using System.ComponentModel;
using System.Globalization;
using System.IO;
using System.Threading;
using Dsl.Runtime.Devices;
using Dsl.Runtime.Training;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Dsl.Runtime.App;

/// <summary><c>evaluate &lt;Model&gt; --checkpoint FILE</c>: the test loss and metrics of saved weights, without an optimizer.</summary>
internal sealed class EvaluateCommand : Command<EvaluateCommand.Settings>
{
    internal sealed class Settings : ModelSettings
    {
        [CommandOption("--checkpoint <FILE>"), Description("A .ckpt checkpoint, or .safetensors / .pth weights")]
        public string? Checkpoint { get; init; }

        [CommandOption("--task <TASK>"), Description("classification, regression or tokens [[the checkpoint's, else from the model's shapes]]")]
        public string? Task { get; init; }

        [CommandOption("--data <SOURCE>"), Description("As for train")]
        public string? Data { get; init; }

        [CommandOption("--device <DEVICE>"), Description("cpu, cuda or cuda:N [[CUDA when available]]")]
        public string? Device { get; init; }

        [CommandOption("--batch-size <B>"), Description("Examples per batch [[256]]")]
        public string? BatchSize { get; init; }

        [CommandOption("--window <L>"), Description("Signal models with a named length: values per input window [[64]]")]
        public string? Window { get; init; }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var app = AppContext.Of(context);
        var entry = app.Find(settings.Model, "evaluate");
        var file = settings.Checkpoint ?? throw new UsageException("evaluate needs --checkpoint FILE (a .ckpt checkpoint, or .safetensors / .pth weights)");
        var batchSize = Usage.Int(settings.BatchSize, "batch-size", 1) ?? 256;
        var window = Usage.Int(settings.Window, "window", 1);
        var device = DeviceChoice.Resolve(settings.Device);
        if (!File.Exists(file))
        {
            throw new FileNotFoundException($"checkpoint {Path.GetFullPath(file)} does not exist", file);
        }

        var task = Usage.Choice(settings.Task, "task", new System.Collections.Generic.Dictionary<string, TrainingTask>
        {
            ["classification"] = TrainingTask.Classification, ["regression"] = TrainingTask.Regression, ["tokens"] = TrainingTask.TokenClassification,
        }) ?? TrainingData.DefaultTask(entry);
        using var model = ModelFacts.Create(entry);
        using var data = TrainingData.Load(entry, model, task, settings.Data, 42, window, null);
        // Plain .pth files carry no normalisation: the data's standard one is what `train` used for Fashion-MNIST.
        var evaluator = Evaluator.FromFile(model, file, new TrainerOptions { BatchSize = batchSize, Task = task }, device, data.Normalization);
        var result = evaluator.Evaluate(data.Test);
        app.Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{entry.Name}: test {TrainCommand.Headline(evaluator.Options.Task, result)} on {result.Count:N0} test {data.Examples} from {data.Source}; weights {Path.GetFullPath(file)}"));
        return 0;
    }
}
