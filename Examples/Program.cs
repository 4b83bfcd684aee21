using System;
using System.Diagnostics;
using System.Linq;
using Dsl.Examples;
using static TorchSharp.torch;

// The example tool. Training (`train`, `evaluate`) arrives with the runtime trainer; until then `check` builds every
// example network and runs one forward and backward pass on a random batch.
const string Usage = "usage: Dsl.Examples list | summary <Model> | check [<Model>]";

try
{
    return args switch
    {
        ["list"] => List(),
        ["summary", var name] => Summary(name),
        ["check"] => Check(ModelZoo.All.Select(m => m.Name).ToArray()),
        ["check", var name] => Check(name),
        [] => Check(ModelZoo.All.Select(m => m.Name).ToArray()),
        _ => Fail(Usage),
    };
}
catch (UnknownModelException e)
{
    return Fail(e.Message);
}

static int List()
{
    var width = ModelZoo.All.Max(m => m.Name.Length);
    foreach (var model in ModelZoo.All)
    {
        Console.WriteLine($"{model.Name.PadRight(width)}  {model.ParameterCount,10:N0} parameters  {model.Description}");
    }

    return 0;
}

static int Summary(string name)
{
    Console.WriteLine(Find(name).Summary);
    return 0;
}

static int Check(params string[] names)
{
    foreach (var model in names.Select(Find))
    {
        using var scope = NewDisposeScope();
        var watch = Stopwatch.StartNew();
        using var net = model.Create();
        var input = model.SampleInput(8);
        var output = net.call(input);
        output.square().mean().backward();
        var learned = net.parameters().Sum(p => p.numel());
        Console.WriteLine($"{model.Name}: input [{string.Join(", ", input.shape)}] -> output [{string.Join(", ", output.shape)}], " +
            $"{learned:N0} parameters (compile time: {model.ParameterCount:N0}), forward + backward in {watch.ElapsedMilliseconds} ms");
        if (learned != model.ParameterCount)
        {
            return Fail($"{model.Name}: the compile-time parameter count {model.ParameterCount} differs from the module's {learned}");
        }
    }

    return 0;
}

static ExampleModel Find(string name) =>
    ModelZoo.Find(name) ?? throw new UnknownModelException(
        $"unknown model '{name}'; the examples are: {string.Join(", ", ModelZoo.All.Select(m => m.Name))}");

static int Fail(string message)
{
    Console.Error.WriteLine("error: " + message);
    return 2;
}

/// <summary>A model name that is not an example: reported as one line, not a stack trace.</summary>
internal sealed class UnknownModelException(string message) : Exception(message);
