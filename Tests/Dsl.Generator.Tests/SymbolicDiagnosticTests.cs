using System;
using System.Linq;
using Dsl.Generator.Tests.Infrastructure;
using Xunit;
using static Dsl.Generator.Tests.DiagnosticChecks;

namespace Dsl.Generator.Tests;

/// <summary>
/// The diagnostics of named dimensions, layouts, user modules and clashes with generated code: each at a known line,
/// with its exact message, and the valid model beside it still generated (the broken one only as the fallback class).
/// </summary>
public class SymbolicDiagnosticTests
{
    // ---- Rules decided for every allowed value ----

    [Fact]
    public void A_UNet_whose_depth_needs_a_multiple_of_4_says_so_with_a_counterexample()
    {
        var run = Run("""
            [Model(1, "H", "W")]
            [Dim("H", Min = 4, MultipleOf = 2), Dim("W", Min = 4, MultipleOf = 4)]
            [Conv2d(16, 3, Padding = 1, Name = "enc1"), MaxPool2d(2)]
            [Conv2d(32, 3, Padding = 1, Name = "enc2"), MaxPool2d(2)]
            [Upsample(2, Name = "up2")]
            [Skip("enc2", "up2", Mode = SkipMode.Concat)]       // DSL006
            public partial class Unet { }
            """);

        ExpectOnly(run, "DSL006", "// DSL006", "Skip(\"enc2\", \"up2\", Mode = SkipMode.Concat)",
            "Skip from 'enc2' to 'up2' concatenates [N, 32, 2·floor(H/4), W/2] with [N, 32, H/2, W/2]: they differ for H = 6; add [Dim(\"H\", MultipleOf = 4)]"
            + "; or set Align = SkipAlign.Crop (centre-crop the larger, as the original U-Net) or Align = SkipAlign.Pad (zero-pad the smaller)");
    }

    [Fact]
    public void The_same_UNet_with_the_constraint_builds()
    {
        var run = Run("""
            [Model(1, "H", "W")]
            [Dim("H", Min = 4, MultipleOf = 4), Dim("W", Min = 4, MultipleOf = 4)]
            [Conv2d(16, 3, Padding = 1, Name = "enc1"), MaxPool2d(2)]
            [Conv2d(32, 3, Padding = 1, Name = "enc2"), MaxPool2d(2)]
            [Upsample(2, Name = "up2")]
            [Skip("enc2", "up2", Mode = SkipMode.Concat)]
            public partial class Unet { }
            """);

        run.AssertNoDiagnostics();
        Assert.Contains("// [N, 64, H/2, W/2]: skip from 'enc2' (Concat)", run.GeneratedSource("Sample.Unet.g.cs"), StringComparison.Ordinal);
    }

    [Fact]
    public void An_Add_that_holds_only_for_some_sizes_names_a_counterexample()
    {
        var run = Run("""
            [Model(8, "L")]
            [Dim("L", Min = 2)]
            [Conv1d(8, 3, Padding = 1, Name = "a"), MaxPool1d(2), Upsample1dStandIn]
            public partial class Never { }
            """.Replace("Upsample1dStandIn", "ConvTranspose1d(8, 2, Stride = 2, Name = \"b\")]\n[Skip(\"a\", \"b\")]                        // DSL005\n[ReLU"));

        ExpectOnly(run, "DSL005", "// DSL005", "Skip(\"a\", \"b\")",
            "Skip from 'a' to 'b' adds [N, 8, L] to [N, 8, 2·floor(L/2)]: the shapes differ. For L = 3 they are 3 and 2; add [Dim(\"L\", MultipleOf = 2)]."
            + " Or set Align = SkipAlign.Crop (centre-crop the larger, as the original U-Net) or Align = SkipAlign.Pad (zero-pad the smaller).");
    }

    [Fact]
    public void A_pool_chain_that_can_vanish_suggests_a_minimum()
    {
        var run = Run("""
            [Model(1, "H", "W")]
            [Conv2d(8, 3)]                                   // DSL007
            public partial class Vanish { }
            """);

        ExpectOnly(run, "DSL007", "// DSL007", "Conv2d(8, 3)",
            "Layer 'conv1' (Conv2d) turns [N, 1, H, W] into [N, 8, H - 2, W - 2]: the spatial size must stay positive. For H = 1 it is -1; add [Dim(\"H\", Min = 3)].");
    }

    [Fact]
    public void Linear_after_Flatten_of_a_named_dimension_says_why_and_how()
    {
        var run = Run("""
            [Model(1, "H", "W")]
            [Conv2d(4, 3, Padding = 1), Flatten, Linear(10)]     // DSL019
            public partial class Dense { }
            """);

        ExpectOnly(run, "DSL019", "// DSL019", "Linear(10)",
            "Layer 'fc1' (Linear) needs a fixed number of input features, but on input [N, 4·H·W] it is 4·H·W, which depends on a named dimension: " +
            "its parameter count would change with it; reduce the named dimensions first, e.g. GlobalAvgPool instead of Flatten, or give the model a fixed size");
    }

    [Fact]
    public void A_positional_embedding_needs_a_declared_maximum_length()
    {
        var run = Run("""
            [Model("T")]
            [Embedding(100, 16), PositionalEmbedding(64)]     // DSL020
            public partial class NoMax { }
            """);

        ExpectOnly(run, "DSL020", "// DSL020", "PositionalEmbedding(64)",
            "Layer 'pos1' (PositionalEmbedding) has positions for sequences of up to 64, but its length T can be longer: add [Dim(\"T\", Max = 64)]");
    }

    [Fact]
    public void A_positional_embedding_within_the_declared_maximum_builds()
    {
        var run = Run("""
            [Model("T")]
            [Dim("T", Max = 64)]
            [Embedding(100, 16), PositionalEmbedding(64)]
            public partial class WithMax { }
            """);

        run.AssertNoDiagnostics();
    }

    [Fact]
    public void A_block_is_checked_at_each_use_with_the_named_shape_it_gets_there()
    {
        var run = Run("""
            [Block]
            [Conv2d(Channels.Same, 3, Padding = 1, Name = "a"), MaxPool2d(2), Upsample(2, Name = "b")]
            [Skip("a", "b")]
            public partial class Roundtrip { }

            [Model(4, "H", "W")]
            [Dim("H", Min = 4, MultipleOf = 2), Dim("W", Min = 4, MultipleOf = 2)]
            [Use<Roundtrip>(Name = "first")]
            [MaxPool2d(2)]
            [Use<Roundtrip>(Name = "second")]                   // DSL005
            public partial class Twice { }
            """);

        ExpectOnly(run, "DSL005", "// DSL005", "Use<Roundtrip>(Name = \"second\")",
            "Skip from 'second.a' to 'second.b' adds [N, 4, H/2, W/2] to [N, 4, 2·floor(H/4), 2·floor(W/4)]: the shapes differ. For H = 6 they are 3 and 2; add [Dim(\"H\", MultipleOf = 4)]."
            + " Or set Align = SkipAlign.Crop (centre-crop the larger, as the original U-Net) or Align = SkipAlign.Pad (zero-pad the smaller).");
    }

    // ---- Layouts ----

    [Fact]
    public void A_1d_convolution_on_a_sequence_suggests_Transpose()
    {
        var run = Run("""
            [Model(16, 32)]
            [Linear(8), Conv1d(4, 3)]                          // DSL021
            public partial class Mixed { }
            """);

        ExpectOnly(run, "DSL021", "// DSL021", "Conv1d(4, 3)",
            "Layer 'conv1' (Conv1d) needs a signal [N, C, L] but receives a sequence [N, 16, 8]; add [Transpose] before it to swap the last two dimensions (and with them the layout)");
    }

    [Fact]
    public void Transpose_turns_a_sequence_into_a_signal_and_back()
    {
        var run = Run("""
            [Model("T", 32)]
            [Linear(8), Transpose, Conv1d(4, 3, Padding = 1), Transpose, LayerNorm]
            public partial class Mixed { }
            """);

        run.AssertNoDiagnostics();
        var source = run.GeneratedSource("Sample.Mixed.g.cs");
        Assert.Contains("// [N, 8, T] (signal)", source, StringComparison.Ordinal);
        Assert.Contains("public static long[] OutputShape => new long[] { -1, 4 };", source, StringComparison.Ordinal);
    }

    [Fact]
    public void A_rank2_input_is_a_signal_when_its_first_layout_minded_layer_is_1d()
    {
        var run = Run("""
            [Model(3, "L")]
            [ReLU, Conv1d(8, 5, Padding = 2), BatchNorm1d, GlobalAvgPool, Linear(2)]
            public partial class Series { }
            """);

        run.AssertNoDiagnostics();
        Assert.Contains("var relu1 = global::TorchSharp.torch.nn.functional.relu(input);  // [N, 3, L] (signal)", run.GeneratedSource("Sample.Series.g.cs"), StringComparison.Ordinal);
    }

    [Fact]
    public void A_Transpose_before_the_first_1d_layer_makes_the_input_a_sequence()
    {
        var run = Run("""
            [Model(16, 32)]
            [Transpose, Conv1d(8, 3)]
            public partial class Swapped { }
            """);

        run.AssertNoDiagnostics();
        Assert.Contains("// [N, 32, 16] (signal)", run.GeneratedSource("Sample.Swapped.g.cs"), StringComparison.Ordinal);
        Assert.Contains("Conv1d(32, 8, 3)", run.GeneratedSource("Sample.Swapped.g.cs"), StringComparison.Ordinal);
    }

    [Fact]
    public void A_block_without_layout_minded_layers_lets_the_next_layer_decide()
    {
        var run = Run("""
            [Block]
            [ReLU]
            public partial class Activation { }

            [Model(16, 32)]
            [Use<Activation>, Conv1d(8, 3)]
            public partial class Series { }
            """);

        run.AssertNoDiagnostics();
        Assert.Contains("Conv1d(16, 8, 3)", run.GeneratedSource("Sample.Series.g.cs"), StringComparison.Ordinal);
    }

    [Fact]
    public void A_layer_cannot_take_the_name_of_the_generated_constraint_check()
    {
        var run = Run("""
            [Model(1, "H", "W")]
            [Conv2d(4, 1, Name = "CheckDims")]                  // DSL012
            public partial class Named { }
            """);

        ExpectOnly(run, "DSL012", "// DSL012", "Name = \"CheckDims\"", "'CheckDims' cannot name a layer: it is a member of the generated TorchSharp module");
    }

    private const string Both = """
        public sealed class Both : TorchSharp.torch.nn.Module<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor>
        {
            public Both() : base(nameof(Both)) { RegisterComponents(); }
            public Both(long channels) : base(nameof(Both)) { RegisterComponents(); }
            public override TorchSharp.torch.Tensor forward(TorchSharp.torch.Tensor x) => x.alias();
        }

        """;

    [Fact]
    public void A_module_with_both_constructors_over_named_channels_gets_the_parameterless_one()
    {
        var run = Run(Both + """
            [Model("C", 8, 8)]
            [Module<Both>]
            public partial class Named { }
            """);

        run.AssertNoDiagnostics();
        Assert.Contains("module1 = new global::Sample.Both();", run.GeneratedSource("Sample.Named.g.cs"), StringComparison.Ordinal);
    }

    [Fact]
    public void A_module_shape_with_a_name_the_model_does_not_have_is_an_invalid_argument()
    {
        var run = Run(Both + """
            [Model(1, "H", "W")]
            [Module<Both>(Shape = new object[] { 1, "Q", "W" })]  // DSL009
            public partial class Unknown { }
            """);

        ExpectOnly(run, "DSL009", "// DSL009", "Shape = new object[] { 1, \"Q\", \"W\" }",
            "Layer 'module1' (Module): 'Q' is not a named dimension of the model; its named dimensions are H, W");
    }

    // ---- [Dim] ----

    [Theory]
    [InlineData("[Dim(\"X\")]", "X", "[Model(...)] has no dimension named 'X'; its named dimensions are H, W")]
    [InlineData("[Dim(\"H\", Min = 0)]", "H", "Min = 0, but every size is at least 1")]
    [InlineData("[Dim(\"H\", MultipleOf = 0)]", "H", "MultipleOf = 0 must be at least 1")]
    [InlineData("[Dim(\"H\", Min = 10, Max = 4)]", "H", "Max = 4 is smaller than Min = 10")]
    [InlineData("[Dim(\"H\", Min = 5, Max = 7, MultipleOf = 8)]", "H", "no value from 5 to 7 is a multiple of 8")]
    public void DSL018_invalid_constraints(string dim, string name, string problem)
    {
        var run = Run($$"""
            [Model(1, "H", "W")]
            {{dim}}                                   // DSL018
            [Conv2d(4, 1)]
            public partial class Constrained { }
            """);

        ExpectOnly(run, "DSL018", "// DSL018", dim.Substring(1, dim.Length - 2), $"[Dim(\"{name}\")] on 'Constrained' is invalid: {problem}");
    }

    [Fact]
    public void DSL018_a_name_constrained_twice()
    {
        var run = Run("""
            [Model(1, "H", "W")]
            [Dim("H", Min = 4)]
            [Dim("H", MultipleOf = 2)]                      // DSL018
            [Conv2d(4, 1)]
            public partial class Twice { }
            """);

        ExpectOnly(run, "DSL018", "// DSL018", "Dim(\"H\", MultipleOf = 2)",
            "[Dim(\"H\")] on 'Twice' is invalid: 'H' is constrained twice; give all its constraints in one [Dim]");
    }

    // ---- Clashes with generated code ----

    [Fact]
    public void DSL022_a_user_member_that_the_generated_code_defines()
    {
        var run = Run("""
            [Model(8)]
            [Linear(4)]
            public partial class Clash
            {
                public static string Summary => "mine";         // DSL022
            }
            """);

        ExpectOnly(run, "DSL022", "// DSL022", "Summary", "'Clash' declares the property 'Summary', which the generated code also defines: rename yours");
    }

    [Fact]
    public void DSL022_a_user_parameterless_constructor()
    {
        var run = Run("""
            [Model(8)]
            [Linear(4)]
            public partial class Ctor
            {
                public Ctor() { }                               // DSL022
            }
            """);

        var diagnostic = Single(run, "DSL022");
        AssertAt(run, diagnostic, "// DSL022");
        Assert.StartsWith("'Ctor' declares the parameterless constructor 'Ctor', which the generated code also defines", Message(diagnostic), StringComparison.Ordinal);
        // The user's constructor itself cannot compile against Module's base constructor; nothing else fails.
        Assert.All(run.CompilationDiagnostics, d => Assert.Equal(LineOf(run, "// DSL022"), Line(d)));
    }

    [Fact]
    public void DSL012_a_layer_named_like_a_user_member_is_reported_on_its_name()
    {
        var run = Run("""
            [Model(8)]
            [Linear(4, Name = "head")]                          // DSL012
            public partial class Named
            {
                public int head;
            }
            """);

        ExpectOnly(run, "DSL012", "// DSL012", "Name = \"head\"", "'head' cannot name a layer: the class already declares a field 'head'; rename the layer or the field");
    }

    [Theory]
    [InlineData("save")]
    [InlineData("load")]
    [InlineData("register_buffer")]
    public void DSL012_a_layer_named_like_an_inherited_TorchSharp_member(string name)
    {
        var run = Run($$"""
            [Model(8)]
            [Linear(4, Name = "{{name}}")]                      // DSL012
            public partial class Named { }
            """);

        ExpectOnly(run, "DSL012", "// DSL012", $"Name = \"{name}\"", $"'{name}' cannot name a layer: it is a member of the generated TorchSharp module");
    }

    // ---- [Module<T>] ----

    [Fact]
    public void DSL023_a_type_that_is_not_a_module()
    {
        var run = Run("""
            public sealed class NotAModule { }

            [Model(8)]
            [Module<NotAModule>]                                // DSL023
            public partial class UsesPlain { }
            """);

        ExpectOnly(run, "DSL023", "// DSL023", "Module<NotAModule>",
            "'NotAModule' cannot be used with [Module<NotAModule>]: it must be a non-abstract, non-generic class deriving from TorchSharp's Module<Tensor, Tensor>");
    }

    [Fact]
    public void DSL023_a_module_without_a_usable_constructor()
    {
        var run = Run("""
            public sealed class Picky : TorchSharp.torch.nn.Module<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor>
            {
                public Picky(string name) : base(name) { }
                public override TorchSharp.torch.Tensor forward(TorchSharp.torch.Tensor x) => x;
            }

            [Model(8)]
            [Module<Picky>]                                     // DSL023
            public partial class UsesPicky { }
            """);

        ExpectOnly(run, "DSL023", "// DSL023", "Module<Picky>",
            "'Picky' cannot be used with [Module<Picky>]: it needs a public parameterless constructor, or a public constructor that takes the input channels as a long");
    }

    // ---- After an error, no cascade ----

    [Fact]
    public void A_model_with_a_DSL_error_still_compiles_where_it_is_used()
    {
        var run = Run("""
            [Model(1, 28, 28)]
            [Conv2d(16, 3, Name = "stem"), Conv2d(32, 3, Name = "down")]
            [Skip("stem", "down")]                              // DSL005
            public partial class Broken { }

            public static class User
            {
                public static string Use()
                {
                    using var net = new Broken();
                    var shape = Broken.OutputShapeFor(1, 28, 28);
                    return Broken.Summary + Broken.SummaryExpanded + Broken.Diagram + Broken.MultiplyAccumulatesFor(1, 28, 28)
                        + Broken.ParameterCount + net.parameters().Count() + shape.Length;
                }
            }
            """.Replace("public static class User", "internal static class User").Replace("net.parameters().Count()", "System.Linq.Enumerable.Count(net.parameters())"));

        var diagnostic = Single(run, "DSL005");
        AssertAt(run, diagnostic, "// DSL005");
        Assert.True(run.CompilationDiagnostics.IsEmpty, "The uses of the broken model should compile.\n" + Describe(run));
        Assert.Contains(FallbackMarker, run.GeneratedSource("Sample.Broken.g.cs"), StringComparison.Ordinal);
    }

    // ---- The projection-stride bug ----

    [Theory]
    [InlineData("32, 1, 128", "[Conv2d(64, 3, Stride = 2, Padding = 1, Name = \"c\"), BatchNorm2d(Name = \"bn2\")]", 2)] // 1×128 → 1×64
    [InlineData("8, 2, 16", "[Conv2d(16, 1, Stride = 4, Name = \"c\"), BatchNorm2d(Name = \"bn2\")]", 4)]                 // 2×16 → 1×4
    public void A_projection_finds_the_stride_beyond_the_smaller_side(string input, string layers, int stride)
    {
        var run = GeneratorHarness.Run($$"""
            using Dsl;

            namespace Sample;

            [Model({{input}})]
            {{layers}}
            [Skip("input", "bn2", Projection = true)]
            public partial class Net { }
            """);

        run.AssertNoDiagnostics();
        Assert.Contains($", 1, stride: {stride}, bias: false)", run.GeneratedSource("Sample.Net.g.cs"), StringComparison.Ordinal);
    }
}
