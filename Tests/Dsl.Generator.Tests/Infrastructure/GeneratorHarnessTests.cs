using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;
using Xunit.Sdk;

namespace Dsl.Generator.Tests.Infrastructure;

public class GeneratorHarnessTests
{
    private const string ValidModel = """
        using Dsl;

        namespace Sample;

        [Model(1, 28, 28)]
        [Conv2d(16, 3, Padding = 1)]
        [ReLU]
        [Flatten]
        [Linear(10)]
        public partial class Net
        {
        }
        """;

    [Fact]
    public void CreateCompilation_of_a_valid_class_using_the_attributes_and_TorchSharp_has_no_diagnostics()
    {
        var compilation = GeneratorHarness.CreateCompilation(ValidModel, """
            using TorchSharp;

            namespace Sample;

            public static class Helpers
            {
                public static torch.Tensor Twice(torch.Tensor x) => x * 2;
                public static string? Maybe(bool yes) => yes ? "yes" : null;
            }
            """);

        Assert.Empty(compilation.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning));
        Assert.Equal(["Model0.cs", "Model1.cs"], compilation.SyntaxTrees.Select(t => t.FilePath));
        Assert.Equal(OutputKind.DynamicallyLinkedLibrary, compilation.Options.OutputKind);
        Assert.Equal(NullableContextOptions.Enable, compilation.Options.NullableContextOptions);
        Assert.Equal(
            LanguageVersion.Latest.MapSpecifiedToEffectiveVersion(),
            ((CSharpParseOptions)compilation.SyntaxTrees[0].Options).LanguageVersion);
    }

    [Fact]
    public void CreateCompilation_has_nullable_warnings_on()
    {
        var compilation = GeneratorHarness.CreateCompilation("public class C { public string S = null; }");

        Assert.Contains(compilation.GetDiagnostics(), d => d.Id == "CS8625");
    }

    [Fact]
    public void References_are_the_framework_the_attributes_and_TorchSharp_but_no_test_assemblies()
    {
        var names = GeneratorHarness.References
            .Select(r => Path.GetFileNameWithoutExtension(r.Display ?? ""))
            .ToHashSet();

        Assert.Contains("System.Runtime", names);
        Assert.Contains("System.Linq", names);
        Assert.Contains("Dsl.Attributes", names);
        Assert.Contains("TorchSharp", names);
        Assert.DoesNotContain("Dsl.Generator", names);
        Assert.DoesNotContain("Dsl.Generator.Tests", names);
        Assert.DoesNotContain("Microsoft.CodeAnalysis", names);
        Assert.DoesNotContain("xunit.core", names);
        Assert.DoesNotContain("DiffPlex", names);
    }

    [Fact]
    public void RenderDiagnostics_puts_carets_under_the_span()
    {
        var compilation = GeneratorHarness.CreateCompilation("""
            class C
            {
                void M() { int x = "text"; }
            }
            """);
        var error = compilation.GetDiagnostics().Where(d => d.Id == "CS0029");

        var rendered = GeneratorHarness.RenderDiagnostics(error);

        Assert.Equal(
            "CS0029 error at Model0.cs(3,24): Cannot implicitly convert type 'string' to 'int'\n" +
            "  3 |     void M() { int x = \"text\"; }\n" +
            "    |                        ^^^^^^\n",
            rendered);
    }

    [Fact]
    public void RenderDiagnostics_renders_several_lines_tabs_and_diagnostics_without_a_location()
    {
        var descriptor = new DiagnosticDescriptor("TST001", "t", "{0}", "Test", DiagnosticSeverity.Warning, true);
        var compilation = GeneratorHarness.CreateCompilation("class C\n{\n\tint F() => 1 +\n\t\t2;\n}\n");
        var tree = compilation.SyntaxTrees[0];
        var text = tree.ToString();
        var start = text.IndexOf("1 +", System.StringComparison.Ordinal);
        var end = text.IndexOf("2;", System.StringComparison.Ordinal) + 1;
        var span = Location.Create(tree, Microsoft.CodeAnalysis.Text.TextSpan.FromBounds(start, end));

        var rendered = GeneratorHarness.RenderDiagnostics(
        [
            Diagnostic.Create(descriptor, span, "two lines"),
            Diagnostic.Create(descriptor, Location.None, "nowhere"),
        ]);

        Assert.Equal(
            "TST001 warning at Model0.cs(3,13): two lines\n" +
            "  3 | \tint F() => 1 +\n" +
            "    | \t           ^^^\n" +
            "  4 | \t\t2;\n" +
            "    | ^^^\n" +
            "TST001 warning: nowhere\n",
            rendered);
    }

    [Fact]
    public void Run_of_the_real_generator_on_a_valid_model_does_not_throw()
    {
        var run = GeneratorHarness.Run(ValidModel);

        Assert.Single(run.Result.Results);
        Assert.Null(run.Result.Results[0].Exception);
    }

    [Fact]
    public void Run_collects_generated_sources_and_sorted_generator_diagnostics()
    {
        var compilation = GeneratorHarness.CreateCompilation(
            "[Dsl.Model(4)] public partial class BadZeta {}",
            "[Dsl.Model(4)] public partial class Alpha {}\n[Dsl.Model(4)] public partial class BadBeta {}");

        var run = GeneratorHarness.Run(compilation, new ModelNamesGenerator());

        Assert.Equal(["Alpha.g.cs", "BadBeta.g.cs", "BadZeta.g.cs"], run.GeneratedSources.Keys);
        Assert.Contains("public static string Describe() => \"Alpha\";", run.GeneratedSource("Alpha"));
        Assert.Equal(
            ["Model0.cs: The model name 'BadZeta' starts with Bad", "Model1.cs: The model name 'BadBeta' starts with Bad"],
            run.GeneratorDiagnostics.Select(d => $"{d.Location.GetLineSpan().Path}: {d.GetMessage()}"));
        Assert.Empty(run.CompilationDiagnostics);
        Assert.Equal(5, run.OutputCompilation.SyntaxTrees.Count());
        run.AssertNoErrors();
        Assert.Throws<XunitException>(run.AssertNoDiagnostics);
    }

    [Fact]
    public void GeneratedSource_fails_listing_the_hint_names_when_none_or_several_match()
    {
        var run = GeneratorHarness.Run(
            GeneratorHarness.CreateCompilation("[Dsl.Model(4)] public partial class Alpha {}", "[Dsl.Model(4)] public partial class Beta {}"),
            new ModelNamesGenerator());

        var none = Assert.Throws<XunitException>(() => run.GeneratedSource("Gamma"));
        var several = Assert.Throws<XunitException>(() => run.GeneratedSource(".g.cs"));

        Assert.Contains("found 0", none.Message);
        Assert.Contains("Alpha.g.cs, Beta.g.cs", none.Message);
        Assert.Contains("found 2", several.Message);
    }

    [Fact]
    public void Run_fails_when_a_generator_throws()
    {
        var failure = Assert.Throws<XunitException>(
            () => GeneratorHarness.Run(GeneratorHarness.CreateCompilation("class C {}"), new ThrowingGenerator()));

        Assert.Contains("must never throw", failure.Message);
        Assert.Contains(ThrowingGenerator.Message, failure.Message);
        Assert.Contains(nameof(ThrowingGenerator), failure.Message);
    }

    [Fact]
    public void AssertNoErrors_lists_diagnostics_with_source_lines_and_the_generated_code()
    {
        var run = GeneratorHarness.Run(
            GeneratorHarness.CreateCompilation("class C {}"),
            new FixedSourceGenerator("class Generated\n{\n    int F() => \"no\";\n}\n"));

        var failure = Assert.Throws<XunitException>(run.AssertNoErrors);

        Assert.Contains("CS0029 error at ", failure.Message);
        Assert.Contains("FixedSourceGenerator/Fixed.g.cs(3,16): Cannot implicitly convert type 'string' to 'int'\n", failure.Message);
        Assert.Contains("    |                ^^^^\n", failure.Message);
        Assert.EndsWith("// ---- Fixed.g.cs ----\n1 | class Generated\n2 | {\n3 |     int F() => \"no\";\n4 | }\n", failure.Message);
    }

    [Fact]
    public void AssertNoDiagnostics_fails_on_a_warning_in_generated_code()
    {
        var run = GeneratorHarness.Run(
            GeneratorHarness.CreateCompilation("class C {}"),
            // Generated files are nullable-oblivious unless they say #nullable enable.
            new FixedSourceGenerator("#nullable enable\npublic class Generated\n{\n    public string S = null;\n}\n"));

        run.AssertNoErrors();
        var failure = Assert.Throws<XunitException>(run.AssertNoDiagnostics);

        Assert.Contains("CS8625 warning", failure.Message);
    }

    [Fact]
    public void Rerun_with_an_unrelated_change_leaves_the_model_step_cached_or_unchanged()
    {
        var compilation = GeneratorHarness.CreateCompilation("[Dsl.Model(4)] public partial class Alpha {}");
        var first = GeneratorHarness.Run(compilation, new ModelNamesGenerator());

        var second = first.Rerun(GeneratorHarness.AddSource(compilation, "class Unrelated {}"));

        Assert.Equal(["Model0.cs", "Model1.cs"], second.InputCompilation.SyntaxTrees.Select(t => t.FilePath));
        Assert.Equal([IncrementalStepRunReason.New], GeneratorHarness.StepReasons(first.Result, "Models"));
        GeneratorHarness.AssertStepReasons(second.Result, "Models", IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged);
        GeneratorHarness.AssertStepReasons(second.Result, "Texts", IncrementalStepRunReason.Cached);
        Assert.Equal(first.GeneratedSources, second.GeneratedSources);
    }

    [Fact]
    public void AssertStepReasons_fails_with_every_steps_reasons_when_a_model_changed()
    {
        var compilation = GeneratorHarness.CreateCompilation("[Dsl.Model(4)] public partial class Alpha {}");
        var first = GeneratorHarness.Run(compilation, new ModelNamesGenerator());

        var second = first.Rerun(GeneratorHarness.ReplaceSource(compilation, "Model0.cs", "[Dsl.Model(4)] public partial class Omega {}"));
        var failure = Assert.Throws<XunitException>(() => GeneratorHarness.AssertStepReasons(
            second.Result, "Texts", IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged));

        Assert.Equal(["Omega.g.cs"], second.GeneratedSources.Keys);
        Assert.Contains("Step \"Texts\" has outputs whose reason is not Cached or Unchanged", failure.Message);
        Assert.Contains("run 0, output 0: Modified  (Omega, ", failure.Message);
        Assert.Contains("Tracked steps of ModelNamesGenerator:\n  Models [run 0]:\n    output 0: Modified  ModelName { Name = Omega", failure.Message);
        Assert.Contains("Roslyn's own steps:\n", failure.Message);
    }

    [Fact]
    public void AssertStepReasons_fails_for_an_unknown_step()
    {
        var run = GeneratorHarness.Run(GeneratorHarness.CreateCompilation("class C {}"), new ModelNamesGenerator());

        var failure = Assert.Throws<XunitException>(
            () => GeneratorHarness.AssertStepReasons(run.Result, "NoSuchStep", IncrementalStepRunReason.Cached));

        Assert.Contains("No tracked step is named \"NoSuchStep\"", failure.Message);
    }

    [Fact]
    public void TrackedStepNames_lists_the_generators_own_steps_only()
    {
        var run = GeneratorHarness.Run(
            GeneratorHarness.CreateCompilation("[Dsl.Model(4)] public partial class Alpha {}"), new ModelNamesGenerator());

        Assert.Equal(["Models", "Texts"], GeneratorHarness.TrackedStepNames(run.Result));
    }

    [Fact]
    public void DeclaredTrackingNames_are_distinct()
    {
        var names = GeneratorHarness.DeclaredTrackingNames();

        Assert.Equal(names.Distinct().Count(), names.Count);
    }

    [Fact]
    public void AssertNoForbiddenTypes_passes_for_records_of_strings_and_spans()
    {
        var run = GeneratorHarness.Run(
            GeneratorHarness.CreateCompilation("[Dsl.Model(4)] public partial class Alpha {}", "[Dsl.Model(4)] public partial class BadBeta {}"),
            new ModelNamesGenerator());

        GeneratorHarness.AssertNoForbiddenTypes(run.Result);
        GeneratorHarness.AssertNoForbiddenTypes(run.Result, "Models", "Texts");
    }

    [Fact]
    public void AssertNoForbiddenTypes_names_the_path_to_a_symbol_and_to_a_location_in_a_tuple_in_an_array()
    {
        var run = GeneratorHarness.Run(
            GeneratorHarness.CreateCompilation("[Dsl.Model(4)] public partial class Alpha {}"), new LeakyGenerator());

        var failure = Assert.Throws<XunitException>(() => GeneratorHarness.AssertNoForbiddenTypes(run.Result));

        Assert.Contains("\"Leaky\" run 0 output 0.Symbol is a ISymbol", failure.Message);
        Assert.Contains("\"LeakyLocations\" run 0 output 0.Item2[0].Item2 is a Location", failure.Message);
        Assert.Contains("(walked steps: Leaky, LeakyLocations)", failure.Message);
    }

    [Fact]
    public void AssertNoForbiddenTypes_fails_for_an_unknown_step()
    {
        var run = GeneratorHarness.Run(GeneratorHarness.CreateCompilation("class C {}"), new ModelNamesGenerator());

        Assert.Throws<XunitException>(() => GeneratorHarness.AssertNoForbiddenTypes(run.Result, "NoSuchStep"));
    }

    private sealed class Node
    {
        public Node? Next { get; set; }

        public object? Payload { get; set; }
    }

    [Fact]
    public void ObjectGraphWalker_survives_cycles_and_default_immutable_arrays_and_looks_into_dictionaries()
    {
        var tree = GeneratorHarness.CreateCompilation("class C {}").SyntaxTrees[0];
        var cycle = new Node();
        cycle.Next = new Node { Next = cycle, Payload = default(ImmutableArray<int>) };
        var dictionary = new Dictionary<string, object> { ["tree"] = tree };
        var found = new List<string>();

        ObjectGraphWalker.FindForbidden(cycle, "cycle", found);
        ObjectGraphWalker.FindForbidden(new Node { Payload = dictionary }, "dict", found);
        ObjectGraphWalker.FindForbidden((1, "two", new[] { 3, 4 }), "tuple", found);

        var only = Assert.Single(found);
        Assert.StartsWith("dict.Payload[0].value is a SyntaxTree", only);
    }
}
