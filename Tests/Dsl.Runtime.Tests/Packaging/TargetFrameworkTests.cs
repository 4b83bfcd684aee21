using System;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using Xunit;

namespace Dsl.Runtime.Tests.Packaging;

/// <summary>
/// The generated code compiles for every target framework TorchSharp ships (net8.0 and netstandard2.0), each at its
/// default language version (C# 12 and C# 7.3), with warnings as errors and nullable on where the language has it:
/// a class library outside the repository with only the Dsl package and TorchSharp (no backend), holding the example
/// models. On netstandard2.0 it holds the examples C# 7.3 can declare (no generic attributes: [Use&lt;T&gt;] and
/// [Module&lt;T&gt;] need C# 11), their file-scoped namespaces written as blocks.
/// </summary>
[Trait("Category", "Packaging")]
[Collection(PackagingCollection.Name)]
public sealed class TargetFrameworkTests(PackageFeed packages)
{
    [Fact]
    public void The_example_models_compile_for_net8_and_netstandard2_at_their_default_language_versions()
    {
        string library = packages.NewFolder("library");
        packages.IsolateConsumer(library);
        string[] examples = Directory.GetFiles(Path.Combine(packages.Repository, "Examples", "Models"), "*.cs");
        Directory.CreateDirectory(Path.Combine(library, "net8"));
        Directory.CreateDirectory(Path.Combine(library, "netstandard2"));
        int declarableInCSharp73 = 0;
        foreach (string file in examples)
        {
            string source = File.ReadAllText(file);
            File.WriteAllText(Path.Combine(library, "net8", Path.GetFileName(file)), source);
            if (!source.Contains("Use<", StringComparison.Ordinal) && !source.Contains("Module<", StringComparison.Ordinal))
            {
                File.WriteAllText(Path.Combine(library, "netstandard2", Path.GetFileName(file)), AsBlockNamespace(source));
                declarableInCSharp73++;
            }
        }

        Assert.True(declarableInCSharp73 >= 4, $"only {declarableInCSharp73} examples are declarable in C# 7.3");
        File.WriteAllText(Path.Combine(library, "Library.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <TargetFrameworks>net8.0;netstandard2.0</TargetFrameworks>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
                <EnableDefaultCompileItems>false</EnableDefaultCompileItems>
                <EmitCompilerGeneratedFiles>true</EmitCompilerGeneratedFiles>
                <CompilerGeneratedFilesOutputPath>generated/$(TargetFramework)</CompilerGeneratedFilesOutputPath>
              </PropertyGroup>
              <PropertyGroup Condition="'$(TargetFramework)' == 'net8.0'">
                <Nullable>enable</Nullable>
              </PropertyGroup>
              <ItemGroup Condition="'$(TargetFramework)' == 'net8.0'">
                <Compile Include="net8/*.cs" />
              </ItemGroup>
              <ItemGroup Condition="'$(TargetFramework)' == 'netstandard2.0'">
                <Compile Include="netstandard2/*.cs" />
              </ItemGroup>
              <ItemGroup>
                <PackageReference Include="Dsl" Version="{packages.Version}" />
                <PackageReference Include="TorchSharp" Version="0.107.0" />
              </ItemGroup>
            </Project>

            """);

        CommandResult build = DotnetCli.Run(library, ["build", "--disable-build-servers"]);
        build.AssertSucceeded();
        Assert.Contains("0 Warning(s)", build.Output, StringComparison.Ordinal);
        foreach (string framework in new[] { "net8.0", "netstandard2.0" })
        {
            Assert.True(File.Exists(Path.Combine(library, "bin", "Debug", framework, "Library.dll")), $"no Library.dll for {framework}");
        }

        // Every model was generated, not just declared: one generated file per model class in each framework's output.
        AssertEveryModelGenerated(Path.Combine(library, "net8"), Path.Combine(library, "generated", "net8.0"));
        AssertEveryModelGenerated(Path.Combine(library, "netstandard2"), Path.Combine(library, "generated", "netstandard2.0"));
    }

    private static void AssertEveryModelGenerated(string sources, string generated)
    {
        var modelClass = new Regex(@"^\[Model\((?:.|\n)*?^public partial class (\w+)", RegexOptions.Multiline);
        string[] models = Directory.GetFiles(sources, "*.cs")
            .SelectMany(f => modelClass.Matches(File.ReadAllText(f)).Select(m => m.Groups[1].Value)).ToArray();
        Assert.NotEmpty(models);
        string[] files = Directory.Exists(generated)
            ? Directory.GetFiles(generated, "*.g.cs", SearchOption.AllDirectories).Select(f => Path.GetFileName(f) ?? f).ToArray()
            : [];
        foreach (string model in models)
        {
            Assert.True(files.Any(f => f.EndsWith("." + model + ".g.cs", StringComparison.Ordinal)),
                $"no generated code for {model} in {generated}: {string.Join(", ", files)}");
        }
    }

    /// <summary><c>namespace X;</c> (C# 10) as <c>namespace X { … }</c>, which C# 7.3 reads.</summary>
    private static string AsBlockNamespace(string source)
    {
        var fileScoped = new Regex(@"^namespace ([\w.]+);\s*$", RegexOptions.Multiline);
        Match match = fileScoped.Match(source);
        Assert.True(match.Success, "an example without a file-scoped namespace");
        return fileScoped.Replace(source, "namespace $1\n{", 1) + "\n}\n";
    }
}
