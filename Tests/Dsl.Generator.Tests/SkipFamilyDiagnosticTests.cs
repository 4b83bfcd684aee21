using Xunit;
using static Dsl.Generator.Tests.DiagnosticChecks;

namespace Dsl.Generator.Tests;

/// <summary>
/// The skip family's diagnostics (DSL009 values, DSL024 combinations, DSL025 duplicates, DSL026 shapes), each on its
/// line and underlining the argument at fault.
/// </summary>
public class SkipFamilyDiagnosticTests
{
    private const string TwoLinears = """
        [Model(8)]
        [Linear(8, Name = "a")]
        [Linear(8, Name = "b")]
        """;

    [Theory]
    [InlineData("Mode = SkipMode.Concat, Scale = SkipScale.Scalar", "Scale = SkipScale.Scalar", "Scale = SkipScale.Scalar", "Mode = SkipMode.Concat",
        "a learned scale weighs an Add's branch (from + s·to); only Add takes one")]
    [InlineData("Mode = SkipMode.Multiply, Scale = SkipScale.PerChannel", "Scale = SkipScale.PerChannel", "Scale = SkipScale.PerChannel", "Mode = SkipMode.Multiply",
        "a learned scale weighs an Add's branch (from + s·to); only Add takes one")]
    [InlineData("Mode = SkipMode.Highway, Scale = SkipScale.Scalar", "Scale = SkipScale.Scalar", "Scale = SkipScale.Scalar", "Mode = SkipMode.Highway",
        "a learned scale weighs an Add's branch (from + s·to); only Add takes one")]
    [InlineData("Mode = SkipMode.Concat, DropPath = 0.1", "DropPath = 0.1", "DropPath", "Mode = SkipMode.Concat",
        "stochastic depth drops an Add's branch and keeps its carry; only Add takes it")]
    [InlineData("Mode = SkipMode.Multiply, DropPath = 0.2", "DropPath = 0.2", "DropPath", "Mode = SkipMode.Multiply",
        "stochastic depth drops an Add's branch and keeps its carry; only Add takes it")]
    [InlineData("Mode = SkipMode.Multiply, Projection = true", "Projection = true", "Projection", "Mode = SkipMode.Multiply",
        "a projection maps the carried value onto an Add's shape; only Add takes one")]
    [InlineData("Mode = SkipMode.Concat, Projection = true", "Projection = true", "Projection", "Mode = SkipMode.Concat",
        "a projection maps the carried value onto an Add's shape; only Add takes one")]
    [InlineData("Mode = SkipMode.Highway, Projection = true", "Projection = true", "Projection", "Mode = SkipMode.Highway",
        "a Highway skip carries 'from' unchanged and learns only its gate; make both shapes equal")]
    [InlineData("Mode = SkipMode.Multiply, Align = SkipAlign.Crop", "Align = SkipAlign.Crop", "Align = SkipAlign.Crop", "Mode = SkipMode.Multiply",
        "a Multiply broadcasts size-1 dimensions; crop or pad applies to Add and Concat only")]
    [InlineData("Projection = true, Align = SkipAlign.Pad", "Align = SkipAlign.Pad", "Align = SkipAlign.Pad", "Projection",
        "the projection's stride already maps the sizes; use one or the other")]
    [InlineData("ScaleInit = 0.5", "ScaleInit = 0.5", "ScaleInit", "no Scale",
        "ScaleInit is the learned scale's initial value; set Scale = SkipScale.Scalar or SkipScale.PerChannel too")]
    [InlineData("Name = \"proj\"", "Name = \"proj\"", "Name", "no Projection",
        "Name names the projection's field; set Projection = true too, or remove Name")]
    [InlineData("Mode = SkipMode.Concat, Name = \"proj\"", "Name = \"proj\"", "Name", "no Projection",
        "Name names the projection's field; set Projection = true too, or remove Name")]
    public void A_combination_that_makes_no_sense_is_DSL024_on_the_argument_at_fault(string options, string underlines, string option, string with, string why)
    {
        var run = Run(TwoLinears + $"\n[Skip(\"a\", \"b\", {options})]   // DSL024\npublic partial class Odd {{ }}\n");

        ExpectOnly(run, "DSL024", "// DSL024", underlines, $"Skip from 'a' to 'b' cannot combine {option} with {with}: {why}");
    }

    [Theory]
    [InlineData("DropPath = 1.0", "DropPath = 1 is invalid: a drop probability must be at least 0 and below 1")]
    [InlineData("DropPath = -0.1", "DropPath = -0.1 is invalid: a drop probability must be at least 0 and below 1")]
    [InlineData("Scale = (SkipScale)9", "Scale = 9 is not a SkipScale; use SkipScale.Scalar or SkipScale.PerChannel")]
    [InlineData("Align = (SkipAlign)5", "Align = 5 is not a SkipAlign; use SkipAlign.Crop or SkipAlign.Pad")]
    [InlineData("Scale = SkipScale.Scalar, ScaleInit = double.PositiveInfinity", "ScaleInit = Infinity is invalid: give a finite initial scale")]
    public void An_option_out_of_range_is_DSL009(string options, string message)
    {
        var run = Run(TwoLinears + $"\n[Skip(\"a\", \"b\", {options})]   // DSL009\npublic partial class Odd {{ }}\n");

        ExpectOnly(run, "DSL009", "// DSL009", options.Contains("ScaleInit") ? "ScaleInit = double.PositiveInfinity" : options,
            "Layer 'a -> b' (Skip): " + message);
    }

    private const string Projected = """
        [Model(8)]
        [Linear(8, Name = "a")]
        [Linear(4, Name = "b")]
        """;

    [Theory]
    [InlineData("1x", "a projection's Name must be a C# identifier (letters, digits and '_', not starting with a digit), because it names a field and a state_dict key")]
    [InlineData("class", "it is a C# keyword")]
    [InlineData("input", "'input' is reserved for the network's input in skips")]
    [InlineData("forward", "it is a member of the generated TorchSharp module")]
    [InlineData("Odd", "the projection of the skip a -> b cannot have the name of its class")]
    [InlineData("a", "it is a layer's name; the projection of the skip a -> b needs a name of its own")]
    [InlineData("b_out", "the generated code already uses it for layer 'b'; choose another name")]
    public void A_projection_Name_that_cannot_name_a_field_is_DSL012_on_it(string name, string reason)
    {
        var run = Run(Projected + $"\n[Skip(\"a\", \"b\", Projection = true, Name = \"{name}\")]   // DSL012\npublic partial class Odd {{ }}\n");

        ExpectOnly(run, "DSL012", "// DSL012", $"Name = \"{name}\"", $"'{name}' cannot name a layer: {reason}");
    }

    [Fact]
    public void Two_projections_with_one_Name_is_DSL012_on_the_second()
    {
        var run = Run(Projected + """

            [Linear(2, Name = "c")]
            [Skip("a", "b", Projection = true, Name = "proj")]
            [Skip("b", "c", Projection = true, Name = "proj")]   // DSL012
            public partial class Twice { }
            """);

        ExpectOnly(run, "DSL012", "// DSL012", "Name = \"proj\"", "'proj' cannot name a layer: another skip's projection already has this Name");
    }

    [Fact]
    public void A_projection_Name_like_a_user_member_is_DSL012_on_it()
    {
        var run = Run(Projected + """

            [Skip("a", "b", Projection = true, Name = "head")]   // DSL012
            public partial class Mine { private readonly int head = 1; public int Head => head; }
            """);

        ExpectOnly(run, "DSL012", "// DSL012", "Name = \"head\"",
            "'head' cannot name a layer: the class already declares a field 'head'; rename the projection of the skip a -> b or the field");
    }

    [Fact]
    public void A_projection_Name_names_its_field_and_local()
    {
        var run = Run(Projected + """

            [Skip("a", "b", Projection = true, Name = "proj")]
            public partial class Named { }
            """);

        Assert.Empty(run.GeneratorDiagnostics);
        var source = run.GeneratedSource("Named");
        Assert.Contains("private readonly global::TorchSharp.Modules.Linear proj;", source);
        Assert.Contains("var proj = this.proj.call(a);", source);
        Assert.DoesNotContain("a_to_b", source);
    }

    [Fact]
    public void A_second_skip_between_the_same_layers_is_DSL025_on_it()
    {
        var run = Run(TwoLinears + """

            [Skip("a", "b")]
            [Skip("a", "b", Mode = SkipMode.Multiply)]   // DSL025
            public partial class Twice { }
            """);

        ExpectOnly(run, "DSL025", "// DSL025", "Skip(\"a\", \"b\", Mode = SkipMode.Multiply)",
            "Skip from 'a' to 'b' is declared more than once: an earlier [Skip] already merges 'a' into 'b' (Mode = SkipMode.Add); remove one, or merge into another layer");
    }

    [Fact]
    public void A_Multiply_of_shapes_that_do_not_broadcast_names_both()
    {
        var run = Run("""
            [Model(16, 8, 8)]
            [Conv2d(16, 1, Name = "a")]
            [GlobalAvgPool(KeepDims = true)]
            [Conv2d(8, 1, Name = "gate")]
            [Skip("a", "gate", Mode = SkipMode.Multiply)]   // DSL026
            public partial class WrongGate { }
            """);

        ExpectOnly(run, "DSL026", "// DSL026", "Skip(\"a\", \"gate\", Mode = SkipMode.Multiply)",
            "Skip from 'a' to 'gate' (Multiply) cannot merge [N, 16, 8, 8] into [N, 8, 1, 1]: axis 1 is 16 against 8; each dimension must be equal on both sides, or 1 on one of them");
    }

    [Fact]
    public void A_Multiply_of_different_ranks_suggests_KeepDims()
    {
        var run = Run("""
            [Model(16, 8, 8)]
            [Conv2d(16, 1, Name = "a")]
            [GlobalAvgPool]
            [Linear(16, Name = "gate")]
            [Skip("a", "gate", Mode = SkipMode.Multiply)]   // DSL026
            public partial class FlatGate { }
            """);

        ExpectOnly(run, "DSL026", "// DSL026", "Skip(\"a\", \"gate\", Mode = SkipMode.Multiply)",
            "Skip from 'a' to 'gate' (Multiply) cannot merge [N, 16, 8, 8] into [N, 16]: their ranks differ; a Multiply broadcasts size-1 dimensions of tensors of the same rank (use GlobalAvgPool(KeepDims = true) for a [C, 1, 1] gate)");
    }

    [Fact]
    public void A_Highway_between_different_shapes_is_DSL026()
    {
        var run = Run("""
            [Model(8)]
            [Linear(8, Name = "a")]
            [Linear(6, Name = "b")]
            [Skip("a", "b", Mode = SkipMode.Highway)]   // DSL026
            public partial class UnevenHighway { }
            """);

        ExpectOnly(run, "DSL026", "// DSL026", "Skip(\"a\", \"b\", Mode = SkipMode.Highway)",
            "Skip from 'a' to 'b' (Highway) cannot merge [N, 8] into [N, 6]: a Highway mixes two values of one shape (T·to + (1 − T)·from), and these differ. Make both shapes equal.");
    }

    [Fact]
    public void Align_on_vectors_is_DSL026()
    {
        var run = Run("""
            [Model(8)]
            [Linear(8, Name = "a")]
            [Linear(6, Name = "b")]
            [Skip("a", "b", Mode = SkipMode.Concat, Align = SkipAlign.Crop)]   // DSL026
            public partial class CropsVectors { }
            """);

        ExpectOnly(run, "DSL026", "// DSL026", "Skip(\"a\", \"b\", Mode = SkipMode.Concat, Align = SkipAlign.Crop)",
            "Skip from 'a' to 'b' (Concat) cannot merge [N, 8] into [N, 6]: Align = SkipAlign.Crop lines up the spatial sizes of images or signals, but this skip joins a vector [N, F] and a vector [N, F]");
    }

    [Fact]
    public void Align_with_named_sizes_where_either_side_can_be_larger_is_DSL026_with_both_examples()
    {
        var run = Run("""
            [Model(4, "L")]
            [Dim("L", Min = 8)]
            [Conv1d(4, 1, Name = "a")]
            [ConvTranspose1d(4, 2, Stride = 2)]
            [MaxPool1d(3)]
            [Conv1d(4, 1, Padding = 2, Name = "c")]
            [Skip("a", "c", Align = SkipAlign.Crop)]   // DSL026
            public partial class EitherSide { }
            """);

        var diagnostic = Single(run, "DSL026");
        AssertAt(run, diagnostic, "// DSL026", "Skip(\"a\", \"c\", Align = SkipAlign.Crop)");
        Assert.Contains("neither side is always the larger", Message(diagnostic), System.StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("DropPath = 1.5", "DropPath = 1.5", "DSL009", "Layer 'deep' (Use): DropPath = 1.5 is invalid: a drop probability must be at least 0 and below 1")]
    [InlineData("DropPathEnd = 0.1", "DropPathEnd = 0.1", "DSL024", "Skip from '(the block's skips)' to 'Residual' cannot combine DropPathEnd with no DropPath: DropPathEnd is the last copy's rate of a schedule that starts at DropPath; set DropPath too")]
    public void A_Use_schedule_out_of_range_or_without_its_start_is_an_error(string options, string underlines, string id, string message)
    {
        var run = Run($$"""
            [Block]
            [Linear(8, Name = "a")]
            [Skip("input", "a")]
            public partial class Residual { }

            [Model(8)]
            [Use<Residual>(Repeat = 3, {{options}}, Name = "deep")]   // {{id}}
            public partial class Deep { }
            """);

        ExpectOnly(run, id, "// " + id, underlines, message);
    }

    [Fact]
    public void A_Use_DropPath_on_a_block_without_an_Add_skip_is_DSL024()
    {
        var run = Run("""
            [Block]
            [Linear(8, Name = "a")]
            [Skip("input", "a", Mode = SkipMode.Concat)]
            public partial class Joins { }

            [Model(8)]
            [Use<Joins>(DropPath = 0.1)]   // DSL024
            public partial class Deep { }
            """);

        ExpectOnly(run, "DSL024", "// DSL024", "DropPath = 0.1",
            "Skip from '(the block's skips)' to 'Joins' cannot combine DropPath with block 'Joins': stochastic depth drops the branch of an Add skip, and the block has none");
    }
}
