using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text;
using Xunit;

namespace Dsl.Runtime.Tests.Packaging;

/// <summary>
/// The packages as a user gets them: packs Dsl and Dsl.Runtime into a temporary folder feed, then builds and runs a
/// console project outside the repository that references only Dsl, Dsl.Runtime and TorchSharp-cpu from that feed.
/// Its model's skip compiles, runs forward and backward and trains a few steps (on Debian 12 this needs the package's
/// build step for libLibTorchSharp.so), and a wrong skip fails the build with DSL005 on its file and line.
///
/// Slow (one pack, one restore, three builds: about a minute or two): skip it with
/// <c>dotnet test --filter Category!=Packaging</c>.
/// </summary>
[Trait("Category", "Packaging")]
[Collection(nameof(PackageConsumerTests))]
public sealed class PackageConsumerTests : IDisposable
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(8);

    private readonly TempDirectory _scratch = new();

    public void Dispose() => _scratch.Dispose();

    [Fact]
    public void A_project_outside_the_repository_builds_runs_and_reports_a_wrong_skip_from_the_packages()
    {
        string repository = Metadata("Dsl.RepositoryRoot");
        string machinePackages = Metadata("Dsl.NuGetPackageRoot");
        string feed = Directory.CreateDirectory(_scratch.File("feed")).FullName;
        string artifacts = _scratch.File("artifacts");
        string app = Directory.CreateDirectory(_scratch.File("app")).FullName;
        // Outside the project folder, or its default **/*.cs glob would compile the packages' files.
        string packages = _scratch.File("packages");

        // A version no cache can hold yet: whatever restores it comes from this feed.
        string version = $"0.1.0-test.{DateTime.UtcNow:yyyyMMddHHmmss}.{Environment.ProcessId}";
        string[] packOptions =
        [
            "-c", "Release", "-o", feed, "--artifacts-path", artifacts, $"-p:Version={version}", "--disable-build-servers",
        ];
        // Packing the Runtime builds the Attributes and the Generator too; the Dsl package then needs no build of its own.
        Dotnet(repository, ["pack", Path.Combine("Runtime", "Dsl.Runtime.csproj"), .. packOptions]).AssertSucceeded();
        Dotnet(repository, ["pack", Path.Combine("Attributes", "Dsl.Attributes.csproj"), "--no-build", "--no-restore", .. packOptions])
            .AssertSucceeded();
        Assert.True(File.Exists(Path.Combine(feed, $"Dsl.{version}.nupkg")), "no Dsl package in the feed");
        Assert.True(File.Exists(Path.Combine(feed, $"Dsl.Runtime.{version}.nupkg")), "no Dsl.Runtime package in the feed");

        WriteConsumer(app, feed, packages, machinePackages, version);

        CommandResult build = Dotnet(app, ["build", "--disable-build-servers"]);
        build.AssertSucceeded();
        Assert.Contains("0 Warning(s)", build.Output, StringComparison.Ordinal);
        // Only this test's packages were restored into the isolated packages folder; the rest came from the machine's.
        Assert.True(Directory.Exists(Path.Combine(packages, "dsl", version)), "Dsl was not restored from the feed");
        Assert.True(Directory.Exists(Path.Combine(packages, "dsl.runtime", version)), "Dsl.Runtime was not restored from the feed");

        string dll = Path.Combine(app, "bin", "Debug", "net10.0", "Consumer.dll");
        CommandResult check = Dotnet(app, [dll, "check"]);
        check.AssertSucceeded();
        Assert.Contains("ConsumerNet: input [8, 1, 28, 28] -> output [8, 10]", check.Output, StringComparison.Ordinal);
        Assert.Contains("forward + backward", check.Output, StringComparison.Ordinal);

        // A few training steps on the Fashion-MNIST subset embedded in the package's dll, with its plots and weights.
        string run = _scratch.File("run");
        CommandResult train = Dotnet(app,
            [dll, "train", "ConsumerNet", "--epochs", "1", "--limit", "128", "--batch-size", "64", "--data", "embedded",
             "--validation", "0", "--device", "cpu", "--out", run]);
        train.AssertSucceeded();
        Assert.Contains("ConsumerNet: test accuracy ", train.Output, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(run, "model.safetensors")), "training wrote no model.safetensors");
        Assert.True(File.Exists(Path.Combine(run, "curves.png")), "training wrote no curves.png");

        string broken = Path.Combine(app, "Broken.cs");
        File.WriteAllText(broken, BrokenModel);
        CommandResult failed = Dotnet(app, ["build", "--no-restore", "--disable-build-servers"]);
        Assert.NotEqual(0, failed.ExitCode);
        // Line 8 is the [Skip] that adds 8 channels to 16.
        Assert.Contains($"{broken}(8,2): error DSL005: Skip from 'stem' to 'wide'", failed.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Model.cs(", failed.Output, StringComparison.Ordinal);
    }

    private const string GoodModel = """
        using Dsl;

        namespace Consumer;

        /// <summary>A residual network of the consumer's own.</summary>
        [Model(1, 28, 28)]
        [Conv2d(8, 3, Padding = 1, Name = "stem")]
        [BatchNorm2d, ReLU]
        [Conv2d(8, 3, Padding = 1)]
        [BatchNorm2d(Name = "bn2")]
        [Skip("stem", "bn2")]
        [ReLU, GlobalAvgPool, Linear(10)]
        public partial class ConsumerNet
        {
        }

        """;

    private const string BrokenModel = """
        using Dsl;

        namespace Consumer;

        [Model(1, 28, 28)]
        [Conv2d(8, 3, Padding = 1, Name = "stem")]
        [Conv2d(16, 3, Padding = 1, Name = "wide")]
        [Skip("stem", "wide")]
        [GlobalAvgPool, Linear(10)]
        public partial class BrokenNet
        {
        }

        """;

    /// <summary>
    /// The consumer: its own nuget.config (the feed, added to the machine's sources), an isolated packages folder,
    /// the machine's packages folder as a read-only fallback (TorchSharp's native packages are not copied again), and
    /// empty Directory.* files so nothing above the temp folder is imported.
    /// </summary>
    private static void WriteConsumer(string app, string feed, string packages, string machinePackages, string version)
    {
        File.WriteAllText(Path.Combine(app, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="dsl-test-feed" value="{feed}" />
              </packageSources>
              <fallbackPackageFolders>
                <add key="machine" value="{machinePackages}" />
              </fallbackPackageFolders>
            </configuration>

            """);
        foreach (string name in new[] { "Directory.Build.props", "Directory.Build.targets", "Directory.Packages.props" })
        {
            File.WriteAllText(Path.Combine(app, name), "<Project />\n");
        }

        File.WriteAllText(Path.Combine(app, "Consumer.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
                <RestorePackagesPath>{packages}</RestorePackagesPath>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="Dsl" Version="{version}" />
                <PackageReference Include="Dsl.Runtime" Version="{version}" />
                <PackageReference Include="TorchSharp-cpu" Version="0.107.0" />
              </ItemGroup>
            </Project>

            """);
        File.WriteAllText(Path.Combine(app, "Program.cs"), "return Dsl.Runtime.DslApp.Run(args);\n");
        File.WriteAllText(Path.Combine(app, "Model.cs"), GoodModel);
    }

    private static string Metadata(string key)
    {
        string? value = typeof(PackageConsumerTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == key).Value;
        Assert.False(string.IsNullOrEmpty(value), $"{key} was not recorded at build time");
        return value;
    }

    private sealed record CommandResult(string Command, int ExitCode, string Output)
    {
        public void AssertSucceeded() =>
            Assert.True(ExitCode == 0, $"`{Command}` exited with {ExitCode}:\n{Output}");
    }

    /// <summary>Runs dotnet with no MSBuild state of the test run inherited and no build server left behind.</summary>
    private static CommandResult Dotnet(string workingDirectory, IReadOnlyList<string> arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (string name in start.Environment.Keys.ToList())
        {
            if (name.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase) ||
                name.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase) ||
                name.Equals("NUGET_PACKAGES", StringComparison.OrdinalIgnoreCase))
            {
                start.Environment.Remove(name);
            }
        }

        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        start.Environment["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";

        string command = "dotnet " + string.Join(' ', arguments);
        var output = new StringBuilder();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(CommandTimeout))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            lock (output) Assert.Fail($"`{command}` ran over {CommandTimeout}:\n{output}");
        }

        process.WaitForExit();
        lock (output) return new CommandResult(command, process.ExitCode, output.ToString());
    }
}
