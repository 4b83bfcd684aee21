using System.Diagnostics;
using System.Linq;
using Spectre.Console;
using static TorchSharp.torch;

namespace Dsl.Examples.Cli;

/// <summary><c>check</c>: builds each example and runs one forward and backward pass; the parameter count must equal the compile-time one.</summary>
internal static class CheckCommand
{
    public static int Run(IAnsiConsole console, params string[] names)
    {
        foreach (var model in names.Select(Cli.Find))
        {
            using var scope = NewDisposeScope();
            var watch = Stopwatch.StartNew();
            using var net = model.Create();
            var input = model.SampleInput(8);
            var output = net.call(input);
            output.square().mean().backward();
            var learned = net.parameters().Sum(p => p.numel());
            console.WriteLine($"{model.Name}: input [{string.Join(", ", input.shape)}] -> output [{string.Join(", ", output.shape)}], " +
                $"{learned:N0} parameters (compile time: {model.ParameterCount:N0}), forward + backward in {watch.ElapsedMilliseconds} ms");
            if (learned != model.ParameterCount)
            {
                throw new System.InvalidOperationException(
                    $"{model.Name}: the compile-time parameter count {model.ParameterCount} differs from the module's {learned}");
            }
        }

        return 0;
    }
}
