using System;
using System.Collections.Generic;
using System.Linq;
using Spectre.Console;
using Spectre.Console.Cli;
using TorchSharp;
using static TorchSharp.torch;

namespace Dsl.Runtime.App;

/// <summary>Bad command-line input: reported as one line, exit code 2.</summary>
public sealed class UsageException(string message) : Exception(message);

/// <summary>What every command shares: the models and the console.</summary>
internal sealed class AppContext(IReadOnlyList<ModelCatalogEntry> models, IAnsiConsole console, IReadOnlyList<Experiments.IExperiment>? experiments = null)
{
    public IReadOnlyList<ModelCatalogEntry> Models { get; } = models;

    /// <summary>The program's experiments (<c>experiment</c>), none when it has none.</summary>
    public IReadOnlyList<Experiments.IExperiment> Experiments { get; } = experiments ?? Array.Empty<Experiments.IExperiment>();

    public IAnsiConsole Console { get; } = console;

    public static AppContext Of(CommandContext context) =>
        context.Data as AppContext ?? throw new InvalidOperationException("the command was registered without its context");

    /// <summary>The model of that name (case-insensitive); a usage error listing the models otherwise.</summary>
    public ModelCatalogEntry Find(string? name, string command)
    {
        if (string.IsNullOrEmpty(name))
        {
            throw new UsageException($"{command} needs a model name");
        }

        return Models.FirstOrDefault(m => string.Equals(m.Name, name, StringComparison.OrdinalIgnoreCase))
            ?? throw new UsageException($"unknown model '{name}'; the models are: {string.Join(", ", Models.Select(m => m.Name))}");
    }
}

/// <summary>What the tool needs to know of a catalogued model beyond the catalogue: a concrete input shape and its vocabulary.</summary>
internal static class ModelFacts
{
    private static readonly long[] Candidates = { 32, 28, 64, 16, 96, 48, 128, 8, 40, 24, 4, 256 };

    public static nn.Module<Tensor, Tensor> Create(ModelCatalogEntry entry) =>
        entry.Create() as nn.Module<Tensor, Tensor>
            ?? throw new InvalidOperationException($"{entry.Name}'s factory did not make a Module<Tensor, Tensor>");

    /// <summary>The input shape with every named dimension (−1) given the first size the model accepts, preferring <paramref name="preferred"/>.</summary>
    public static long[] ConcreteInput(ModelCatalogEntry entry, long? preferred = null)
    {
        if (!entry.InputShape.Contains(-1))
        {
            return entry.InputShape;
        }

        foreach (var size in preferred is { } p ? Candidates.Prepend(p) : Candidates)
        {
            var shape = entry.InputShape.Select(d => d == -1 ? size : d).ToArray();
            if (Accepts(entry, shape))
            {
                return shape;
            }
        }

        throw new InvalidOperationException($"{entry.Name} accepts none of the sizes {string.Join(", ", Candidates)} for its named dimensions");
    }

    public static bool Accepts(ModelCatalogEntry entry, long[] shape)
    {
        try
        {
            entry.OutputShapeFor(shape);
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    /// <summary>The number of token ids the model's first embedding takes (its num_embeddings).</summary>
    public static long Vocabulary(nn.Module model) =>
        model.modules().OfType<TorchSharp.Modules.Embedding>().FirstOrDefault() is { } embedding
            ? embedding.weight!.shape[0]
            : 100;

    /// <summary>A random batch of the model's input: values in N(0, 1), or token ids below its vocabulary.</summary>
    public static Tensor SampleInput(ModelCatalogEntry entry, nn.Module model, long batch)
    {
        var shape = new[] { batch }.Concat(ConcreteInput(entry)).ToArray();
        return entry.TakesTokenIds ? randint(0, Vocabulary(model), shape) : randn(shape);
    }

    public static string Shape(IEnumerable<long> shape) => "[" + string.Join(", ", shape.Select(d => d == -1 ? "*" : d.ToString())) + "]";
}
