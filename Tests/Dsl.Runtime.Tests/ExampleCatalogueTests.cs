using System;
using System.Linq;
using System.Reflection;
using Dsl;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Dsl.Runtime.Tests;

/// <summary>The generated catalogue of the Examples assembly, read the way a tool reads it: through [assembly: ModelCatalog].</summary>
public sealed class ExampleCatalogueTests
{
    private static ModelCatalogEntry[] Entries()
    {
        var assembly = typeof(Dsl.Examples.Models.ResNet20).Assembly;
        var attribute = assembly.GetCustomAttribute<ModelCatalogAttribute>()!;
        var models = attribute.Catalog.GetProperty("Models", BindingFlags.Public | BindingFlags.Static)!;
        return (ModelCatalogEntry[])models.GetValue(null)!;
    }

    [Fact]
    public void Every_model_class_of_the_assembly_is_listed_once_in_name_order()
    {
        var entries = Entries();
        var modelTypes = typeof(Dsl.Examples.Models.ResNet20).Assembly.GetTypes()
            .Where(t => typeof(nn.Module<Tensor, Tensor>).IsAssignableFrom(t) && t.GetProperty("InputShape", BindingFlags.Public | BindingFlags.Static) is not null)
            .Select(t => t.FullName!.Replace('+', '.'))
            .OrderBy(n => n, StringComparer.Ordinal);

        Assert.Equal(modelTypes, entries.Select(e => e.FullName).OrderBy(n => n, StringComparer.Ordinal));
        Assert.Equal(entries.Select(e => e.Name).OrderBy(n => n, StringComparer.Ordinal), entries.Select(e => e.Name));
        Assert.All(entries, e => Assert.NotEmpty(e.Description));
    }

    [Fact]
    public void Each_entry_builds_its_model_and_states_its_facts()
    {
        foreach (var entry in Entries())
        {
            using var module = Assert.IsAssignableFrom<nn.Module<Tensor, Tensor>>(entry.Create());
            Assert.Equal(entry.FullName, module.GetType().FullName!.Replace('+', '.'));
            Assert.Equal(entry.ParameterCount, module.parameters().Sum(p => p.numel()));
            Assert.Equal(entry.InputShape.All(d => d > 0), entry.MultiplyAccumulates >= 0);
            if (entry.InputShape.All(d => d > 0))
            {
                Assert.Equal(entry.OutputShape, entry.OutputShapeFor(entry.InputShape));
                Assert.Same(entry.InputShape, entry.ExampleShape);
            }
            else
            {
                // The example size is accepted, and runs: the output has the shape OutputShapeFor promises.
                Assert.All(entry.ExampleShape, d => Assert.True(d > 0));
                var expected = entry.OutputShapeFor(entry.ExampleShape);
                using var input = entry.SampleInput(2);
                module.eval();
                using var output = module.call(input);
                Assert.Equal(new[] { 2L }.Concat(expected), output.shape);
            }

            Assert.Throws<ArgumentException>(() => entry.OutputShapeFor(new long[] { 1, 2, 3, 4, 5 }));
            Assert.StartsWith("digraph", entry.Diagram, StringComparison.Ordinal);
            Assert.StartsWith(entry.Name + ":", entry.Summary, StringComparison.Ordinal);
            Assert.True(entry.SummaryExpanded.Length >= entry.Summary.Length, entry.Name);
        }
    }
}
