using System;
using Dsl.Generator.Emit;
using Dsl.Generator.Parsing;
using Dsl.Generator.Tests.Infrastructure;
using Xunit;

namespace Dsl.Generator.Tests;

/// <summary>The assembly's model catalogue (Dsl.Generated.ModelCatalog): which models it lists, and what it says of them.</summary>
public class CatalogueTests
{
    [Fact]
    public void It_lists_the_models_the_assembly_can_name_and_leaves_out_failed_and_private_ones()
    {
        var run = GeneratorHarness.Run("""
            using Dsl;

            namespace Sample;

            /// <summary>A <see cref="Good"/> net for <c>28×28</c> images &amp; more.</summary>
            [Model(1, 28, 28)]
            [Flatten]
            [Linear(10)]
            public partial class Good { }

            [Model(1, 28, 28)]
            [Conv2d(16, 3, Stride = 0)]
            public partial class Broken { }

            public partial class Outer
            {
                [Model(4)]
                [Linear(2)]
                private partial class Hidden { }

                [Model("T")]
                [Embedding(10, 8)]
                [Linear(4)]
                internal partial class Tokens { }
            }
            """);

        var catalogue = run.GeneratedSources[CatalogEmitter.HintName];
        Assert.Contains("\"Good\", \"Sample.Good\",", catalogue, StringComparison.Ordinal);
        Assert.Contains("\"A Good net for 28×28 images & more.\"", catalogue, StringComparison.Ordinal);
        Assert.Contains("\"Tokens\", \"Sample.Outer.Tokens\",", catalogue, StringComparison.Ordinal);
        Assert.Contains("global::Sample.Outer.Tokens.OutputShape, true, global::Sample.Outer.Tokens.ParameterCount, -1,", catalogue, StringComparison.Ordinal);
        Assert.DoesNotContain("Broken", catalogue, StringComparison.Ordinal);
        Assert.DoesNotContain("Hidden", catalogue, StringComparison.Ordinal);
        Assert.True(catalogue.IndexOf("\"Good\"", StringComparison.Ordinal) < catalogue.IndexOf("\"Tokens\"", StringComparison.Ordinal), "name order");
        Assert.Empty(run.CompilationDiagnostics);
    }

    [Theory]
    [InlineData("", "32")]
    [InlineData("[Dim(\"T\", Max = 20)]", "20")]
    [InlineData("[Dim(\"T\", Min = 40)]", "40")]
    [InlineData("[Dim(\"T\", MultipleOf = 12)]", "36")]
    [InlineData("[Dim(\"T\", MultipleOf = 24)]", "24")]
    [InlineData("[Dim(\"T\", Min = 25, Max = 30, MultipleOf = 7)]", "28")]
    public void A_named_dimension_gets_the_allowed_example_value_nearest_to_32(string dim, string expected)
    {
        var run = GeneratorHarness.Run($$"""
            using Dsl;

            namespace Sample;

            [Model(3, "T")]
            {{dim}}
            [Conv1d(4, 1)]
            public partial class Net { }
            """);

        Assert.Contains($"() => new global::Sample.Net(), new long[] {{ 3, {expected} }}, pyTorchSource: global::Sample.Net.PyTorchSource, onnxGraph: global::Sample.Net.OnnxGraph),", run.GeneratedSources[CatalogEmitter.HintName], StringComparison.Ordinal);
    }

    [Fact]
    public void No_catalogue_without_a_model()
    {
        var run = GeneratorHarness.Run("""
            using Dsl;

            namespace Sample;

            [Block]
            [Linear(4)]
            public partial class OnlyABlock { }
            """);

        Assert.DoesNotContain(CatalogEmitter.HintName, run.GeneratedSources.Keys);
    }

    [Theory]
    [InlineData("<summary>Plain.</summary>", "Plain.")]
    [InlineData("<summary>\n Two\n lines.\n</summary>\n<remarks>Not this.</remarks>", "Two lines.")]
    [InlineData("<summary>Uses <see cref=\"T:Sample.Block{T}\"/> and <paramref name=\"x\"/>; <see langword=\"null\"/>.</summary>", "Uses Block<T> and x; null.")]
    [InlineData("<remarks>No summary.</remarks>", "")]
    public void The_description_is_the_summary_as_one_line_of_text(string comment, string expected) =>
        Assert.Equal(expected, DocumentationSummary.FromComment(comment));
}
