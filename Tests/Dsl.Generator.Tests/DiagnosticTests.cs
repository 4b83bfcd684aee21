using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using Dsl.Generator.Tests.Infrastructure;
using Xunit;
using static Dsl.Generator.Tests.DiagnosticChecks;

namespace Dsl.Generator.Tests;

/// <summary>
/// Every diagnostic DSL001..DSL017, each from a small source in which a comment marks the line it belongs on
/// (<c>// DSL005</c>). Each test checks the ID, that it is an error, its line, the exact text it underlines (the
/// attribute or argument at fault), its whole message (which names the layers and shapes), and that the broken model
/// gets no source while a valid model in the same compilation (<see cref="DiagnosticChecks.ValidModel"/>) still does.
/// </summary>
public class DiagnosticTests
{
    /// <summary>Diagnostics sit in the compilation's own syntax tree, which is what an IDE underlines (not an "external file").</summary>
    [Fact]
    public void Diagnostics_are_located_in_the_source_tree_of_the_attribute()
    {
        var run = Run("""
            [Model(1, 28, 28)]
            [Conv2d(16, 3, Padding = 1, Name = "stem")]
            [Conv2d(32, 3, Stride = 2, Padding = 1, Name = "down")]
            [Skip("stem", "down")]
            public partial class Mismatch { }
            """);

        var diagnostic = Assert.Single(run.GeneratorDiagnostics);
        Assert.True(diagnostic.Location.IsInSource, "the location should be in source, not an external file");
        Assert.Same(run.InputCompilation.SyntaxTrees[0], diagnostic.Location.SourceTree);
        Assert.Equal("Skip(\"stem\", \"down\")", diagnostic.Location.SourceTree!.GetText().ToString(diagnostic.Location.SourceSpan));
    }

    // ---- DSL001: no input shape --------------------------------------------------------------------------------

    [Fact]
    public void DSL001_Model_without_a_shape()
    {
        var run = Run("""
            [Model]                                  // DSL001
            [Linear(10)]
            public partial class NoShape { }
            """);

        ExpectOnly(run, "DSL001", "// DSL001", "Model",
            "Model 'NoShape' has no valid input shape: give one example's shape, without the batch dimension, " +
            "e.g. [Model(1, 28, 28)] for 28×28 grey images");
    }

    [Fact]
    public void DSL001_Model_with_a_zero_dimension()
    {
        var run = Run("""
            [Model(1, 0, 28)]                        // DSL001
            [Conv2d(8, 3)]
            public partial class ZeroHeight { }
            """);

        ExpectOnly(run, "DSL001", "// DSL001", "Model(1, 0, 28)",
            "Model 'ZeroHeight' has no valid input shape: every dimension must be positive, but the shape is (1, 0, 28)");
    }

    // ---- DSL002: not partial -----------------------------------------------------------------------------------

    [Fact]
    public void DSL002_is_reported_on_the_class_identifier()
    {
        var run = Run("""
            [Model(4)]
            [Linear(2)]
            public class Sealed { }                  // DSL002
            """);

        ExpectOnly(run, "DSL002", "// DSL002", "Sealed",
            "'Sealed' must be declared partial so the generator can make it a TorchSharp module");
    }

    // ---- DSL003: unknown skip endpoint -------------------------------------------------------------------------

    [Fact]
    public void DSL003_is_reported_on_the_misspelt_from_argument_with_the_nearest_name()
    {
        var run = Run("""
            [Model(1, 28, 28)]
            [Conv2d(16, 3, Padding = 1, Name = "stem"), ReLU]
            [Conv2d(16, 3, Padding = 1, Name = "conv")]
            [Skip("stme", "conv")]                   // DSL003
            public partial class Typo { }
            """);

        ExpectOnly(run, "DSL003", "// DSL003", "\"stme\"",
            "Skip refers to 'stme', which is not a layer of 'Typo'; did you mean 'stem'?");
    }

    [Fact]
    public void DSL003_is_reported_on_the_misspelt_to_argument()
    {
        var run = Run("""
            [Model(8)]
            [Linear(8, Name = "first"), Linear(8, Name = "second")]
            [Skip("first", "secnd")]                 // DSL003
            public partial class TypoTo { }
            """);

        ExpectOnly(run, "DSL003", "// DSL003", "\"secnd\"",
            "Skip refers to 'secnd', which is not a layer of 'TypoTo'; did you mean 'second'?");
    }

    [Fact]
    public void DSL003_lists_the_layers_when_no_name_is_near()
    {
        var run = Run("""
            [Model(8)]
            [Linear(8, Name = "alpha"), Linear(8, Name = "beta")]
            [Skip("zzzzzz", "beta")]                 // DSL003
            public partial class Far { }
            """);

        ExpectOnly(run, "DSL003", "// DSL003", "\"zzzzzz\"",
            "Skip refers to 'zzzzzz', which is not a layer of 'Far'; its layers are alpha, beta (and 'input')");
    }

    // ---- DSL004: skip goes backwards ---------------------------------------------------------------------------

    [Fact]
    public void DSL004_from_after_to()
    {
        var run = Run("""
            [Model(8)]
            [Linear(8, Name = "a"), Linear(8, Name = "b")]
            [Skip("b", "a")]                         // DSL004
            public partial class Backwards { }
            """);

        ExpectOnly(run, "DSL004", "// DSL004", "Skip(\"b\", \"a\")",
            "Skip from 'b' to 'a' goes backwards: 'b' is layer 2 and 'a' is layer 1; 'from' must come before 'to' (swap them?)");
    }

    [Fact]
    public void DSL004_from_equals_to()
    {
        var run = Run("""
            [Model(8)]
            [Linear(8, Name = "a"), Linear(8, Name = "b")]
            [Skip("a", "a")]                         // DSL004
            public partial class Itself { }
            """);

        ExpectOnly(run, "DSL004", "// DSL004", "Skip(\"a\", \"a\")",
            "Skip from 'a' to 'a' goes backwards: a layer cannot be merged into itself; 'from' must come before 'to'");
    }

    [Fact]
    public void DSL004_to_the_input_is_reported_on_the_to_argument()
    {
        var run = Run("""
            [Model(8)]
            [Linear(8, Name = "a"), Linear(8, Name = "b")]
            [Skip("a", "input")]                     // DSL004
            public partial class IntoInput { }
            """);

        ExpectOnly(run, "DSL004", "// DSL004", "\"input\"",
            "Skip from 'a' to 'input' goes backwards: nothing can be merged into the input; 'to' must be a layer after 'from'");
    }

    // ---- DSL005: add with different shapes ---------------------------------------------------------------------

    [Fact]
    public void DSL005_add_of_images_with_different_channels_and_sizes_is_reported_on_the_skip()
    {
        var run = Run("""
            [Model(1, 28, 28)]
            [Conv2d(16, 3, Padding = 1, Name = "stem")]
            [Conv2d(32, 3, Stride = 2, Padding = 1, Name = "down")]
            [Skip("stem", "down")]                   // DSL005
            public partial class Mismatch { }
            """);

        ExpectOnly(run, "DSL005", "// DSL005", "Skip(\"stem\", \"down\")",
            "Skip from 'stem' to 'down' adds [N, 16, 28, 28] to [N, 32, 14, 14]: the shapes differ. Set Projection = true " +
            "to insert a learned projection (a strided 1×1 convolution for images, a linear map otherwise), or make both shapes equal.");
    }

    [Fact]
    public void DSL005_add_of_images_with_different_channels_only_suggests_a_1x1_convolution_or_concat()
    {
        var run = Run("""
            [Model(3, 8, 8)]
            [Conv2d(16, 3, Padding = 1, Name = "a")]
            [Conv2d(32, 3, Padding = 1, Name = "b")]
            [Skip("a", "b")]                         // DSL005
            public partial class Widen { }
            """);

        ExpectOnly(run, "DSL005", "// DSL005", "Skip(\"a\", \"b\")",
            "Skip from 'a' to 'b' adds [N, 16, 8, 8] to [N, 32, 8, 8]: the shapes differ. Set Projection = true to insert " +
            "a learned 1×1 convolution, give both layers the same channels, or use Mode = SkipMode.Concat.");
    }

    [Fact]
    public void DSL005_add_of_vectors()
    {
        var run = Run("""
            [Model(8)]
            [Linear(8, Name = "a"), Linear(16, Name = "b")]
            [Skip("a", "b")]                         // DSL005
            public partial class AddVectors { }
            """);

        ExpectOnly(run, "DSL005", "// DSL005", "Skip(\"a\", \"b\")",
            "Skip from 'a' to 'b' adds [N, 8] to [N, 16]: the shapes differ. Set Projection = true to insert a learned " +
            "projection (a strided 1×1 convolution for images, a linear map otherwise), or make both shapes equal.");
    }

    // ---- DSL006: concat with different sizes -------------------------------------------------------------------

    [Fact]
    public void DSL006_concat_of_different_spatial_sizes()
    {
        var run = Run("""
            [Model(1, 28, 28)]
            [Conv2d(8, 3, Padding = 1, Name = "enc")]
            [MaxPool2d(2, Name = "pool")]
            [Skip("enc", "pool", Mode = SkipMode.Concat)]   // DSL006
            public partial class BadConcat { }
            """);

        ExpectOnly(run, "DSL006", "// DSL006", "Skip(\"enc\", \"pool\", Mode = SkipMode.Concat)",
            "Skip from 'enc' to 'pool' concatenates [N, 8, 14, 14] with [N, 8, 28, 28]: the spatial sizes 14×14 and 28×28 " +
            "differ; every dimension but the channels must match (pool, upsample or pad one side)"
            + "; or set Align = SkipAlign.Crop (centre-crop the larger, as the original U-Net) or Align = SkipAlign.Pad (zero-pad the smaller)");
    }

    [Fact]
    public void DSL006_concat_of_different_ranks()
    {
        var run = Run("""
            [Model(2, 8, 8)]
            [Conv2d(4, 3, Padding = 1, Name = "a")]
            [Flatten(Name = "f")]
            [Skip("a", "f", Mode = SkipMode.Concat)]   // DSL006
            public partial class RankConcat { }
            """);

        ExpectOnly(run, "DSL006", "// DSL006", "Skip(\"a\", \"f\", Mode = SkipMode.Concat)",
            "Skip from 'a' to 'f' concatenates [N, 256] with [N, 4, 8, 8]: their ranks differ; Concat joins tensors of the same rank along channels");
    }

    [Fact]
    public void DSL006_a_transposed_convolution_one_pixel_short_names_the_OutputPadding_that_fixes_it()
    {
        var run = Run("""
            [Model(1, 15, 15)]
            [Conv2d(8, 3, Padding = 1, Name = "enc"), MaxPool2d(2)]
            [Conv2d(16, 3, Padding = 1), ReLU]
            [ConvTranspose2d(8, 2, Stride = 2, Name = "up1")]
            [Skip("enc", "up1", Mode = SkipMode.Concat)]   // DSL006
            public partial class OddUnet { }
            """);

        ExpectOnly(run, "DSL006", "// DSL006", "Skip(\"enc\", \"up1\", Mode = SkipMode.Concat)",
            "Skip from 'enc' to 'up1' concatenates [N, 8, 14, 14] with [N, 8, 15, 15]: the spatial sizes 14×14 and 15×15 " +
            "differ; every dimension but the channels must match (pool, upsample or pad one side)"
            + "; or set OutputPadding = 1 on 'up1' (its output is then [N, 8, 15, 15])"
            + "; or set Align = SkipAlign.Crop (centre-crop the larger, as the original U-Net) or Align = SkipAlign.Pad (zero-pad the smaller)");
        var diagnostic = Single(run, "DSL006");
        Assert.Equal("up1", diagnostic.Properties["OutputPaddingLayer"]);
        Assert.Equal("1", diagnostic.Properties["OutputPadding"]);
    }

    [Fact]
    public void DSL005_a_ConvTranspose1d_one_sample_short_names_the_OutputPadding_that_fixes_it()
    {
        var run = Run("""
            [Model(4, 15)]
            [Conv1d(8, 3, Padding = 1, Name = "enc"), MaxPool1d(2)]
            [ConvTranspose1d(8, 2, Stride = 2, Name = "up"), BatchNorm1d, ReLU(Name = "act")]
            [Skip("enc", "act")]                     // DSL005
            public partial class OddSignal { }
            """);

        ExpectOnly(run, "DSL005", "// DSL005", "Skip(\"enc\", \"act\")",
            "Skip from 'enc' to 'act' adds [N, 8, 15] to [N, 8, 14]: the shapes differ. Set Projection = true to insert a learned "
            + "projection (a strided 1×1 Conv1d with BatchNorm1d), or make both shapes equal. Or set OutputPadding = 1 on 'up' (its "
            + "output is then [N, 8, 15]). Or set Align = SkipAlign.Crop (centre-crop the larger, as the original U-Net) or "
            + "Align = SkipAlign.Pad (zero-pad the smaller).");
    }

    // ---- DSL007: the image vanishes ----------------------------------------------------------------------------

    [Fact]
    public void DSL007_convolution_with_a_kernel_larger_than_the_image()
    {
        var run = Run("""
            [Model(1, 4, 4)]
            [Conv2d(8, 5)]                           // DSL007
            public partial class BigKernel { }
            """);

        ExpectOnly(run, "DSL007", "// DSL007", "Conv2d(8, 5)",
            "Layer 'conv1' (Conv2d) turns [N, 1, 4, 4] into [N, 8, 0, 0]: the spatial size must stay positive. " +
            "The 4×4 input is smaller than the 5×5 kernel (dilation 1) with padding 0; add padding or use a smaller kernel.");
    }

    [Fact]
    public void DSL007_is_reported_on_the_pool_that_makes_the_image_vanish()
    {
        var run = Run("""
            [Model(1, 4, 4)]
            [MaxPool2d(2)]
            [MaxPool2d(2)]
            [MaxPool2d(2)]                           // DSL007
            public partial class Vanishing { }
            """);

        ExpectOnly(run, "DSL007", "// DSL007", "MaxPool2d(2)",
            "Layer 'maxpool3' (MaxPool2d) turns [N, 1, 1, 1] into [N, 1, 0, 0]: the spatial size must stay positive. " +
            "The 1×1 input is smaller than the 2×2 window; remove a pooling layer or use a smaller window.");
    }

    [Fact]
    public void DSL007_transposed_convolution_with_too_much_padding()
    {
        var run = Run("""
            [Model(1, 4, 4)]
            [ConvTranspose2d(8, 1, Padding = 2)]     // DSL007
            public partial class OverPadded { }
            """);

        ExpectOnly(run, "DSL007", "// DSL007", "ConvTranspose2d(8, 1, Padding = 2)",
            "Layer 'deconv1' (ConvTranspose2d) turns [N, 1, 4, 4] into [N, 8, 0, 0]: the spatial size must stay positive. " +
            "Padding 2 removes more than the transposed convolution adds; use less padding.");
    }

    // ---- DSL008: wrong rank ------------------------------------------------------------------------------------

    [Fact]
    public void DSL008_Conv2d_after_Flatten()
    {
        var run = Run("""
            [Model(1, 28, 28)]
            [Flatten]
            [Conv2d(8, 3)]                           // DSL008
            public partial class WrongRank { }
            """);

        ExpectOnly(run, "DSL008", "// DSL008", "Conv2d(8, 3)",
            "Layer 'conv1' (Conv2d) needs an image [N, C, H, W] but receives [N, 784]; convolutions must come before Flatten and GlobalAvgPool");
    }

    [Fact]
    public void DSL008_Linear_on_an_image()
    {
        var run = Run("""
            [Model(1, 28, 28)]
            [Conv2d(8, 3, Padding = 1)]
            [Linear(10)]                             // DSL008
            public partial class NoFlatten { }
            """);

        ExpectOnly(run, "DSL008", "// DSL008", "Linear(10)",
            "Layer 'fc1' (Linear) needs a vector [N, F] or a sequence [N, T, D] but receives [N, 8, 28, 28]; add Flatten or GlobalAvgPool before it");
    }

    [Fact]
    public void DSL008_MultiHeadAttention_on_an_image()
    {
        var run = Run("""
            [Model(1, 28, 28)]
            [MultiHeadAttention(2)]                  // DSL008
            public partial class AttendImage { }
            """);

        ExpectOnly(run, "DSL008", "// DSL008", "MultiHeadAttention(2)",
            "Layer 'attn1' (MultiHeadAttention) needs a sequence [N, T, D] but receives [N, 1, 28, 28]");
    }

    // ---- DSL009: invalid argument, reported on the argument ----------------------------------------------------

    [Fact]
    public void DSL009_zero_channels()
    {
        var run = Run("""
            [Model(1, 28, 28)]
            [Conv2d(0, 3)]                           // DSL009
            public partial class NoChannels { }
            """);

        ExpectOnly(run, "DSL009", "// DSL009", "0",
            "Layer 'conv1' (Conv2d): OutChannels = 0 is invalid: give a positive count, or Channels.Same / Channels.Double for a count relative to the input");
    }

    [Fact]
    public void DSL009_zero_stride()
    {
        var run = Run("""
            [Model(1, 28, 28)]
            [Conv2d(16, 3, Stride = 0)]              // DSL009
            public partial class ZeroStride { }
            """);

        ExpectOnly(run, "DSL009", "// DSL009", "Stride = 0",
            "Layer 'conv1' (Conv2d): Stride = 0 is invalid: the stride must be at least 1");
    }

    [Fact]
    public void DSL009_negative_padding()
    {
        var run = Run("""
            [Model(1, 28, 28)]
            [Conv2d(8, 3, Padding = -1)]             // DSL009
            public partial class NegativePadding { }
            """);

        ExpectOnly(run, "DSL009", "// DSL009", "Padding = -1",
            "Layer 'conv1' (Conv2d): Padding = -1 is invalid: the padding must be at least 0");
    }

    [Fact]
    public void DSL009_groups_that_do_not_divide_the_channels()
    {
        var run = Run("""
            [Model(3, 28, 28)]
            [Conv2d(8, 3, Groups = 2)]               // DSL009
            public partial class OddGroups { }
            """);

        ExpectOnly(run, "DSL009", "// DSL009", "Groups = 2",
            "Layer 'conv1' (Conv2d): Groups = 2 must divide both the input channels (3) and the output channels (8)");
    }

    [Fact]
    public void DSL009_dropout_probability_above_one()
    {
        var run = Run("""
            [Model(8)]
            [Dropout(1.5)]                           // DSL009
            [Linear(2)]
            public partial class Leaky { }
            """);

        ExpectOnly(run, "DSL009", "// DSL009", "1.5",
            "Layer 'dropout1' (Dropout): P = 1.5 is invalid: a dropout probability must be between 0 and 1");
    }

    [Fact]
    public void DSL009_repeat_zero()
    {
        var run = Run("""
            [Block]
            [Linear(Channels.Same)]
            public partial class Same { }

            [Model(8)]
            [Use<Same>(Repeat = 0)]                  // DSL009
            public partial class NoRepeat { }
            """);

        ExpectOnly(run, "DSL009", "// DSL009", "Repeat = 0",
            "Layer 'same1' (Use): Repeat = 0 is invalid: the repeat count must be at least 1");
    }

    // ---- DSL010: heads do not divide the width -----------------------------------------------------------------

    [Fact]
    public void DSL010_is_reported_on_the_heads_argument()
    {
        var run = Run("""
            [Model(16)]
            [Embedding(100, 30), MultiHeadAttention(4)]   // DSL010
            public partial class Heads { }
            """);

        ExpectOnly(run, "DSL010", "// DSL010", "4",
            "Layer 'attn1' (MultiHeadAttention): 4 heads do not divide the model width 30 of input [N, 16, 30]; choose a head count that divides 30");
    }

    // ---- DSL011: duplicate name --------------------------------------------------------------------------------

    [Fact]
    public void DSL011_is_reported_on_the_second_name()
    {
        var run = Run("""
            [Model(8)]
            [Linear(8, Name = "fc")]
            [Linear(8, Name = "fc")]                 // DSL011
            public partial class Twice { }
            """);

        ExpectOnly(run, "DSL011", "// DSL011", "Name = \"fc\"",
            "Two layers of 'Twice' are named 'fc'; layer names must be unique");
    }

    // ---- DSL012: invalid name ----------------------------------------------------------------------------------

    [Theory]
    [InlineData("my layer", "a layer name must be a C# identifier (letters, digits and '_', not starting with a digit), because it names a field and a state_dict key")]
    [InlineData("1st", "a layer name must be a C# identifier (letters, digits and '_', not starting with a digit), because it names a field and a state_dict key")]
    [InlineData("", "a layer name must be a C# identifier (letters, digits and '_', not starting with a digit), because it names a field and a state_dict key")]
    [InlineData("class", "it is a C# keyword")]
    [InlineData("input", "'input' is reserved for the network's input in skips")]
    [InlineData("forward", "it is a member of the generated TorchSharp module")]
    [InlineData("Summary", "it is a member of the generated TorchSharp module")]
    [InlineData("Named", "a layer cannot have the name of its class")]
    public void DSL012_invalid_layer_names(string name, string reason)
    {
        var run = Run($$"""
            [Model(8)]
            [Linear(8, Name = "{{name}}")]           // DSL012
            public partial class Named { }
            """);

        ExpectOnly(run, "DSL012", "// DSL012", $"Name = \"{name}\"", $"'{name}' cannot name a layer: {reason}");
    }

    // ---- DSL013: no layers -------------------------------------------------------------------------------------

    [Fact]
    public void DSL013_model_without_layers_is_reported_on_Model()
    {
        var run = Run("""
            [Model(8)]                               // DSL013
            public partial class Empty { }
            """);

        ExpectOnly(run, "DSL013", "// DSL013", "Model(8)",
            "'Empty' has no layers: add layer attributes such as [Linear(10)] after [Model]");
    }

    [Fact]
    public void DSL013_block_without_layers_is_reported_on_Block()
    {
        var run = Run("""
            [Block]                                  // DSL013
            public partial class EmptyBlock { }
            """);

        ExpectOnly(run, "DSL013", "// DSL013", "Block",
            "'EmptyBlock' has no layers: add layer attributes such as [Linear(10)] after [Block]");
    }

    // ---- DSL014: not a block -----------------------------------------------------------------------------------

    [Fact]
    public void DSL014_is_reported_on_the_Use()
    {
        var run = Run("""
            public class Plain { }

            [Model(8)]
            [Use<Plain>]                             // DSL014
            public partial class UsesPlain { }
            """);

        ExpectOnly(run, "DSL014", "// DSL014", "Use<Plain>",
            "'Plain' is not a block: mark it [Block] (in this project) to use it with [Use<Plain>]");
    }

    [Fact]
    public void DSL014_inside_a_block_is_reported_once_on_the_block()
    {
        var run = Run("""
            public class Plain { }

            [Block]
            [Use<Plain>]                             // DSL014
            public partial class Wrapper { }

            [Model(8)]
            [Use<Wrapper>]
            public partial class UsesWrapper { }
            """);

        ExpectOnly(run, "DSL014", "// DSL014", "Use<Plain>",
            "'Plain' is not a block: mark it [Block] (in this project) to use it with [Use<Plain>]");
    }

    // ---- DSL015: recursive blocks ------------------------------------------------------------------------------

    [Fact]
    public void DSL015_block_using_itself_is_reported_in_the_block_and_at_the_use()
    {
        var run = Run("""
            [Block, Linear(Channels.Same), Use<Loop>]    // DSL015 in the block
            public partial class Loop { }

            [Model(8)]
            [Use<Loop>]                                  // DSL015 at the use
            public partial class UsesLoop { }
            """);

        Assert.Equal(["DSL015", "DSL015"], Ids(run));
        AssertAt(run, run.GeneratorDiagnostics[0], "// DSL015 in the block", "Use<Loop>");
        AssertAt(run, run.GeneratorDiagnostics[1], "// DSL015 at the use", "Use<Loop>");
        Assert.All(run.GeneratorDiagnostics, d =>
            Assert.Equal("Block 'Loop' uses itself through Loop → Loop; blocks cannot be recursive", Message(d)));
        AssertOnlyTheValidModelIsGenerated(run);
    }

    [Fact]
    public void DSL015_blocks_using_each_other_are_reported_at_every_use_in_the_cycle()
    {
        var run = Run("""
            [Block]
            [Linear(Channels.Same)]
            [Use<Pong>]                                  // DSL015 in Ping
            public partial class Ping { }

            [Block]
            [Linear(Channels.Same)]
            [Use<Ping>]                                  // DSL015 in Pong
            public partial class Pong { }

            [Model(8)]
            [Use<Ping>]                                  // DSL015 at the use
            public partial class Game { }
            """);

        Assert.Equal(["DSL015", "DSL015", "DSL015"], Ids(run));
        AssertAt(run, run.GeneratorDiagnostics[0], "// DSL015 in Ping", "Use<Pong>");
        Assert.Equal("Block 'Pong' uses itself through Pong → Ping → Pong; blocks cannot be recursive", Message(run.GeneratorDiagnostics[0]));
        AssertAt(run, run.GeneratorDiagnostics[1], "// DSL015 in Pong", "Use<Ping>");
        Assert.Equal("Block 'Ping' uses itself through Ping → Pong → Ping; blocks cannot be recursive", Message(run.GeneratorDiagnostics[1]));
        AssertAt(run, run.GeneratorDiagnostics[2], "// DSL015 at the use", "Use<Ping>");
        Assert.Equal("Block 'Ping' uses itself through Ping → Pong → Ping; blocks cannot be recursive", Message(run.GeneratorDiagnostics[2]));
        AssertOnlyTheValidModelIsGenerated(run);
    }

    // ---- DSL016: projection impossible -------------------------------------------------------------------------

    [Fact]
    public void DSL016_no_stride_maps_the_spatial_sizes()
    {
        var run = Run("""
            [Model(1, 28, 28)]
            [Conv2d(8, 3, Name = "a")]
            [Conv2d(8, 3, Name = "b")]
            [Skip("a", "b", Projection = true)]      // DSL016
            public partial class NoStride { }
            """);

        ExpectOnly(run, "DSL016", "// DSL016", "Skip(\"a\", \"b\", Projection = true)",
            "Skip from 'a' to 'b' cannot project [N, 8, 26, 26] onto [N, 8, 24, 24]: no stride of a 1×1 convolution turns 26×26 into 24×24");
    }

    [Fact]
    public void DSL016_ranks_differ()
    {
        var run = Run("""
            [Model(2, 8, 8)]
            [Conv2d(4, 3, Padding = 1, Name = "a")]
            [Flatten(Name = "f")]
            [Skip("a", "f", Projection = true)]      // DSL016
            public partial class RankProjection { }
            """);

        ExpectOnly(run, "DSL016", "// DSL016", "Skip(\"a\", \"f\", Projection = true)",
            "Skip from 'a' to 'f' cannot project [N, 4, 8, 8] onto [N, 256]: their ranks differ");
    }

    // ---- DSL017: unsupported declaration -----------------------------------------------------------------------

    [Fact]
    public void DSL017_generic_model()
    {
        var run = Run("""
            [Model(8)]
            [Linear(2)]
            public partial class Generic<T> { }      // DSL017
            """);

        ExpectOnly(run, "DSL017", "// DSL017", "Generic", "'Generic' cannot be a model: generic classes are not supported");
    }

    [Fact]
    public void DSL017_model_with_a_base_class()
    {
        var run = Run("""
            [Model(8)]
            [Linear(2)]
            public partial class Derived : System.Exception { }   // DSL017
            """);

        ExpectOnly(run, "DSL017", "// DSL017", "Derived",
            "'Derived' cannot be a model: it derives from 'System.Exception', but the generator makes it derive from Module<Tensor, Tensor>");
    }

    [Fact]
    public void DSL017_both_Model_and_Block()
    {
        var run = Run("""
            [Model(8)]                               // DSL017
            [Block]
            [Linear(2)]
            public partial class Both { }
            """);

        ExpectOnly(run, "DSL017", "// DSL017", "Model(8)", "'Both' cannot be a model: a class is either a [Model] or a [Block], not both");
    }

    [Theory]
    [InlineData("static")]
    [InlineData("abstract")]
    public void DSL017_static_or_abstract_model(string modifier)
    {
        var run = Run($$"""
            [Model(8)]
            [Linear(2)]
            public {{modifier}} partial class Odd { }   // DSL017
            """);

        ExpectOnly(run, "DSL017", "// DSL017", "Odd",
            "'Odd' cannot be a model: it must be neither static nor abstract, because the generator gives it a public constructor");
    }

    [Fact]
    public void DSL017_generic_block_is_reported_on_Block()
    {
        var run = Run("""
            [Block]                                  // DSL017
            [Linear(2)]
            public partial class GenericBlock<T> { }
            """);

        ExpectOnly(run, "DSL017", "// DSL017", "Block", "'GenericBlock' cannot be a block: generic blocks are not supported");
    }

    // ---- Errors inside blocks ----------------------------------------------------------------------------------

    private const string DownBlock = """
        [Block]
        [Conv2d(Channels.Same, 3, Padding = 1), MaxPool2d(2)]
        public partial class Down { }

        """;

    [Fact]
    public void A_shape_error_inside_a_block_is_reported_at_the_Use_that_fails_with_the_qualified_name()
    {
        var run = Run(DownBlock + """
            [Model(1, 2, 2)]
            [Use<Down>(Name = "stage1")]             // 2×2 → 1×1: fine
            [Use<Down>(Name = "stage2")]             // DSL007: 1×1 → 0×0
            public partial class TooSmall { }

            [Model(1, 16, 16)]
            [Use<Down>(Name = "stage1"), Use<Down>(Name = "stage2")]
            public partial class LargeEnough { }
            """);

        var error = Single(run, "DSL007");
        AssertAt(run, error, "// DSL007", "Use<Down>(Name = \"stage2\")");
        Assert.Equal(
            "Layer 'stage2.maxpool1' (MaxPool2d) turns [N, 1, 1, 1] into [N, 1, 0, 0]: the spatial size must stay positive. " +
            "The 1×1 input is smaller than the 2×2 window; remove a pooling layer or use a smaller window.",
            Message(error));
        Assert.Equal(["Sample.LargeEnough.g.cs", ValidHintName], BuiltModels(run));
        Assert.Empty(run.CompilationDiagnostics);
    }

    [Fact]
    public void A_shape_error_in_a_repeated_block_names_the_repetition()
    {
        var run = Run(DownBlock + """
            [Model(1, 2, 2)]
            [Use<Down>(Repeat = 3, Name = "deep")]   // DSL007 in the second copy
            public partial class Repeated { }
            """);

        ExpectOnly(run, "DSL007", "// DSL007", "Use<Down>(Repeat = 3, Name = \"deep\")",
            "Layer 'deep.1.maxpool1' (MaxPool2d) turns [N, 1, 1, 1] into [N, 1, 0, 0]: the spatial size must stay positive. " +
            "The 1×1 input is smaller than the 2×2 window; remove a pooling layer or use a smaller window.");
    }

    [Fact]
    public void A_shape_error_in_a_nested_block_is_reported_at_the_models_Use()
    {
        var run = Run("""
            [Block]
            [Use<Inner>(Name = "inner")]
            public partial class Outer { }

            [Block]
            [MaxPool2d(2, Name = "pool")]
            public partial class Inner { }

            [Model(1, 1, 1)]
            [Use<Outer>(Name = "outer")]             // DSL007
            public partial class Nested { }
            """);

        ExpectOnly(run, "DSL007", "// DSL007", "Use<Outer>(Name = \"outer\")",
            "Layer 'outer.inner.pool' (MaxPool2d) turns [N, 1, 1, 1] into [N, 1, 0, 0]: the spatial size must stay positive. " +
            "The 1×1 input is smaller than the 2×2 window; remove a pooling layer or use a smaller window.");
    }

    [Fact]
    public void A_skip_error_inside_a_block_is_reported_at_the_Use_with_qualified_names()
    {
        var run = Run("""
            [Block]
            [Linear(8, Name = "a"), Linear(16, Name = "b")]
            [Skip("a", "b")]
            public partial class Widening { }

            [Model(8)]
            [Use<Widening>(Name = "blk")]            // DSL005
            public partial class UsesWidening { }
            """);

        ExpectOnly(run, "DSL005", "// DSL005", "Use<Widening>(Name = \"blk\")",
            "Skip from 'blk.a' to 'blk.b' adds [N, 8] to [N, 16]: the shapes differ. Set Projection = true to insert a " +
            "learned projection (a strided 1×1 convolution for images, a linear map otherwise), or make both shapes equal.");
    }

    [Fact]
    public void Each_model_that_uses_a_block_wrongly_gets_its_own_error_at_its_own_Use()
    {
        var run = Run(DownBlock + """
            [Model(1, 1, 1)]
            [Use<Down>]                              // DSL007 in One
            public partial class One { }

            [Model(1, 1, 1)]
            [Linear(4)]                              // DSL008 is Unrelated's own
            public partial class Unrelated { }

            [Model(3, 1, 1)]
            [Use<Down>(Name = "d")]                  // DSL007 in Three
            public partial class Three { }
            """);

        Assert.Equal(["DSL007", "DSL008", "DSL007"], Ids(run));
        AssertAt(run, run.GeneratorDiagnostics[0], "// DSL007 in One", "Use<Down>");
        Assert.StartsWith("Layer 'down1.maxpool1' (MaxPool2d) turns [N, 1, 1, 1] into [N, 1, 0, 0]", Message(run.GeneratorDiagnostics[0]));
        AssertAt(run, run.GeneratorDiagnostics[1], "// DSL008", "Linear(4)");
        AssertAt(run, run.GeneratorDiagnostics[2], "// DSL007 in Three", "Use<Down>(Name = \"d\")");
        Assert.StartsWith("Layer 'd.maxpool1' (MaxPool2d) turns [N, 3, 1, 1] into [N, 3, 0, 0]", Message(run.GeneratorDiagnostics[2]));
        AssertOnlyTheValidModelIsGenerated(run);
    }

    [Fact]
    public void A_structural_error_inside_a_block_is_reported_once_on_the_blocks_own_Skip_and_not_at_its_uses()
    {
        var run = Run("""
            [Block]
            [Conv2d(Channels.Same, 3, Padding = 1, Name = "a")]
            [Conv2d(Channels.Same, 3, Padding = 1, Name = "b")]
            [Skip("x", "b")]                         // DSL003
            public partial class BadSkip { }

            [Model(1, 8, 8)]
            [Use<BadSkip>]
            [Use<BadSkip>]
            public partial class First { }

            [Model(1, 16, 16)]
            [Use<BadSkip>]
            public partial class Second { }
            """);

        ExpectOnly(run, "DSL003", "// DSL003", "\"x\"", "Skip refers to 'x', which is not a layer of 'BadSkip'; did you mean 'a'?");
    }

    [Fact]
    public void An_argument_error_inside_a_block_is_reported_once_on_the_block()
    {
        var run = Run("""
            [Block]
            [Conv2d(0, 3)]                           // DSL009
            public partial class NoChannels { }

            [Model(1, 8, 8)]
            [Use<NoChannels>, Use<NoChannels>]
            public partial class UsesTwice { }
            """);

        ExpectOnly(run, "DSL009", "// DSL009", "0",
            "Layer 'conv1' (Conv2d): OutChannels = 0 is invalid: give a positive count, or Channels.Same / Channels.Double for a count relative to the input");
    }

    // ---- A layer's value is its output after the skips that end at it ------------------------------------------

    private const string DenseChain = """
        [Model(1, 8, 8)]
        [Conv2d(8, 3, Padding = 1, Name = "c1")]
        [Conv2d(8, 3, Padding = 1, Name = "c2")]
        [Skip("c1", "c2", Mode = SkipMode.Concat)]
        [Conv2d(8, 3, Padding = 1, Name = "c3")]
        [Skip("c2", "c3", Mode = SkipMode.Concat)]

        """;

    [Fact]
    public void A_concat_into_a_layer_widens_it_wherever_it_is_referred_to()
    {
        // c2 is 8 + 8 = 16 channels after its skip; c3 concatenates that c2: 8 + 16 = 24.
        var run = Run(DenseChain + "public partial class Dense { }\n");

        run.AssertNoDiagnostics();
        var source = run.GeneratedSource("Sample.Dense.g.cs");
        Assert.Matches(new Regex(@"cat\(c2, c1\)\s+Skip \(Concat\)\s+c2, c1\s+\[N, 16, 8, 8\]"), source);
        Assert.Matches(new Regex(@"c3\s+Conv2d\s+c2\s+\[N, 8, 8, 8\]\s+1,160\s"), source); // 8·16·3·3 + 8: its input is the merged c2
        Assert.Matches(new Regex(@"cat\(c3, c2\)\s+Skip \(Concat\)\s+c3, c2\s+\[N, 24, 8, 8\]"), source);
        Assert.Contains("public static long[] OutputShape => new long[] { 24, 8, 8 };", source);
        Assert.Contains("Dense: [N, 1, 8, 8] -> [N, 24, 8, 8]", source);
        Assert.Contains("global::TorchSharp.torch.nn.Conv2d(16, 8, 3, padding: 1)", source);
    }

    [Fact]
    public void An_add_from_a_layer_with_a_concat_sees_the_concatenated_value()
    {
        var run = Run(DenseChain + """
            [Conv2d(24, 3, Padding = 1, Name = "c4")]
            [Skip("c3", "c4")]
            public partial class DenseThenAdd { }
            """);

        run.AssertNoDiagnostics();
        var source = run.GeneratedSource("Sample.DenseThenAdd.g.cs");
        Assert.Matches(new Regex(@"c4 \+ c3\s+Skip \(Add\)\s+c4, c3\s+\[N, 24, 8, 8\]"), source);
        Assert.Contains("public static long[] OutputShape => new long[] { 24, 8, 8 };", source);
    }

    [Fact]
    public void An_add_from_a_layer_with_a_concat_fails_against_its_unmerged_width()
    {
        var run = Run(DenseChain + """
            [Conv2d(8, 3, Padding = 1, Name = "c4")]
            [Skip("c3", "c4")]                       // DSL005
            public partial class DenseThenNarrowAdd { }
            """);

        ExpectOnly(run, "DSL005", "// DSL005", "Skip(\"c3\", \"c4\")",
            "Skip from 'c3' to 'c4' adds [N, 24, 8, 8] to [N, 8, 8, 8]: the shapes differ. Set Projection = true to insert " +
            "a learned 1×1 convolution, give both layers the same channels, or use Mode = SkipMode.Concat.");
    }

    // ---- Rendering ---------------------------------------------------------------------------------------------

    [Fact]
    public void Several_broken_models_render_as_in_the_snapshot()
    {
        var run = Run("""
            [Model(1, 28, 28)]
            [Conv2d(16, 3, Padding = 1, Name = "stem")]
            [Conv2d(32, 3, Stride = 2, Padding = 1, Name = "down")]
            [Skip("stem", "down")]
            public partial class Mismatch { }

            [Model(1, 28, 28)]
            [Conv2d(16, 3, Padding = 1, Name = "stem"), ReLU]
            [Skip("stme", "relu1")]
            public partial class Typo { }

            [Block]
            [Conv2d(Channels.Same, 3, Padding = 1), MaxPool2d(2)]
            public partial class Down { }

            [Model(1, 2, 2)]
            [Use<Down>(Name = "stage1")]
            [Use<Down>(Name = "stage2")]
            public partial class TooSmall { }

            [Model(8)]
            [Linear(8, Name = "my layer"), Dropout(1.5)]
            public partial class BadArguments { }

            [Model(16)]
            [Embedding(100, 30), MultiHeadAttention(4)]
            public partial class Heads { }

            [Model(1, 28, 28)]
            [Conv2d(8, 3), ReLU, Flatten, Linear(10)]
            public partial class Fine { }
            """);

        Assert.Equal(["Sample.Fine.g.cs", ValidHintName], BuiltModels(run));
        Assert.True(run.CompilationDiagnostics.IsEmpty, "Expected the fallback classes to compile.\n" + Describe(run));
        Snapshot.Match(Render(run), extension: "txt");
    }

    // ---- Helpers -----------------------------------------------------------------------------------------------

    /// <summary>Runs the generator on <see cref="Prelude"/> + <paramref name="source"/> (Model0.cs) and <see cref="DiagnosticChecks.ValidModel"/> (Model1.cs).</summary>
}
