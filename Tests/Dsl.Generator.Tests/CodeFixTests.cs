using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Dsl.CodeFixes;
using Dsl.Generator.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.Text;
using Xunit;

namespace Dsl.Generator.Tests;

/// <summary>
/// The code fixes of <see cref="DslCodeFixProvider"/>: each test runs the generator on a source, takes its diagnostic,
/// applies the fix's code action through an <see cref="AdhocWorkspace"/>, and checks the exact fixed source and that
/// the generator reports no DSL error on it.
/// </summary>
public class CodeFixTests
{
    private const string Prelude = "using Dsl;\n\nnamespace Sample;\n\n";

    [Fact]
    public async Task DSL003_replaces_the_misspelt_endpoint_with_the_suggested_name()
    {
        var fixedSource = await ApplyFixAsync("""
            [Model(1, 28, 28)]
            [Conv2d(16, 3, Padding = 1, Name = "stem"), ReLU]
            [Conv2d(16, 3, Padding = 1, Name = "conv")]
            [Skip("stme", "conv")]
            public partial class Typo { }
            """, "DSL003", "Use 'stem'");

        Assert.Equal(Prelude + """
            [Model(1, 28, 28)]
            [Conv2d(16, 3, Padding = 1, Name = "stem"), ReLU]
            [Conv2d(16, 3, Padding = 1, Name = "conv")]
            [Skip("stem", "conv")]
            public partial class Typo { }
            """, fixedSource);
        AssertNoDslErrors(fixedSource);
    }

    [Fact]
    public async Task DSL005_adds_Projection_true_to_the_skip()
    {
        var fixedSource = await ApplyFixAsync("""
            [Model(1, 28, 28)]
            [Conv2d(16, 3, Padding = 1, Name = "stem")]
            [Conv2d(32, 3, Stride = 2, Padding = 1, Name = "down")]
            [Skip("stem", "down")]
            public partial class Mismatch { }
            """, "DSL005", "Set Projection = true");

        Assert.Equal(Prelude + """
            [Model(1, 28, 28)]
            [Conv2d(16, 3, Padding = 1, Name = "stem")]
            [Conv2d(32, 3, Stride = 2, Padding = 1, Name = "down")]
            [Skip("stem", "down", Projection = true)]
            public partial class Mismatch { }
            """, fixedSource);
        AssertNoDslErrors(fixedSource);
    }

    [Fact]
    public async Task DSL006_across_spatial_sizes_adds_Align_Crop()
    {
        const string source = """
            [Model(1, 28, 28)]
            [Conv2d(8, 3, Padding = 1, Name = "enc")]
            [MaxPool2d(2, Name = "pool")]
            [Skip("enc", "pool", Mode = SkipMode.Concat)]
            public partial class BadConcat { }
            """;
        var fixedSource = await ApplyFixAsync(source, "DSL006", "Set Align = SkipAlign.Crop");

        Assert.Equal(Prelude + """
            [Model(1, 28, 28)]
            [Conv2d(8, 3, Padding = 1, Name = "enc")]
            [MaxPool2d(2, Name = "pool")]
            [Skip("enc", "pool", Mode = SkipMode.Concat, Align = SkipAlign.Crop)]
            public partial class BadConcat { }
            """, fixedSource);
        AssertNoDslErrors(fixedSource);

        var padded = await ApplyFixAsync(source, "DSL006", "Set Align = SkipAlign.Pad");
        Assert.Equal(fixedSource.Replace("SkipAlign.Crop", "SkipAlign.Pad"), padded);
        AssertNoDslErrors(padded);
    }

    [Fact]
    public async Task DSL005_across_spatial_sizes_adds_Align_Crop()
    {
        var fixedSource = await ApplyFixAsync("""
            [Model(8, "L")]
            [Dim("L", Min = 2)]
            [Conv1d(8, 3, Padding = 1, Name = "a"), MaxPool1d(2), ConvTranspose1d(8, 2, Stride = 2, Name = "b")]
            [Skip("a", "b")]
            public partial class Never { }
            """, "DSL005", "Set Align = SkipAlign.Crop");

        Assert.Equal(Prelude + """
            [Model(8, "L")]
            [Dim("L", Min = 2)]
            [Conv1d(8, 3, Padding = 1, Name = "a"), MaxPool1d(2), ConvTranspose1d(8, 2, Stride = 2, Name = "b")]
            [Skip("a", "b", Align = SkipAlign.Crop)]
            public partial class Never { }
            """, fixedSource);
        AssertNoDslErrors(fixedSource);
    }

    [Fact]
    public async Task DSL002_adds_partial()
    {
        var fixedSource = await ApplyFixAsync("""
            [Model(4)]
            [Linear(2)]
            public class Sealed { }
            """, "DSL002", "Make it partial");

        Assert.Equal(Prelude + """
            [Model(4)]
            [Linear(2)]
            public partial class Sealed { }
            """, fixedSource);
        AssertNoDslErrors(fixedSource);
    }

    [Fact]
    public async Task DSL002_adds_partial_to_a_class_without_modifiers()
    {
        var fixedSource = await ApplyFixAsync("""
            [Model(4)]
            [Linear(2)]
            class Bare { }
            """, "DSL002", "Make it partial");

        Assert.Equal(Prelude + """
            [Model(4)]
            [Linear(2)]
            partial class Bare { }
            """, fixedSource);
        AssertNoDslErrors(fixedSource);
    }

    [Fact]
    public async Task A_divisibility_error_adds_MultipleOf_to_the_Dim_of_that_name()
    {
        var fixedSource = await ApplyFixAsync("""
            [Model(8, "L")]
            [Dim("L", Min = 2)]
            [Conv1d(8, 3, Padding = 1, Name = "a"), MaxPool1d(2), ConvTranspose1d(8, 2, Stride = 2, Name = "b")]
            [Skip("a", "b")]
            public partial class Never { }
            """, "DSL005", "Add [Dim(\"L\", MultipleOf = 2)]");

        Assert.Equal(Prelude + """
            [Model(8, "L")]
            [Dim("L", Min = 2, MultipleOf = 2)]
            [Conv1d(8, 3, Padding = 1, Name = "a"), MaxPool1d(2), ConvTranspose1d(8, 2, Stride = 2, Name = "b")]
            [Skip("a", "b")]
            public partial class Never { }
            """, fixedSource);
        AssertNoDslErrors(fixedSource);
    }

    [Fact]
    public async Task A_divisibility_error_amends_an_existing_Dim_attribute()
    {
        var fixedSource = await ApplyFixAsync("""
            [Model(1, "H", "W")]
            [Dim("H", Min = 4, MultipleOf = 2), Dim("W", Min = 4, MultipleOf = 4)]
            [Conv2d(16, 3, Padding = 1, Name = "enc1"), MaxPool2d(2)]
            [Conv2d(32, 3, Padding = 1, Name = "enc2"), MaxPool2d(2)]
            [Upsample(2, Name = "up2")]
            [Skip("enc2", "up2", Mode = SkipMode.Concat)]
            public partial class Unet { }
            """, "DSL006", "Add [Dim(\"H\", MultipleOf = 4)]");

        Assert.Equal(Prelude + """
            [Model(1, "H", "W")]
            [Dim("H", Min = 4, MultipleOf = 4), Dim("W", Min = 4, MultipleOf = 4)]
            [Conv2d(16, 3, Padding = 1, Name = "enc1"), MaxPool2d(2)]
            [Conv2d(32, 3, Padding = 1, Name = "enc2"), MaxPool2d(2)]
            [Upsample(2, Name = "up2")]
            [Skip("enc2", "up2", Mode = SkipMode.Concat)]
            public partial class Unet { }
            """, fixedSource);
        AssertNoDslErrors(fixedSource);
    }

    [Fact]
    public async Task A_vanishing_size_adds_the_Dim_minimum()
    {
        var fixedSource = await ApplyFixAsync("""
            [Model(1, "H", "W")]
            [Dim("W", Min = 3)]
            [Conv2d(8, 3)]
            public partial class Vanish { }
            """, "DSL007", "Add [Dim(\"H\", Min = 3)]");

        Assert.Equal(Prelude + """
            [Model(1, "H", "W")]
            [Dim("H", Min = 3)]
            [Dim("W", Min = 3)]
            [Conv2d(8, 3)]
            public partial class Vanish { }
            """, fixedSource);
        AssertNoDslErrors(fixedSource);
    }

    [Fact]
    public async Task A_sequence_longer_than_the_positional_embedding_adds_the_Dim_maximum()
    {
        var fixedSource = await ApplyFixAsync("""
            [Model("T")]
            [Embedding(100, 16), PositionalEmbedding(64)]
            public partial class NoMax { }
            """, "DSL020", "Add [Dim(\"T\", Max = 64)]");

        Assert.Equal(Prelude + """
            [Model("T")]
            [Dim("T", Max = 64)]
            [Embedding(100, 16), PositionalEmbedding(64)]
            public partial class NoMax { }
            """, fixedSource);
        AssertNoDslErrors(fixedSource);
    }

    [Fact]
    public async Task No_DSL003_fix_is_offered_when_no_name_is_near()
    {
        var actions = await ActionsAsync("""
            [Model(8)]
            [Linear(8, Name = "alpha"), Linear(8, Name = "beta")]
            [Skip("zzzzzz", "beta")]
            public partial class Far { }
            """, "DSL003");

        Assert.Empty(actions);
    }

    [Fact]
    public async Task No_Projection_fix_is_offered_for_a_skip_inside_a_used_block()
    {
        var actions = await ActionsAsync("""
            [Block]
            [Conv2d(Channels.Same, 3, Padding = 1, Name = "a"), MaxPool2d(2), Upsample(2, Name = "b")]
            [Skip("a", "b")]
            public partial class Roundtrip { }

            [Model(4, "H", "W")]
            [Dim("H", Min = 4, MultipleOf = 2), Dim("W", Min = 4, MultipleOf = 2)]
            [Use<Roundtrip>(Name = "first")]
            [MaxPool2d(2)]
            [Use<Roundtrip>(Name = "second")]
            public partial class Twice { }
            """, "DSL005");

        Assert.Equal(new[] { "Add [Dim(\"H\", MultipleOf = 4)]" }, actions.Select(a => a.Action.Title).ToArray());
    }

    [Fact]
    public async Task A_UNet_concat_one_pixel_short_sets_OutputPadding_on_the_transposed_convolution()
    {
        // 15 → pool → 7 → ConvTranspose k2 s2 → 14, against the encoder's 15.
        var fixedSource = await ApplyFixAsync("""
            [Model(1, 15, 15)]
            [Conv2d(8, 3, Padding = 1, Name = "enc"), MaxPool2d(2)]
            [Conv2d(16, 3, Padding = 1), ReLU]
            [ConvTranspose2d(8, 2, Stride = 2, Name = "up1")]
            [Skip("enc", "up1", Mode = SkipMode.Concat)]
            public partial class OddUnet { }
            """, "DSL006", "Set OutputPadding = 1 on 'up1'");

        Assert.Equal(Prelude + """
            [Model(1, 15, 15)]
            [Conv2d(8, 3, Padding = 1, Name = "enc"), MaxPool2d(2)]
            [Conv2d(16, 3, Padding = 1), ReLU]
            [ConvTranspose2d(8, 2, Stride = 2, Name = "up1", OutputPadding = 1)]
            [Skip("enc", "up1", Mode = SkipMode.Concat)]
            public partial class OddUnet { }
            """, fixedSource);
        AssertNoDslErrors(fixedSource);
    }

    [Fact]
    public async Task An_add_through_shape_keeping_layers_sets_OutputPadding_on_a_ConvTranspose1d()
    {
        var fixedSource = await ApplyFixAsync("""
            [Model(4, 15)]
            [Conv1d(8, 3, Padding = 1, Name = "enc"), MaxPool1d(2)]
            [ConvTranspose1d(8, 2, Stride = 2, Name = "up"), BatchNorm1d, ReLU(Name = "act")]
            [Skip("enc", "act")]
            public partial class OddSignal { }
            """, "DSL005", "Set OutputPadding = 1 on 'up'");

        Assert.Equal(Prelude + """
            [Model(4, 15)]
            [Conv1d(8, 3, Padding = 1, Name = "enc"), MaxPool1d(2)]
            [ConvTranspose1d(8, 2, Stride = 2, Name = "up", OutputPadding = 1), BatchNorm1d, ReLU(Name = "act")]
            [Skip("enc", "act")]
            public partial class OddSignal { }
            """, fixedSource);
        AssertNoDslErrors(fixedSource);
    }

    [Fact]
    public async Task A_transposed_convolution_one_pixel_long_gets_its_OutputPadding_amended()
    {
        // 13 → Conv2d s2 → 7 → ConvTranspose k3 s2 p1 op1 → 14, against 13: OutputPadding 1 becomes 0.
        var fixedSource = await ApplyFixAsync("""
            [Model(1, 13, 13)]
            [Conv2d(8, 3, Padding = 1, Name = "enc"), Conv2d(16, 3, Stride = 2, Padding = 1)]
            [ConvTranspose2d(8, 3, Stride = 2, Padding = 1, OutputPadding = 1, Name = "up")]
            [Skip("enc", "up", Mode = SkipMode.Concat)]
            public partial class Long { }
            """, "DSL006", "Set OutputPadding = 0 on 'up'");

        Assert.Equal(Prelude + """
            [Model(1, 13, 13)]
            [Conv2d(8, 3, Padding = 1, Name = "enc"), Conv2d(16, 3, Stride = 2, Padding = 1)]
            [ConvTranspose2d(8, 3, Stride = 2, Padding = 1, OutputPadding = 0, Name = "up")]
            [Skip("enc", "up", Mode = SkipMode.Concat)]
            public partial class Long { }
            """, fixedSource);
        AssertNoDslErrors(fixedSource);
    }

    [Fact]
    public async Task No_OutputPadding_fix_is_offered_for_a_transposed_convolution_on_the_from_side()
    {
        // 'act' (14) is upstream of 'back' (15): a new OutputPadding on 'up' would move 'back' to 16 as well.
        var body = """
            [Model(8, 15, 15)]
            [MaxPool2d(2), ConvTranspose2d(8, 2, Stride = 2, Name = "up"), ReLU(Name = "act")]
            [Conv2d(8, 2, Padding = 1, Name = "back")]
            [Skip("act", "back")]
            public partial class FromSide { }
            """;
        var diagnostic = Assert.Single(GeneratorHarness.Run(Prelude + body).GeneratorDiagnostics, d => d.Id == "DSL005");
        Assert.DoesNotContain("OutputPadding", DiagnosticChecks.Message(diagnostic), System.StringComparison.Ordinal);

        var actions = await ActionsAsync(body, "DSL005");

        Assert.DoesNotContain(actions, a => a.Action.EquivalenceKey == "DslOutputPadding");
    }

    [Fact]
    public async Task No_OutputPadding_fix_is_offered_when_a_skip_merges_between_the_transposed_convolution_and_the_merge()
    {
        // 'act' already takes a skip: what reaches 'last' is that merge's result, not the transposed convolution's output alone.
        var body = """
            [Model(8, 15, 15)]
            [Conv2d(8, 3, Padding = 1, Name = "enc"), MaxPool2d(2, Name = "pool")]
            [ConvTranspose2d(8, 2, Stride = 2, Name = "up"), ReLU(Name = "act"), ReLU(Name = "last")]
            [Skip("up", "act")]
            [Skip("enc", "last", Mode = SkipMode.Concat)]
            public partial class MergedBetween { }
            """;
        var run = GeneratorHarness.Run(Prelude + body);
        Assert.True(run.GeneratorDiagnostics.Count(d => d.Id == "DSL006") == 1, GeneratorHarness.RenderDiagnostics(run.GeneratorDiagnostics));
        var diagnostic = run.GeneratorDiagnostics.Single(d => d.Id == "DSL006");
        Assert.DoesNotContain("OutputPadding", DiagnosticChecks.Message(diagnostic), System.StringComparison.Ordinal);

        var actions = await ActionsAsync(body, "DSL006");

        Assert.DoesNotContain(actions, a => a.Action.EquivalenceKey == "DslOutputPadding");
    }

    [Fact]
    public void No_OutputPadding_is_offered_for_a_skip_inside_a_used_block()
    {
        var run = GeneratorHarness.Run(Prelude + """
            [Block]
            [MaxPool2d(2, Name = "pool"), ConvTranspose2d(Channels.Same, 2, Stride = 2, Name = "up")]
            [Skip("input", "up", Mode = SkipMode.Concat)]
            public partial class Roundtrip { }

            [Model(4, 15, 15)]
            [Use<Roundtrip>(Name = "first")]
            public partial class Odd { }
            """);

        var diagnostic = Assert.Single(run.GeneratorDiagnostics, d => d.Id == "DSL006");
        Assert.DoesNotContain("OutputPadding", DiagnosticChecks.Message(diagnostic), System.StringComparison.Ordinal);
        Assert.False(diagnostic.Properties.ContainsKey("OutputPaddingLayer"));
    }

    [Theory]
    // Two pixels short: OutputPadding 2 is not below max(Stride 2, Dilation 1).
    [InlineData("[Model(1, 16, 16)]\n[Conv2d(8, 3, Padding = 1, Name = \"enc\"), Conv2d(16, 3, Stride = 2)]\n[ConvTranspose2d(8, 2, Stride = 2, Name = \"up1\")]")]
    // A layer between that keeps this size but not every size (a padded convolution is not on the list).
    [InlineData("[Model(1, 15, 15)]\n[Conv2d(8, 3, Padding = 1, Name = \"enc\"), MaxPool2d(2)]\n[ConvTranspose2d(8, 2, Stride = 2), Conv2d(8, 3, Padding = 1, Name = \"up1\")]")]
    // Height one short, width not: one OutputPadding for both axes cannot fix it.
    [InlineData("[Model(1, 15, 14)]\n[Conv2d(8, 3, Padding = 1, Name = \"enc\"), MaxPool2d(2)]\n[ConvTranspose2d(8, 2, Stride = 2, Name = \"up1\")]")]
    public async Task No_OutputPadding_fix_is_offered_where_no_OutputPadding_fixes_it(string layers)
    {
        var body = layers + "\n[Skip(\"enc\", \"up1\", Mode = SkipMode.Concat)]\npublic partial class NoFix { }\n";
        var run = GeneratorHarness.Run(Prelude + body);
        var diagnostic = Assert.Single(run.GeneratorDiagnostics, d => d.Id == "DSL006");
        Assert.DoesNotContain("OutputPadding", DiagnosticChecks.Message(diagnostic), System.StringComparison.Ordinal);

        var actions = await ActionsAsync(body, "DSL006");

        Assert.DoesNotContain(actions, a => a.Action.EquivalenceKey == "DslOutputPadding");
    }

    /// <summary>Runs the generator, applies the code action titled <paramref name="title"/> for the only <paramref name="id"/>, returns the new source.</summary>
    private static async Task<string> ApplyFixAsync(string body, string id, string title)
    {
        var found = await ActionsAsync(body, id);
        var (action, document) = found.SingleOrDefault(a => a.Action.Title == title);
        Assert.True(action is not null, $"No code action '{title}'; offered: {string.Join(", ", found.Select(a => a.Action.Title))}");

        var operations = await action.GetOperationsAsync(CancellationToken.None);
        var apply = Assert.Single(operations.OfType<ApplyChangesOperation>());
        var text = await apply.ChangedSolution.GetDocument(document.Id)!.GetTextAsync();
        return text.ToString();
    }

    private static async Task<List<(CodeAction Action, Document Document)>> ActionsAsync(string body, string id)
    {
        var source = Prelude + body;
        var run = GeneratorHarness.Run(source);
        var diagnostic = Assert.Single(run.GeneratorDiagnostics, d => d.Id == id);

        var workspace = new AdhocWorkspace();
        var project = workspace.AddProject(ProjectInfo.Create(
            ProjectId.CreateNewId(), VersionStamp.Create(), "Input", GeneratorHarness.AssemblyName, LanguageNames.CSharp,
            compilationOptions: GeneratorHarness.CompilationOptions, parseOptions: GeneratorHarness.ParseOptions,
            metadataReferences: GeneratorHarness.References));
        var document = workspace.AddDocument(project.Id, GeneratorHarness.SourcePath(0), SourceText.From(source));

        var provider = new DslCodeFixProvider();
        Assert.Contains(id, provider.FixableDiagnosticIds);
        var actions = new List<(CodeAction, Document)>();
        var context = new CodeFixContext(document, diagnostic, (action, _) => actions.Add((action, document)), CancellationToken.None);
        await provider.RegisterCodeFixesAsync(context);
        return actions;
    }

    private static void AssertNoDslErrors(string source)
    {
        var run = GeneratorHarness.Run(source);
        Assert.DoesNotContain(run.GeneratorDiagnostics, d => d.Id.StartsWith("DSL", System.StringComparison.Ordinal) && d.Severity == DiagnosticSeverity.Error);
    }
}
