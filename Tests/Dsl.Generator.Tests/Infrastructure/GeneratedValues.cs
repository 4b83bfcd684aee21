using System;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.Loader;
using Microsoft.CodeAnalysis;
using Xunit.Sdk;

namespace Dsl.Generator.Tests.Infrastructure;

/// <summary>
/// Values of generated static members read by running the generated code: the run's output compilation emitted in
/// memory and loaded into a collectible context of its own (once per run). A model with blocks composes its
/// <c>Diagram</c> and <c>SummaryExpanded</c> at run time from its block classes' parts, so their text is only there.
/// Nothing of TorchSharp's native side runs: a static string of a module class needs only the managed types.
/// </summary>
public static class GeneratedValues
{
    private static readonly ConditionalWeakTable<Compilation, Assembly> Loaded = new();

    /// <summary>The value of the static string property <paramref name="property"/> of the generated class <paramref name="model"/>.</summary>
    public static string StaticString(GeneratorRun run, string model, string property)
    {
        var assembly = Loaded.GetValue(run.OutputCompilation, Load);
        var type = assembly.GetTypes().Single(t => t.Name == model && !t.IsNested);
        var value = type.GetProperty(property, BindingFlags.Public | BindingFlags.Static)
            ?? throw new XunitException($"{model} has no public static property {property}");
        return (string)value.GetValue(null)!;
    }

    private static Assembly Load(Compilation compilation)
    {
        using var stream = new MemoryStream();
        var emitted = compilation.Emit(stream);
        if (!emitted.Success)
        {
            throw new XunitException("The generated code does not compile:\n" + GeneratorHarness.RenderDiagnostics(emitted.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)));
        }

        stream.Position = 0;
        return new AssemblyLoadContext("generated " + Guid.NewGuid().ToString("N"), isCollectible: true).LoadFromStream(stream);
    }
}
