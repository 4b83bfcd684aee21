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
