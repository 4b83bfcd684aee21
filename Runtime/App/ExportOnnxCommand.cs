using System;
using System.ComponentModel;
using System.IO;
using System.Threading;
using Dsl.Runtime.Interop;
using Dsl.Runtime.Training;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Dsl.Runtime.App;

/// <summary>
/// <c>export onnx &lt;Model&gt; --out FILE [--checkpoint FILE]</c>: the model as an ONNX file (opset 17, evaluation
/// mode), from the generator's graph and the weights of the checkpoint (fresh ones without it). Named dimensions
/// become symbolic dimensions.
/// </summary>
internal sealed class ExportOnnxCommand : Command<ExportOnnxCommand.Settings>
{
    internal sealed class Settings : ModelSettings
    {
        [CommandOption("--out <FILE>")]
        [Description("The .onnx file to write")]
        public string? Out { get; init; }

        [CommandOption("--checkpoint <FILE>")]
        [Description("A .ckpt checkpoint, or .safetensors / .pth weights [[default: freshly initialised weights]]")]
        public string? Checkpoint { get; init; }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var app = AppContext.Of(context);
        var entry = app.Find(settings.Model, "export onnx");
        var path = settings.Out ?? throw new UsageException("export onnx needs --out FILE (the .onnx file to write)");
        if (!string.Equals(Path.GetExtension(path), ".onnx", StringComparison.OrdinalIgnoreCase))
        {
            throw new UsageException($"--out {path}: the ONNX model is written as .onnx");
        }

        var graph = OnnxExport.GraphOf(entry);
        using var model = ModelFacts.Create(entry);
        if (settings.Checkpoint is { } checkpoint)
        {
            // Evaluator.FromFile loads a checkpoint's or weights file's state into the model (and checks it).
            Evaluator.FromFile(model, checkpoint);
        }

        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        OnnxExport.Write(graph, model, full);
        app.Console.WriteLine($"{entry.Name}: ONNX (opset {OnnxExport.Opset}) written to {full}{(settings.Checkpoint is null ? " (fresh weights: no --checkpoint)" : "")}");
        return 0;
    }
}
