extern alias DslGenerator;

using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.Loader;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;
using ModelGenerator = DslGenerator::Dsl.Generator.ModelGenerator;

namespace Dsl.Runtime.Tests.Fuzz;

/// <summary>
/// Runs <see cref="ModelGenerator"/> in-process on C# source, compiles the result into memory and loads it into a
/// collectible load context (TorchSharp itself comes from this process, so the loaded modules are ordinary TorchSharp modules).
/// </summary>
internal sealed class InProcessGenerator : IDisposable
{
    private static readonly Lazy<ImmutableArray<MetadataReference>> LazyReferences = new(LoadReferences);

    private readonly AssemblyLoadContext context;

    private InProcessGenerator(AssemblyLoadContext context, Assembly assembly, IReadOnlyDictionary<string, List<Diagnostic>> diagnosticsByClass)
    {
        this.context = context;
        Assembly = assembly;
        DiagnosticsByClass = diagnosticsByClass;
    }

    public Assembly Assembly { get; }

    /// <summary>How long the generator and the compilation took.</summary>
    public string Timing { get; private init; } = "";

    /// <summary>The generator's diagnostics, by the class whose attributes they are on.</summary>
    public IReadOnlyDictionary<string, List<Diagnostic>> DiagnosticsByClass { get; }

    /// <summary>The .NET shared framework, Dsl.Attributes and managed TorchSharp: what a model project compiles against.</summary>
    public static ImmutableArray<MetadataReference> References => LazyReferences.Value;

    /// <summary>The parse options every tree of these compilations uses.</summary>
    public static CSharpParseOptions ParseOptions { get; } = CSharpParseOptions.Default.WithLanguageVersion(LanguageVersion.Latest);

    public static SyntaxTree Parse(string source, string path) => CSharpSyntaxTree.ParseText(SourceText.From(source, Encoding.UTF8), ParseOptions, path);

    /// <summary>Runs the generator on <paramref name="trees"/>: the compilation with the generated code, and the generator's own diagnostics; throws when the generator threw.</summary>
    public static (Compilation Output, IReadOnlyList<Diagnostic> GeneratorDiagnostics) Generate(IReadOnlyList<SyntaxTree> trees, string assemblyName)
    {
        var options = new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable)
            .WithSpecificDiagnosticOptions(new Dictionary<string, ReportDiagnostic>
            {
                ["CS1701"] = ReportDiagnostic.Suppress,
                ["CS1702"] = ReportDiagnostic.Suppress,
            });
        var compilation = CSharpCompilation.Create(assemblyName, trees, LazyReferences.Value, options);
        GeneratorDriver driver = CSharpGeneratorDriver.Create(new[] { new ModelGenerator().AsSourceGenerator() }, parseOptions: ParseOptions);
        driver = driver.RunGeneratorsAndUpdateCompilation(compilation, out var output, out var driverDiagnostics);
        var result = driver.GetRunResult();
        var crash = result.Results.FirstOrDefault(r => r.Exception is not null).Exception;
        if (crash is not null || driverDiagnostics.Any(d => d.Id == "CS8785"))
        {
            throw new InvalidOperationException("The generator threw: " + (crash?.ToString() ?? string.Join("\n", driverDiagnostics)));
        }

        return (output, result.Diagnostics.Concat(driverDiagnostics).Distinct().ToList());
    }

    /// <summary>Generates, compiles and loads; throws with the errors when the generator threw or the output does not compile.</summary>
    public static InProcessGenerator Run(string source, string assemblyName) => Run(new[] { Parse(source, "Fuzz.cs") }, assemblyName);

    /// <summary>Generates, compiles and loads several files; throws with the errors when the generator threw or the output does not compile.</summary>
    public static InProcessGenerator Run(IReadOnlyList<SyntaxTree> trees, string assemblyName)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var (output, generatorDiagnostics) = Generate(trees, assemblyName);
        var byClass = new Dictionary<string, List<Diagnostic>>(StringComparer.Ordinal);
        foreach (var diagnostic in generatorDiagnostics)
        {
            var tree = diagnostic.Location.SourceTree;
            var owner = diagnostic.Location.IsInSource && tree is not null && trees.Contains(tree)
                ? tree.GetRoot().FindNode(diagnostic.Location.SourceSpan).AncestorsAndSelf().OfType<ClassDeclarationSyntax>().FirstOrDefault()?.Identifier.Text
                : null;
            owner ??= "(no class)";
            if (!byClass.TryGetValue(owner, out var list))
            {
                byClass[owner] = list = new List<Diagnostic>();
            }

            list.Add(diagnostic);
        }

        var generated = clock.Elapsed;
        using var image = new MemoryStream();
        var emitted = output.Emit(image);
        var errors = emitted.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        if (!emitted.Success)
        {
            throw new InvalidOperationException("The generated code does not compile:\n"
                + string.Join("\n", errors.Take(20).Select(d => d.ToString())));
        }

        image.Position = 0;
        var context = new AssemblyLoadContext(assemblyName, isCollectible: true);
        var assembly = context.LoadFromStream(image);
        return new InProcessGenerator(context, assembly, byClass) { Timing = $"generator {generated.TotalSeconds:0.0} s, compile and load {(clock.Elapsed - generated).TotalSeconds:0.0} s" };
    }

    public void Dispose() => context.Unload();

    /// <summary>The .NET shared framework, Dsl.Attributes and managed TorchSharp with what it references (as Tests/Dsl.Generator.Tests does).</summary>
    private static ImmutableArray<MetadataReference> LoadReferences()
    {
        var trusted = ((AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string) ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        var frameworkDirectory = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        var byName = trusted
            .GroupBy(Path.GetFileNameWithoutExtension, StringComparer.OrdinalIgnoreCase)
            .ToDictionary(g => g.Key!, g => g.First(), StringComparer.OrdinalIgnoreCase);
        var paths = new SortedSet<string>(trusted.Where(p => string.Equals(Path.GetDirectoryName(p), frameworkDirectory, StringComparison.Ordinal)), StringComparer.Ordinal)
        {
            typeof(global::Dsl.ModelAttribute).Assembly.Location,
        };
        var torch = typeof(TorchSharp.torch).Assembly;
        paths.Add(torch.Location);
        foreach (var dependency in torch.GetReferencedAssemblies())
        {
            if (dependency.Name is not null && byName.TryGetValue(dependency.Name, out var path))
            {
                paths.Add(path);
            }
        }

        return paths.Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)).ToImmutableArray();
    }
}

/// <summary>A generated model class of the loaded assembly, through reflection: its statics and a fresh instance.</summary>
internal sealed class LoadedModel
{
    private readonly Type type;

    public LoadedModel(Type type) => this.type = type;

    public long ParameterCount => Convert.ToInt64(type.GetField("ParameterCount")!.GetRawConstantValue(), CultureInfo.InvariantCulture);

    public string Summary => (string)type.GetProperty("Summary")!.GetValue(null)!;

    /// <summary>One example's input shape; -1 for a named dimension.</summary>
    public long[] InputShape => (long[])type.GetProperty("InputShape")!.GetValue(null)!;

    /// <summary>One example's output shape; -1 for a named dimension.</summary>
    public long[] OutputShape => (long[])type.GetProperty("OutputShape")!.GetValue(null)!;

    /// <summary>Calls <c>OutputShapeFor</c>; an exception it throws comes out unwrapped.</summary>
    public long[] OutputShapeFor(long[] example)
    {
        try
        {
            return (long[])type.GetMethod("OutputShapeFor")!.Invoke(null, new object[] { example })!;
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerException).Throw();
            throw;
        }
    }

    public TorchSharp.torch.nn.Module<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor> Create() =>
        (TorchSharp.torch.nn.Module<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor>)Activator.CreateInstance(type)!;
}
