using System;
using System.IO;
using System.Linq;
using System.Reflection;
using Xunit;

namespace Dsl.Runtime.Tests.Packaging;

/// <summary>The packaging tests share one feed: packing is the slow part, and every test wants the same packages.</summary>
[CollectionDefinition(Name)]
public sealed class PackagingCollection : ICollectionFixture<PackageFeed>
{
    public const string Name = "Packages";
}

/// <summary>
/// Packs every package of the repository (Dsl, Dsl.Runtime, Dsl.Datasets, Dsl.Templates) once into a temporary folder
/// feed, at a version no cache can hold yet, so whatever restores that version comes from this feed.
/// </summary>
public sealed class PackageFeed : IDisposable
{
    /// <summary>The packages `dotnet pack Dsl.sln` makes, by the project that makes each.</summary>
    public static readonly (string Id, string Project)[] Packages =
    [
        ("Dsl", Path.Combine("Attributes", "Dsl.Attributes.csproj")),
        ("Dsl.Runtime", Path.Combine("Runtime", "Dsl.Runtime.csproj")),
        ("Dsl.Datasets", Path.Combine("Runtime", "Datasets", "Dsl.Datasets.csproj")),
        ("Dsl.Templates", Path.Combine("Examples", "Template", "Dsl.Templates.csproj")),
    ];

    private readonly TempDirectory _scratch = new();

    public PackageFeed()
    {
        Repository = Metadata("Dsl.RepositoryRoot");
        MachinePackages = Metadata("Dsl.NuGetPackageRoot");
        Feed = Directory.CreateDirectory(_scratch.File("feed")).FullName;
        Version = $"0.1.0-test.{DateTime.UtcNow:yyyyMMddHHmmss}.{Environment.ProcessId}";
        string artifacts = _scratch.File("artifacts");
        foreach (var (id, project) in Packages)
        {
            CommandResult pack = DotnetCli.Run(Repository,
                ["pack", project, "-c", "Release", "-o", Feed, "--artifacts-path", artifacts, $"-p:Version={Version}",
                 "--disable-build-servers"]);
            pack.AssertSucceeded();
            Assert.DoesNotMatch(@"warning [A-Z]+[0-9]+", pack.Output);
            Assert.True(File.Exists(Path.Combine(Feed, $"{id}.{Version}.nupkg")), $"no {id} package in the feed:\n{pack.Output}");
        }
    }

    public string Repository { get; }

    /// <summary>The machine's NuGet packages folder: a read-only fallback, so TorchSharp's native packages are not copied again.</summary>
    public string MachinePackages { get; }

    public string Feed { get; }

    public string Version { get; }

    public string PackagePath(string id) => Path.Combine(Feed, $"{id}.{Version}.nupkg");

    /// <summary>
    /// Makes <paramref name="directory"/> a place where a user's projects restore from this feed and the machine's
    /// sources into an isolated packages folder: a nuget.config, and empty Directory.* files so nothing above it is
    /// imported. Returns the packages folder.
    /// </summary>
    public string IsolateConsumer(string directory)
    {
        string packages = Path.Combine(directory, "..", Path.GetFileName(directory) + "-packages");
        packages = Path.GetFullPath(packages);
        File.WriteAllText(Path.Combine(directory, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <config>
                <add key="globalPackagesFolder" value="{packages}" />
              </config>
              <packageSources>
                <add key="dsl-test-feed" value="{Feed}" />
              </packageSources>
              <fallbackPackageFolders>
                <add key="machine" value="{MachinePackages}" />
              </fallbackPackageFolders>
            </configuration>

            """);
        foreach (string name in new[] { "Directory.Build.props", "Directory.Build.targets", "Directory.Packages.props" })
        {
            File.WriteAllText(Path.Combine(directory, name), "<Project />\n");
        }

        return packages;
    }

    /// <summary>A fresh folder for one test, deleted with the feed.</summary>
    public string NewFolder(string name) => Directory.CreateDirectory(_scratch.File(name)).FullName;

    public void Dispose() => _scratch.Dispose();

    private static string Metadata(string key)
    {
        string? value = typeof(PackageFeed).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == key).Value;
        Assert.False(string.IsNullOrEmpty(value), $"{key} was not recorded at build time");
        return value;
    }
}
