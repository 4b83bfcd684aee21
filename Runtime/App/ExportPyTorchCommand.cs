using System;
using System.ComponentModel;
using System.IO;
using System.Threading;
using Dsl.Runtime.Checkpoints;
using Dsl.Runtime.Data;
using Dsl.Runtime.Interop;
using Dsl.Runtime.Training;
using Spectre.Console;
using Spectre.Console.Cli;
using static TorchSharp.torch;

namespace Dsl.Runtime.App;

/// <summary>
/// <c>export pytorch &lt;Model&gt; --out DIR [--checkpoint FILE]</c>: the model's generated PyTorch source as
/// <c>model.py</c>, and its weights (a checkpoint's, else fresh seeded ones) as <c>model.pth</c> (a state_dict for
/// <c>torch.load</c>) and <c>model.safetensors</c> (with the checkpoint's input normalisation in its metadata, as
/// <c>train</c> writes it). For a Fashion-MNIST classifier also <c>train_ddp.py</c> (a torchrun script with the C# recipe's
/// defaults, see <see cref="DdpScript"/>) and the embedded subset's four IDX files in <c>data/</c>.
/// </summary>
internal sealed class ExportPyTorchCommand : Command<ExportPyTorchCommand.Settings>
{
    internal sealed class Settings : ModelSettings
    {
        [CommandOption("--out <DIR>"), Description("The folder to write model.py, model.pth and model.safetensors to (created if missing)")]
        public string? Out { get; init; }

        [CommandOption("--checkpoint <FILE>"), Description("A .ckpt checkpoint, or .safetensors / .pth weights [[fresh weights from --seed]]")]
        public string? Checkpoint { get; init; }

        [CommandOption("--seed <S>"), Description("Seed of the fresh weights when there is no --checkpoint [[42]]")]
        public string? Seed { get; init; }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var app = AppContext.Of(context);
        var entry = app.Find(settings.Model, "export pytorch");
        var dir = settings.Out ?? throw new UsageException("export pytorch needs --out DIR (the folder for model.py and the weights)");
        var seed = Usage.Long(settings.Seed, "seed") ?? 42;
        if (File.Exists(dir))
        {
            throw new UsageException($"--out {Path.GetFullPath(dir)} is a file; give a folder");
        }

        if (settings.Checkpoint is { } file && !File.Exists(file))
        {
            throw new FileNotFoundException($"checkpoint {Path.GetFullPath(file)} does not exist", file);
        }

        // Before anything is written: a checkpoint that does not fit the model leaves no half-written folder.
        manual_seed(seed);
        using var model = ModelFacts.Create(entry);
        var normalization = settings.Checkpoint is { } checkpoint
            ? Evaluator.FromFile(model, checkpoint, device: CPU).Normalization
            : null;

        Directory.CreateDirectory(dir);
        var source = Path.Combine(dir, "model.py");
        File.WriteAllText(source, entry.PyTorchSource.EndsWith('\n') ? entry.PyTorchSource : entry.PyTorchSource + "\n");
        Weights.Save(model, Path.Combine(dir, "model.pth"));
        Weights.Save(model, Path.Combine(dir, "model.safetensors"), normalization);
        var ddp = "";
        if (TrainingData.ClassifiesFashionMnist(entry))
        {
            // The DDP script with the C# recipe's defaults, and the embedded subset so that it runs without .NET.
            File.WriteAllText(Path.Combine(dir, "train_ddp.py"), DdpScript.For(entry.Name, TrainCommand.DefaultOptions,
                TrainingData.FashionMnistStatistics, TrainingData.FashionMnistAugmentation, Weights.NormalizationMetadataKey));
            FashionMnist.WriteEmbedded(Path.Combine(dir, "data"));
            ddp = ", train_ddp.py (torchrun) and the embedded Fashion-MNIST subset in data/";
        }

        app.Console.WriteLine($"{entry.Name}: wrote model.py, model.pth and model.safetensors{ddp} to {Path.GetFullPath(dir)} " +
            $"({(settings.Checkpoint is null ? $"fresh weights, seed {seed}" : "weights of " + Path.GetFullPath(settings.Checkpoint))}); " +
            $"in Python: from model import {entry.Name}; m = {entry.Name}(); m.load_state_dict(torch.load(\"model.pth\"))");
        return 0;
    }
}
