using System;
using System.IO;
using Xunit;

namespace Dsl.Runtime.Tests.Packaging;

/// <summary>
/// <c>dotnet new dsl-model</c> as a user runs it: the template pack installed from the feed (into a private template
/// hive, so the machine's templates are untouched), a project made outside the repository, then `dotnet run -- train`
/// and `dotnet test` in it with nothing else done, restoring the Dsl packages from the feed.
/// </summary>
[Trait("Category", "Packaging")]
[Collection(PackagingCollection.Name)]
public sealed class TemplateTests(PackageFeed packages)
{
    [Fact]
    public void A_new_dsl_model_project_trains_and_its_tests_pass()
    {
        string work = packages.NewFolder("template-cpu");
        string restored = packages.IsolateConsumer(work);
        string hive = InstallTemplates("hive-cpu");

        DotnetCli.Run(work, ["new", "dsl-model", "-n", "MyNet", "--debug:custom-hive", hive]).AssertSucceeded();
        string project = Path.Combine(work, "MyNet");
        string csproj = File.ReadAllText(Path.Combine(project, "MyNet.csproj"));
        Assert.Contains($"<PackageReference Include=\"Dsl.Runtime\" Version=\"{packages.Version}\" />", csproj, StringComparison.Ordinal);
        Assert.Contains("<PackageReference Include=\"TorchSharp-cpu\"", csproj, StringComparison.Ordinal);
        Assert.DoesNotContain("cuda", csproj, StringComparison.Ordinal);
        Assert.Equal("return Dsl.Runtime.DslApp.Run(args);",
            File.ReadAllText(Path.Combine(project, "Program.cs")).Trim().Split('\n')[^1].Trim());
        Assert.Contains("public partial class MyNet", File.ReadAllText(Path.Combine(project, "MyNet.cs")), StringComparison.Ordinal);

        // The README's command, shortened to one epoch of a few hundred images so the test stays quick.
        CommandResult train = DotnetCli.Run(project, ["run", "--", "train", "MyNet", "--epochs", "1", "--limit", "256"]);
        train.AssertSucceeded();
        Assert.Contains("MyNet: test accuracy ", train.Output, StringComparison.Ordinal);
        Assert.DoesNotMatch(@"warning [A-Z]+[0-9]+", train.Output);
        Assert.True(File.Exists(Path.Combine(project, "runs", "MyNet", "model.safetensors")), $"no weights written:\n{train.Output}");
        Assert.True(Directory.Exists(Path.Combine(restored, "dsl.runtime", packages.Version)), "Dsl.Runtime was not restored from the feed");

        CommandResult test = DotnetCli.Run(project, ["test", "Tests"]);
        test.AssertSucceeded();
        Assert.Matches(@"Passed!\s+-\s+Failed:\s+0, Passed:\s+3,", test.Output);

        // A wrong skip in the new project is a compiler error on its line.
        string model = Path.Combine(project, "MyNet.cs");
        string[] lines = File.ReadAllLines(model);
        int skip = Array.FindIndex(lines, l => l.StartsWith("[Skip(\"stem\", \"res1\")]", StringComparison.Ordinal));
        Assert.True(skip >= 0, "the template's model has no [Skip(\"stem\", \"res1\")]");
        lines[skip] = "[Skip(\"stem\", \"res1_typo\")]";
        File.WriteAllLines(model, lines);
        CommandResult failed = DotnetCli.Run(project, ["build", "--no-restore"]);
        Assert.NotEqual(0, failed.ExitCode);
        Assert.Contains($"MyNet.cs({skip + 1},", failed.Output, StringComparison.Ordinal);
        Assert.Contains("error DSL003", failed.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void The_cuda_backend_references_the_cuda_packages_and_no_cpu_one()
    {
        string work = packages.NewFolder("template-cuda");
        string hive = InstallTemplates("hive-cuda");

        DotnetCli.Run(work, ["new", "dsl-model", "-n", "GpuNet", "--backend", "cuda", "--debug:custom-hive", hive]).AssertSucceeded();
        string csproj = File.ReadAllText(Path.Combine(work, "GpuNet", "GpuNet.csproj"));
        Assert.Contains("<PackageReference Include=\"TorchSharp-cuda-linux\"", csproj, StringComparison.Ordinal);
        Assert.Contains("<PackageReference Include=\"TorchSharp-cuda-windows\"", csproj, StringComparison.Ordinal);
        Assert.DoesNotContain("TorchSharp-cpu", csproj, StringComparison.Ordinal);
        Assert.DoesNotContain("#if", csproj, StringComparison.Ordinal);

        CommandResult wrong = DotnetCli.Run(work, ["new", "dsl-model", "-n", "Other", "--backend", "tpu", "--debug:custom-hive", hive]);
        Assert.NotEqual(0, wrong.ExitCode);
        Assert.Contains("tpu", wrong.Output, StringComparison.Ordinal);
    }

    private string InstallTemplates(string name)
    {
        string hive = packages.NewFolder(name);
        CommandResult install = DotnetCli.Run(hive, ["new", "install", packages.PackagePath("Dsl.Templates"), "--debug:custom-hive", hive]);
        install.AssertSucceeded();
        Assert.Contains("dsl-model", install.Output, StringComparison.Ordinal);
        return hive;
    }
}
