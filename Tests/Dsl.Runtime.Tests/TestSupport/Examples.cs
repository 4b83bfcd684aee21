using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace Dsl.Runtime.Tests;

/// <summary>The example models through the Examples assembly's generated catalogue, as the tool sees them.</summary>
public static class Examples
{
    public static IReadOnlyList<ModelCatalogEntry> Catalogue { get; } =
        DslApp.CatalogOf(typeof(Dsl.Examples.Models.ResNet20).Assembly) ?? throw new InvalidOperationException("the Examples assembly has no catalogue");

    public static ModelCatalogEntry Find(string name) => Catalogue.Single(e => e.Name == name);

    public static nn.Module<Tensor, Tensor> Create(this ModelCatalogEntry entry) => (nn.Module<Tensor, Tensor>)entry.Create();

    /// <summary>A random batch of the model's input: N(0, 1) values, or token ids below its embedding's vocabulary.</summary>
    public static Tensor SampleInput(this ModelCatalogEntry entry, long batch)
    {
        var shape = new[] { batch }.Concat(entry.ExampleShape).ToArray();
        if (!entry.TakesTokenIds)
        {
            return randn(shape);
        }

        using var model = (nn.Module)entry.Create();
        return randint(0, Dsl.Runtime.App.ModelFacts.Vocabulary(model), shape);
    }
}
