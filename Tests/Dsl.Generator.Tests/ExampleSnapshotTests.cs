using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using Dsl.Generator.Tests.Infrastructure;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace Dsl.Generator.Tests;

/// <summary>
/// The generated code of every example model (Examples/Models/*.cs), snapshot by snapshot: what users read when they
/// open the generated files. The cases come from the directory listing, so a new example is a new case, and it fails
/// until its snapshots are accepted (<c>DSL_ACCEPT_SNAPSHOTS=1 dotnet test Tests/Dsl.Generator.Tests</c>).
/// </summary>
public class ExampleSnapshotTests
{
    private const string VersionPlaceholder = "{generator version}";

    private static readonly Regex GeneratedCodeVersion =
        new("(GeneratedCode\\(\"Dsl\\.Generator\", \")([^\"]*)(\"\\))", RegexOptions.CultureInvariant);

    /// <summary>The example model files, relative to the repository root (e.g. <c>Examples/Models/UNet.cs</c>).</summary>
    public static TheoryData<string> ExampleFiles()
    {
        var data = new TheoryData<string>();
        foreach (var file in ListExampleFiles())
        {
            data.Add(file);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(ExampleFiles))]
    public void Example_generates(string exampleFile)
    {
        var run = RunOn(exampleFile);

        run.AssertNoDiagnostics();
        Assert.NotEmpty(run.ModelSources);
        foreach (var (hintName, source) in run.ModelSources)
        {
            Snapshot.Match(ScrubVersion(source), SuffixFor(hintName));
        }
    }

    /// <summary>The catalogue of the Examples assembly: every example model, in name order, from all the example files together.</summary>
    [Fact]
    public void The_examples_catalogue_lists_every_example_model()
    {
        var compilation = CSharpCompilation.Create(
            GeneratorHarness.AssemblyName,
            ListExampleFiles().Select(f => GeneratorHarness.Parse(File.ReadAllText(Path.Combine(RepositoryRoot(), f)), f)),
            GeneratorHarness.References,
            GeneratorHarness.CompilationOptions);
        var run = GeneratorHarness.Run(compilation);

        run.AssertNoDiagnostics();
        var catalogue = run.GeneratedSources[Dsl.Generator.Emit.CatalogEmitter.HintName];
        foreach (var model in run.ModelSources.Keys)
        {
            var name = model.Substring(0, model.Length - ".g.cs".Length);
            Assert.Contains($"() => new global::{name}()", catalogue, StringComparison.Ordinal);
        }

        Snapshot.Match(ScrubVersion(catalogue), "Catalogue");
    }

    /// <summary>The `dotnet new dsl-model` template's network (its sourceName DslModel1 stands for the user's name), snapshot-tested like the examples.</summary>
    [Fact]
    public void The_template_model_generates()
    {
        var run = RunOn(Path.Combine("Examples", "Template", "dsl-model", "DslModel1.cs"));

        run.AssertNoDiagnostics();
        var (hintName, source) = Assert.Single(run.ModelSources);
        Assert.Equal("DslModel1.DslModel1.g.cs", hintName);
        Snapshot.Match(ScrubVersion(source), SuffixFor(hintName));
    }

    [Fact]
    public void The_examples_directory_is_found_and_not_empty()
    {
        var files = ListExampleFiles();

        Assert.NotEmpty(files);
        Assert.All(files, f => Assert.True(File.Exists(Path.Combine(RepositoryRoot(), f)), f));
    }

    [Fact]
    public void Every_snapshot_belongs_to_a_model_of_a_current_example()
    {
        // The reverse of the theory: a renamed or deleted example must not leave its snapshots behind.
        var expected = ListExampleFiles()
            .SelectMany(f => RunOn(f).ModelSources.Keys)
            .Select(h => SnapshotFileName(SuffixFor(h)))
            .ToHashSet(StringComparer.Ordinal);
        var snapshotDirectory = Path.Combine(TestDirectory(), Snapshot.DirectoryName);
        var existing = Directory.Exists(snapshotDirectory)
            ? Directory.GetFiles(snapshotDirectory, $"{nameof(ExampleSnapshotTests)}.{nameof(Example_generates)}#*.verified.cs")
                .Select(p => Path.GetFileName(p)!)
                .ToList()
            : new List<string>();

        Assert.Empty(existing.Where(name => !expected.Contains(name)).OrderBy(n => n, StringComparer.Ordinal));
    }

    [Fact]
    public void The_version_scrubbed_from_the_snapshots_is_the_generator_assembly_version()
    {
        var run = RunOn(ListExampleFiles()[0]);
        var version = typeof(ModelGenerator).Assembly.GetName().Version!.ToString();

        foreach (var source in run.GeneratedSources.Values)
        {
            var matches = GeneratedCodeVersion.Matches(source);
            Assert.NotEmpty(matches);
            Assert.All(matches, m => Assert.Equal(version, m.Groups[2].Value));
            Assert.DoesNotContain(VersionPlaceholder, source, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void ScrubVersion_replaces_only_the_generator_version()
    {
        const string source = "[global::System.CodeDom.Compiler.GeneratedCode(\"Dsl.Generator\", \"0.1.0.0\")]\n" +
            "[global::System.CodeDom.Compiler.GeneratedCode(\"Other\", \"1.2.3.4\")]\n";

        Assert.Equal(
            $"[global::System.CodeDom.Compiler.GeneratedCode(\"Dsl.Generator\", \"{VersionPlaceholder}\")]\n" +
            "[global::System.CodeDom.Compiler.GeneratedCode(\"Other\", \"1.2.3.4\")]\n",
            ScrubVersion(source));
    }

    /// <summary>Replaces the version in <c>GeneratedCode("Dsl.Generator", "x.y.z.w")</c>, so a version bump changes no snapshot.</summary>
    internal static string ScrubVersion(string source) =>
        GeneratedCodeVersion.Replace(source, m => m.Groups[1].Value + VersionPlaceholder + m.Groups[3].Value);

    private static string SuffixFor(string hintName) =>
        hintName.EndsWith(".cs", StringComparison.Ordinal) ? hintName.Substring(0, hintName.Length - 3) : hintName;

    private static string SnapshotFileName(string suffix) =>
        Path.GetFileName(Snapshot.VerifiedPathFor(Path.Combine(TestDirectory(), nameof(ExampleSnapshotTests) + ".cs"), nameof(Example_generates), suffix));

    /// <summary>Runs the generator on one example file alone, parsed under its repository-relative path.</summary>
    internal static GeneratorRun RunOn(string exampleFile)
    {
        var source = File.ReadAllText(Path.Combine(RepositoryRoot(), exampleFile));
        var compilation = CSharpCompilation.Create(
            GeneratorHarness.AssemblyName,
            new[] { GeneratorHarness.Parse(source, exampleFile) },
            GeneratorHarness.References,
            GeneratorHarness.CompilationOptions);
        return GeneratorHarness.Run(compilation);
    }

    internal static List<string> ListExampleFiles()
    {
        var root = RepositoryRoot();
        var directory = Path.Combine(root, "Examples", "Models");
        if (!Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException($"No example models at {directory}.");
        }

        return Directory.GetFiles(directory, "*.cs", SearchOption.AllDirectories)
            .Select(p => Path.GetRelativePath(root, p).Replace('\\', '/'))
            .OrderBy(p => p, StringComparer.Ordinal)
            .ToList();
    }

    private static string TestDirectory([CallerFilePath] string thisFile = "") =>
        Path.GetDirectoryName(thisFile) ?? throw new InvalidOperationException("No [CallerFilePath].");

    /// <summary>The repository root: the first directory above this test file that holds Dsl.sln.</summary>
    internal static string RepositoryRoot([CallerFilePath] string thisFile = "")
    {
        for (var directory = Path.GetDirectoryName(thisFile); directory is not null; directory = Path.GetDirectoryName(directory))
        {
            if (File.Exists(Path.Combine(directory, "Dsl.sln")))
            {
                return directory;
            }
        }

        throw new DirectoryNotFoundException($"No Dsl.sln above {thisFile}; tests read the examples from the source tree.");
    }
}
