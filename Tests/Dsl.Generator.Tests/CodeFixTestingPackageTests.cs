using System.Threading.Tasks;
using Dsl.CodeFixes;
using Dsl.Generator.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Testing;
using Xunit;

namespace Dsl.Generator.Tests;

/// <summary>
/// The code fixes through Roslyn's code-fix testing package (<c>Microsoft.CodeAnalysis.CSharp.CodeFix.Testing</c>): the
/// generator runs as a source generator of the test project, its diagnostic is expected at the marked span, the fix is
/// applied, and the fixed source must have no diagnostic at all. <see cref="CodeFixTests"/> tests every fix the same
/// way through an AdhocWorkspace.
/// </summary>
public class CodeFixTestingPackageTests
{
    private const string Prelude = "using Dsl;\n\nnamespace Sample;\n\n";

    private sealed class Test : CSharpCodeFixTest<EmptyDiagnosticAnalyzer, DslCodeFixProvider, DefaultVerifier>
    {
        public Test()
        {
            // Offline: no reference-assembly package download; the references of GeneratorHarness instead.
            ReferenceAssemblies = new ReferenceAssemblies("net10.0");
            TestState.AdditionalReferences.AddRange(GeneratorHarness.References);
            FixedState.AdditionalReferences.AddRange(GeneratorHarness.References);
            TestBehaviors |= TestBehaviors.SkipGeneratedSourcesCheck;
        }

        protected override System.Collections.Generic.IEnumerable<System.Type> GetSourceGenerators() => new[] { typeof(ModelGenerator) };

        protected override CompilationOptions CreateCompilationOptions() => GeneratorHarness.CompilationOptions;

        protected override ParseOptions CreateParseOptions() => GeneratorHarness.ParseOptions;
    }

    [Fact]
    public async Task DSL003_the_misspelt_endpoint_becomes_the_suggested_name()
    {
        await new Test
        {
            TestCode = """
                using Dsl;

                namespace Sample;

                [Model(1, 28, 28)]
                [Conv2d(16, 3, Padding = 1, Name = "stem"), ReLU]
                [Conv2d(16, 3, Padding = 1, Name = "conv")]
                [Skip({|DSL003:"stme"|}, "conv")]
                public partial class Typo { }
                """,
            FixedCode = """
                using Dsl;

                namespace Sample;

                [Model(1, 28, 28)]
                [Conv2d(16, 3, Padding = 1, Name = "stem"), ReLU]
                [Conv2d(16, 3, Padding = 1, Name = "conv")]
                [Skip("stem", "conv")]
                public partial class Typo { }
                """,
        }.RunAsync();
    }

    [Fact]
    public async Task DSL002_partial_is_added()
    {
        await new Test
        {
            TestCode = """
                using Dsl;

                namespace Sample;

                [Model(4)]
                [Linear(2)]
                public class {|DSL002:Sealed|} { }
                """,
            FixedCode = """
                using Dsl;

                namespace Sample;

                [Model(4)]
                [Linear(2)]
                public partial class Sealed { }
                """,
        }.RunAsync();
    }

    [Fact]
    public async Task DSL005_Projection_true_is_added()
    {
        await new Test
        {
            TestCode = Prelude + """
                [Model(1, 28, 28)]
                [Conv2d(16, 3, Padding = 1, Name = "stem")]
                [Conv2d(32, 3, Stride = 2, Padding = 1, Name = "down")]
                [{|DSL005:Skip("stem", "down")|}]
                public partial class Mismatch { }
                """,
            FixedCode = Prelude + """
                [Model(1, 28, 28)]
                [Conv2d(16, 3, Padding = 1, Name = "stem")]
                [Conv2d(32, 3, Stride = 2, Padding = 1, Name = "down")]
                [Skip("stem", "down", Projection = true)]
                public partial class Mismatch { }
                """,
        }.RunAsync();
    }

    [Fact]
    public async Task DSL006_Align_Crop_is_added()
    {
        await new Test
        {
            TestCode = Prelude + """
                [Model(1, 28, 28)]
                [Conv2d(8, 3, Padding = 1, Name = "enc")]
                [MaxPool2d(2, Name = "pool")]
                [{|DSL006:Skip("enc", "pool", Mode = SkipMode.Concat)|}]
                public partial class BadConcat { }
                """,
            FixedCode = Prelude + """
                [Model(1, 28, 28)]
                [Conv2d(8, 3, Padding = 1, Name = "enc")]
                [MaxPool2d(2, Name = "pool")]
                [Skip("enc", "pool", Mode = SkipMode.Concat, Align = SkipAlign.Crop)]
                public partial class BadConcat { }
                """,
            CodeActionEquivalenceKey = "DslAlignCrop",
        }.RunAsync();
    }

    [Fact]
    public async Task DSL006_the_Dim_the_message_names_is_amended()
    {
        await new Test
        {
            TestCode = Prelude + """
                [Model(1, "H", "W")]
                [Dim("H", Min = 4, MultipleOf = 2), Dim("W", Min = 4, MultipleOf = 4)]
                [Conv2d(16, 3, Padding = 1, Name = "enc1"), MaxPool2d(2)]
                [Conv2d(32, 3, Padding = 1, Name = "enc2"), MaxPool2d(2)]
                [Upsample(2, Name = "up2")]
                [{|DSL006:Skip("enc2", "up2", Mode = SkipMode.Concat)|}]
                public partial class Unet { }
                """,
            FixedCode = Prelude + """
                [Model(1, "H", "W")]
                [Dim("H", Min = 4, MultipleOf = 4), Dim("W", Min = 4, MultipleOf = 4)]
                [Conv2d(16, 3, Padding = 1, Name = "enc1"), MaxPool2d(2)]
                [Conv2d(32, 3, Padding = 1, Name = "enc2"), MaxPool2d(2)]
                [Upsample(2, Name = "up2")]
                [Skip("enc2", "up2", Mode = SkipMode.Concat)]
                public partial class Unet { }
                """,
            CodeActionEquivalenceKey = "DslDim",
        }.RunAsync();
    }

    [Fact]
    public async Task DSL006_OutputPadding_is_set_on_the_transposed_convolution_one_pixel_short()
    {
        await new Test
        {
            TestCode = Prelude + """
                [Model(1, 15, 15)]
                [Conv2d(8, 3, Padding = 1, Name = "enc"), MaxPool2d(2)]
                [Conv2d(16, 3, Padding = 1), ReLU]
                [ConvTranspose2d(8, 2, Stride = 2, Name = "up1")]
                [{|DSL006:Skip("enc", "up1", Mode = SkipMode.Concat)|}]
                public partial class OddUnet { }
                """,
            FixedCode = Prelude + """
                [Model(1, 15, 15)]
                [Conv2d(8, 3, Padding = 1, Name = "enc"), MaxPool2d(2)]
                [Conv2d(16, 3, Padding = 1), ReLU]
                [ConvTranspose2d(8, 2, Stride = 2, Name = "up1", OutputPadding = 1)]
                [Skip("enc", "up1", Mode = SkipMode.Concat)]
                public partial class OddUnet { }
                """,
            CodeActionEquivalenceKey = "DslOutputPadding",
        }.RunAsync();
    }
}
