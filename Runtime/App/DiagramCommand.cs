using System;
using System.ComponentModel;
using System.Diagnostics;
using System.IO;
using System.Threading;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Dsl.Runtime.App;

/// <summary>
/// <c>diagram &lt;Model&gt; [--out FILE]</c>: the model's Graphviz graph as <c>.dot</c> (as it is), or rendered to
/// <c>.svg</c> / <c>.png</c> by Graphviz's <c>dot</c> when it is on the PATH (<c>DSL_DOT</c> names another program).
/// </summary>
internal sealed class DiagramCommand : Command<DiagramCommand.Settings>
{
    internal sealed class Settings : ModelSettings
    {
        [CommandOption("--out <FILE>")]
        [Description("Where to write: .dot, .svg or .png (default: <Model>.dot in the current folder)")]
        public string? Out { get; init; }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var app = AppContext.Of(context);
        var entry = app.Find(settings.Model, "diagram");
        var path = Path.GetFullPath(settings.Out ?? entry.Name + ".dot");
        var extension = Path.GetExtension(path).ToLowerInvariant();
        if (extension is not (".dot" or ".gv" or ".svg" or ".png"))
        {
            throw new UsageException($"--out {settings.Out}: the diagram is written as .dot, .svg or .png, not '{(extension.Length == 0 ? "no extension" : extension)}'");
        }

        if (entry.Diagram.Length == 0)
        {
            throw new InvalidOperationException($"{entry.Name} has no diagram in its catalogue entry");
        }

        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        if (extension is ".dot" or ".gv")
        {
            File.WriteAllText(path, entry.Diagram);
        }
        else
        {
            Render(entry.Diagram, extension[1..], path, Environment.GetEnvironmentVariable("DSL_DOT") is { Length: > 0 } dot ? dot : "dot");
        }

        app.Console.WriteLine($"{entry.Name}: diagram written to {path}");
        return 0;
    }

    // Pipes the DOT text into `dot -T<format> -o <path>`.
    internal static void Render(string dot, string format, string path, string program = "dot")
    {
        Process process;
        try
        {
            process = Process.Start(new ProcessStartInfo(program, new[] { "-T" + format, "-o", path })
            {
                RedirectStandardInput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            }) ?? throw new InvalidOperationException($"could not start {program}");
        }
        catch (System.ComponentModel.Win32Exception)
        {
            throw new InvalidOperationException(
                $"writing .{format} needs Graphviz's '{program}' program, which is not on the PATH: install it (Debian: sudo apt-get install graphviz) or write .dot");
        }

        using (process)
        {
            process.StandardInput.Write(dot);
            process.StandardInput.Close();
            var errors = process.StandardError.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"Graphviz's {program} failed with exit code {process.ExitCode}: {errors.Trim()}");
            }
        }
    }
}
