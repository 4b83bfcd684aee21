using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using Dsl.Runtime.Checkpoints;
using Dsl.Runtime.Data;
using Dsl.Runtime.Devices;
using Dsl.Runtime.Training;
using Spectre.Console;

namespace Dsl.Examples.Cli;

/// <summary><c>evaluate &lt;Model&gt; --checkpoint FILE</c>: test loss and accuracy of saved weights.</summary>
internal static class EvaluateCommand
{
    public const string Usage = "evaluate <Model> --checkpoint FILE [--data DIR|embedded] [--device D] [--batch-size B]";

    public static int Run(IReadOnlyList<string> args, IAnsiConsole console)
    {
        var arguments = new Arguments(args, Array.Empty<string>());
        if (arguments.Positional.Count < 1)
        {
            throw new UsageException("evaluate needs a model name");
        }

        var example = Cli.FindClassifier(arguments.Positional[0]);
        var file = arguments.Text("checkpoint") ?? throw new UsageException("evaluate needs --checkpoint FILE (a .ckpt checkpoint, or .safetensors / .pth weights)");
        var dataDirectory = arguments.Text("data");
        var device = DeviceChoice.Resolve(arguments.Text("device"));
        var batchSize = arguments.Int("batch-size", 1) ?? 256;
        arguments.EnsureAllUsed(1);
        if (!File.Exists(file))
        {
            throw new FileNotFoundException($"checkpoint {Path.GetFullPath(file)} does not exist", file);
        }

        using var data = Cli.LoadData(dataDirectory);
        using var model = example.Create();
        using var trainer = new Trainer(model, new TrainerOptions { BatchSize = batchSize, GradientLogEvery = 0 }, device, modelName: example.Name);
        if (string.Equals(Path.GetExtension(file), ".ckpt", StringComparison.OrdinalIgnoreCase))
        {
            trainer.LoadCheckpoint(file); // weights and the training run's normalisation
        }
        else
        {
            // Plain weight files carry no normalisation: `train` uses the fixed Fashion-MNIST statistics, so they are known.
            Weights.Load(model, file);
            trainer.UseNormalization(TrainCommand.FashionMnistStatistics);
        }

        var result = trainer.Evaluate(data.Test);
        console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{example.Name}: test accuracy {result.Accuracy:P2} (loss {result.Loss:F4}) on {result.Count:N0} test images from {data.Source}; weights {Path.GetFullPath(file)}"));
        return 0;
    }
}
