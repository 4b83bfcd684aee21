using System;
using System.IO;
using Xunit;

namespace Dsl.Runtime.Tests.Packaging;

/// <summary>
/// The packages as a user gets them: a console project outside the repository that references only Dsl, Dsl.Runtime,
/// Dsl.Datasets and TorchSharp-cpu, from the feed of <see cref="PackageFeed"/>.
/// Its model's skip compiles, runs forward and backward and trains a few steps (on Debian 12 this needs the package's
/// build step for libLibTorchSharp.so), and a wrong skip fails the build with DSL005 on its file and line.
///
/// Slow (the packs, then one restore and two builds: a minute or two): skip it with
/// <c>dotnet test --filter Category!=Packaging</c>.
/// </summary>
[Trait("Category", "Packaging")]
[Collection(PackagingCollection.Name)]
public sealed class PackageConsumerTests(PackageFeed packages)
{
    [Fact]
    public void A_project_outside_the_repository_builds_runs_and_reports_a_wrong_skip_from_the_packages()
    {
        string app = packages.NewFolder("app");
        string restored = packages.IsolateConsumer(app);
        WriteConsumer(app, packages.Version);

        CommandResult build = DotnetCli.Run(app, ["build", "--disable-build-servers"]);
        build.AssertSucceeded();
        Assert.Contains("0 Warning(s)", build.Output, StringComparison.Ordinal);
        // Only this test's packages were restored into the isolated packages folder; the rest came from the machine's.
        foreach (string id in new[] { "dsl", "dsl.runtime", "dsl.datasets" })
        {
            Assert.True(Directory.Exists(Path.Combine(restored, id, packages.Version)), $"{id} was not restored from the feed");
        }

        string dll = Path.Combine(app, "bin", "Debug", "net10.0", "Consumer.dll");
        CommandResult check = DotnetCli.Run(app, [dll, "check"]);
        check.AssertSucceeded();
        Assert.Contains("ConsumerNet: input [8, 1, 28, 28] -> output [8, 10]", check.Output, StringComparison.Ordinal);
        Assert.Contains("forward + backward", check.Output, StringComparison.Ordinal);

        // A few training steps on the Fashion-MNIST subset of the Dsl.Datasets package, with plots and weights.
        string run = Path.Combine(app, "run");
        CommandResult train = DotnetCli.Run(app,
            [dll, "train", "ConsumerNet", "--epochs", "1", "--limit", "128", "--batch-size", "64", "--data", "embedded",
             "--validation", "0", "--device", "cpu", "--out", run]);
        train.AssertSucceeded();
        Assert.Contains("ConsumerNet: test accuracy ", train.Output, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(run, "model.safetensors")), "training wrote no model.safetensors");
        Assert.True(File.Exists(Path.Combine(run, "curves.png")), "training wrote no curves.png");

        string broken = Path.Combine(app, "Broken.cs");
        File.WriteAllText(broken, BrokenModel);
        CommandResult failed = DotnetCli.Run(app, ["build", "--no-restore", "--disable-build-servers"]);
        Assert.NotEqual(0, failed.ExitCode);
        // Line 8 is the [Skip] that adds 8 channels to 16.
        Assert.Contains($"{broken}(8,2): error DSL005: Skip from 'stem' to 'wide'", failed.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Model.cs(", failed.Output, StringComparison.Ordinal);

        // In an IDE the error links to its documentation: absolute, and under the base DslDocumentationUrl sets
        // (the Dsl package's build/Dsl.props makes the property visible to the generator). The SARIF log shows the link.
        string log = Path.Combine(app, "errors.sarif");
        DotnetCli.Run(app, ["build", "--no-restore", "--disable-build-servers", $"-p:ErrorLog={log}"]);
        Assert.Contains("https://github.com/dsl-dotnet/dsl/blob/main/docs/diagnostics.md#dsl005", File.ReadAllText(log), StringComparison.Ordinal);
        File.Delete(log);
        DotnetCli.Run(app, ["build", "--no-restore", "--disable-build-servers", $"-p:ErrorLog={log}",
            "-p:DslDocumentationUrl=https://docs.example.com/dsl/diagnostics"]);
        Assert.Contains("https://docs.example.com/dsl/diagnostics#dsl005", File.ReadAllText(log), StringComparison.Ordinal);

        // Its severity is the user's to set, as for any compiler diagnostic.
        File.WriteAllText(Path.Combine(app, ".editorconfig"), "root = true\n\n[*.cs]\ndotnet_diagnostic.DSL005.severity = none\n");
        CommandResult silenced = DotnetCli.Run(app, ["build", "--no-restore", "--disable-build-servers"]);
        silenced.AssertSucceeded();
        Assert.DoesNotContain("DSL005", silenced.Output, StringComparison.Ordinal);
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

    /// <summary>A console app with Program.cs = DslApp.Run(args), one good model, the three packages and TorchSharp-cpu.</summary>
    private static void WriteConsumer(string app, string version)
    {
        File.WriteAllText(Path.Combine(app, "Consumer.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="Dsl" Version="{version}" />
                <PackageReference Include="Dsl.Runtime" Version="{version}" />
                <PackageReference Include="Dsl.Datasets" Version="{version}" />
                <PackageReference Include="TorchSharp-cpu" Version="0.107.0" />
              </ItemGroup>
            </Project>

            """);
        File.WriteAllText(Path.Combine(app, "Program.cs"), "return Dsl.Runtime.DslApp.Run(args);\n");
        File.WriteAllText(Path.Combine(app, "Model.cs"), GoodModel);
    }
}
