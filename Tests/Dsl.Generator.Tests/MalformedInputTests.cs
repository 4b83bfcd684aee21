using System.Linq;
using System.Text.RegularExpressions;
using Dsl.Generator.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Xunit;
using static Dsl.Generator.Tests.DiagnosticChecks;

namespace Dsl.Generator.Tests;

/// <summary>
/// Code as it looks while being typed, or simply wrong: the generator must never throw (the harness fails any test in
/// which it does), and gives either a DSL diagnostic or nothing, leaving the compiler's own errors to speak. A valid
/// model beside the broken one (<see cref="DiagnosticChecks.ValidModel"/>, in Model1.cs) is always still generated.
/// </summary>
public class MalformedInputTests
{
    // ---- Attributes that do not compile: only the compiler speaks ----------------------------------------------

    [Theory]
    [InlineData("[Conv2d]", "CS7036")]                  // no arguments
    [InlineData("[Conv2d(16)]", "CS7036")]              // kernel size missing
    [InlineData("[Conv2d(\"16\", 3)]", "CS1503")]       // a string for an int
    [InlineData("[Linear(1.5)]", "CS1503")]             // a double for an int
    [InlineData("[Conv2D(16, 3)]", "CS0246")]           // misspelt attribute
    [InlineData("[Use<Missing>]", "CS0246")]            // unknown block type
    [InlineData("[Linear(8, Name = 3)]", "CS0029")]     // a number for the name
    // Named arguments that do not bind: Roslyn drops Strid and reads 1.5 as 1, so the generator asks the semantic model.
    [InlineData("[Conv2d(8, 3, Stride = 1.5)]", "CS0266")] // a double for an int property
    [InlineData("[Conv2d(8, 3, Strid = 2)]", "CS0246")]   // misspelt property
    [InlineData("[Conv2d(8, 3, Stride = 1, Stride = 2)]", "CS0643")] // a property named twice
    [InlineData("[Conv2d(8, 3, Stride = System.Environment.ProcessorCount)]", "CS0182")] // not a constant
    [InlineData("[Conv2d(8, System.Environment.ProcessorCount)]", "CS0182")] // not a constant, positional
    // Literals the parser reads from the syntax alone (LiteralArguments) must still fail where the compiler fails.
    [InlineData("[Linear(10L)]", "CS1503")]                 // a long literal for an int
    [InlineData("[Linear(-1.5)]", "CS1503")]                // a negated double for an int
    [InlineData("[Linear(3000000000)]", "CS1503")]          // a uint literal for an int
    [InlineData("[Linear(true)]", "CS1503")]                // a bool for an int
    [InlineData("[Conv2d(8, 3, Stride = 2L)]", "CS0266")]   // a long for an int property
    [InlineData("[Conv2d(8, 3, Stride = -2.0)]", "CS0266")] // a negated double for an int property
    [InlineData("[Dropout(-true)]", "CS0023")]              // minus on a bool
    [InlineData("[Linear(outFeatures: 1.5)]", "CS1503")]    // a name: argument
    [InlineData("[Dropout(0.5m)]", "CS1503")]               // a decimal for a double
    public void A_layer_attribute_that_does_not_compile_is_left_to_the_compiler(string layer, string compilerError)
    {
        var run = Run($$"""
            [Model(1, 28, 28)]
            [Conv2d(8, 3)]
            {{layer}}
            public partial class Broken { }
            """);

        AssertOnlyCompilerErrors(run, compilerError);
    }

    // The parser accepts Channels.Same and SkipMode.Concat from the syntax and the bound value (LiteralArguments); a
    // user's type of that name in the model's namespace hides the DSL's, and must still fail where the compiler fails.
    [Theory]
    [InlineData("public static class Channels { public const long Same = -1; }", "[Conv2d(Channels.Same, 3)]", "CS1503")]
    [InlineData("public static class Channels { public static int Same = -1; }", "[Conv2d(Channels.Same, 3)]", "CS0182")]
    [InlineData("public static class Channels { public const int Other = -1; }", "[Conv2d(Channels.Same, 3)]", "CS0117")]
    [InlineData("public enum SkipMode { Add, Concat }", "[Flatten, Linear(8, Name = \"a\"), Linear(8, Name = \"b\")] [Skip(\"a\", \"b\", Mode = SkipMode.Concat)]", "CS0266")]
    public void A_dsl_constant_hidden_by_a_users_type_is_left_to_the_compiler(string declaration, string layer, string compilerError)
    {
        var run = Run($$"""
            {{declaration}}

            [Model(8, 28, 28)]
            [Conv2d(8, 3)]
            {{layer}}
            public partial class Broken { }
            """);

        AssertOnlyCompilerErrors(run, compilerError);
    }

    [Fact]
    public void A_dsl_constant_is_read_as_its_value()
    {
        var run = Run("""
            [Model(8, 28, 28)]
            [Conv2d(Channels.Double, 3, Padding = 1, Name = "a"), Conv2d(Channels.Same, 1, Name = "b")]
            [Skip("a", "b", Mode = SkipMode.Concat)]
            public partial class Constants { }
            """);

        run.AssertNoDiagnostics();
        Assert.Contains("public static long[] OutputShape => new long[] { 32, 28, 28 };", run.GeneratedSource("Constants.g.cs"), System.StringComparison.Ordinal);
    }

    [Fact]
    public void A_Skip_with_one_argument_is_left_to_the_compiler()
    {
        var run = Run("""
            [Model(8)]
            [Linear(8, Name = "a"), Linear(8, Name = "b")]
            [Skip("a")]
            public partial class HalfSkip { }
            """);

        AssertOnlyCompilerErrors(run, "CS7036");
    }

    [Fact]
    public void A_Skip_mode_outside_the_enum_is_an_invalid_argument()
    {
        var run = Run("""
            [Model(8)]
            [Linear(8, Name = "a"), Linear(8, Name = "b")]
            [Skip("a", "b", Mode = (SkipMode)7)]
            public partial class OddMode { }
            """);

        Assert.Equal(["DSL009"], Ids(run));
        Assert.Equal("Layer 'a -> b' (Skip): Mode = 7 is not a SkipMode; use SkipMode.Add, Concat, Multiply or Highway", Message(run.GeneratorDiagnostics[0]));
        Assert.Equal([ValidHintName], BuiltModels(run));
    }

    [Fact]
    public void A_Skip_from_null_is_an_unknown_endpoint_on_that_argument()
    {
        var run = Run("""
            [Model(8)]
            [Linear(8, Name = "a"), Linear(8, Name = "b")]
            [Skip(null, "x")]                        // DSL003 twice
            public partial class NullSkip { }
            """);

        Assert.Equal(["DSL003", "DSL003"], Ids(run));
        AssertAt(run, run.GeneratorDiagnostics[0], "// DSL003", "null");
        Assert.Equal("Skip refers to '', which is not a layer of 'NullSkip'; a skip needs the name of a layer (a, b) or 'input'", Message(run.GeneratorDiagnostics[0]));
        AssertAt(run, run.GeneratorDiagnostics[1], "// DSL003", "\"x\"");
        Assert.Equal("Skip refers to 'x', which is not a layer of 'NullSkip'; did you mean 'a'?", Message(run.GeneratorDiagnostics[1]));
        Assert.Equal(["CS8625"], run.CompilationDiagnostics.Select(d => d.Id)); // the compiler's nullable warning on null
        Assert.Equal([ValidHintName], BuiltModels(run));
    }

    [Fact]
    public void A_Model_attribute_that_does_not_compile_is_left_to_the_compiler()
    {
        var run = Run("""
            [Model(1, 28, System.DateTime.Now)]
            [Conv2d(8, 3)]
            public partial class NotConstant { }
            """);

        AssertOnlyCompilerErrors(run, "CS0182");
    }

    // [Model]'s shape is a params object[]: the parser takes each literal of the expanded form as one element
    // (LiteralArguments), and must still leave to the compiler what does not compile there.
    [Theory]
    [InlineData("[Model(1, 28, 2.5m)]", "CS0182")]            // a decimal is no attribute argument
    [InlineData("[Model(1, 28, -true)]", "CS0023")]           // minus on a bool
    [InlineData("[Model(1, 28, 28, shape: 3)]", "CS1744")]    // a name: argument after the params elements
    public void A_Model_attribute_with_an_element_that_does_not_compile_is_left_to_the_compiler(string model, string compilerError)
    {
        var run = Run($$"""
            {{model}}
            [Conv2d(8, 3)]
            public partial class BadElement { }
            """);

        AssertOnlyCompilerErrors(run, compilerError);
    }

    [Theory]
    [InlineData("[Model(new object[] { 1, 28, 28 })]")]       // the params array written out
    [InlineData("[Model(1, 28, 28)]")]                        // its expanded form
    public void A_Model_shape_given_as_an_array_or_as_elements_builds(string model)
    {
        var run = Run($$"""
            {{model}}
            [Conv2d(8, 3)]
            public partial class Shaped { }
            """);

        Assert.Empty(run.GeneratorDiagnostics);
        Assert.True(run.CompilationDiagnostics.IsEmpty, string.Join("; ", run.CompilationDiagnostics));
        Assert.Equal(["Sample.Shaped.g.cs", ValidHintName], BuiltModels(run));
    }

    [Fact]
    public void A_Model_attribute_naming_a_missing_type_is_left_to_the_compiler()
    {
        var run = Run("""
            [Model(1, 28, typeof(Missing))]
            [Conv2d(8, 3)]
            public partial class MissingType { }
            """);

        AssertOnlyCompilerErrors(run, "CS0246");
    }

    [Fact]
    public void A_string_that_is_not_a_dimension_name_is_DSL001()
    {
        var run = Run("""
            [Model("1, 28, 28")]
            [Conv2d(8, 3)]
            public partial class StringShape { }
            """);

        var diagnostic = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal("DSL001", diagnostic.Id);
        Assert.Contains("'1, 28, 28' is not a dimension name", diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture), System.StringComparison.Ordinal);
        Assert.True(run.CompilationDiagnostics.IsEmpty);
    }

    // ---- Syntax errors while typing ----------------------------------------------------------------------------

    [Fact]
    public void An_unclosed_class_body_still_generates_without_adding_errors()
    {
        var run = Run("""
            [Model(8)]
            [Linear(4)]
            public partial class Unclosed {
            """);

        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Equal(["CS1513"], run.CompilationDiagnostics.Select(d => d.Id));
        Assert.Equal(["Sample.Unclosed.g.cs", ValidHintName], BuiltModels(run));
        Assert.All(run.CompilationDiagnostics, d => Assert.Equal("Model0.cs", d.Location.SourceTree?.FilePath));
    }

    /// <summary>The missing ']' is an error inside the attribute's span: like any attribute that does not compile, left to the compiler.</summary>
    [Fact]
    public void An_unterminated_attribute_list_is_left_to_the_compiler()
    {
        var run = Run("""
            [Model(8)]
            [Linear(4)
            public partial class Unterminated { }
            """);

        AssertOnlyCompilerErrors(run, "CS1003");
    }

    [Fact]
    public void An_attribute_cut_off_in_its_arguments_is_left_to_the_compiler()
    {
        var run = Run("""
            [Model(8)]
            [Linear(
            public partial class CutOff { }
            """);

        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Contains("CS1026", run.CompilationDiagnostics.Select(d => d.Id));
        Assert.Equal([ValidHintName], BuiltModels(run));
    }

    [Fact]
    public void A_Model_attribute_cut_off_while_typing_gives_nothing()
    {
        var run = Run("""
            [Model(1, 28,
            [Linear(4)]
            public partial class HalfTyped { }
            """);

        Assert.Empty(run.GeneratorDiagnostics);
        Assert.NotEmpty(run.CompilationDiagnostics);
        Assert.Equal([ValidHintName], BuiltModels(run));
    }

    // ---- Values ------------------------------------------------------------------------------------------------

    [Fact]
    public void A_negative_input_dimension_is_DSL001()
    {
        var run = Run("""
            [Model(-1)]                              // DSL001
            [Linear(8)]
            public partial class Negative { }
            """);

        var error = Single(run, "DSL001");
        AssertAt(run, error, "// DSL001", "Model(-1)");
        Assert.Equal("Model 'Negative' has no valid input shape: every dimension must be positive, but the shape is (-1)", Message(error));
        Assert.Equal([ValidHintName], BuiltModels(run));
    }

    [Fact]
    public void Int_MaxValue_channels_give_a_parameter_count_that_does_not_overflow()
    {
        var run = Run("""
            [Model(1, 28, 28)]
            [Conv2d(int.MaxValue, 3)]
            public partial class Huge { }
            """);

        run.AssertNoDiagnostics();
        var source = run.GeneratedSource("Sample.Huge.g.cs");
        // 2147483647 · 1 · 3 · 3 weights + 2147483647 biases, counted in long.
        Assert.Contains($"public const long ParameterCount = {(2147483647L * 9) + 2147483647L};", source);
        Assert.Contains("public static long[] OutputShape => new long[] { 2147483647, 26, 26 };", source);
        Assert.Contains("Total parameters: 21,474,836,470", source);
    }

    [Fact]
    public void A_huge_input_shape_is_checked_like_any_other()
    {
        var run = Run("""
            [Model(100000, 100000, 100000)]
            [Conv2d(16, 3)]
            public partial class HugeInput { }

            [Model(100000, 100000, 100000)]
            [Linear(8)]                              // DSL008
            public partial class HugeInputLinear { }
            """);

        var error = Single(run, "DSL008");
        AssertAt(run, error, "// DSL008", "Linear(8)");
        Assert.Equal(
            "Layer 'fc1' (Linear) needs a vector [N, F] or a sequence [N, T, D] but receives [N, 100000, 100000, 100000]; add Flatten or GlobalAvgPool before it",
            Message(error));
        var source = run.GeneratedSource("Sample.HugeInput.g.cs");
        Assert.Contains("public static long[] OutputShape => new long[] { 16, 99998, 99998 };", source);
        Assert.Contains($"public const long ParameterCount = {(16 * 100000 * 9) + 16};", source);
        Assert.Empty(run.CompilationDiagnostics);
    }

    /// <summary>
    /// Shapes whose arithmetic leaves <see cref="int"/>: each must be either an error, or generated with the true
    /// output shape and no negative size or parameter count anywhere.
    /// </summary>
    [Theory]
    [InlineData("[Model(100000, 100000, 100000)] [Flatten] [Linear(8)]", "8")]
    [InlineData("[Model(1, 28, 28)] [Conv2d(int.MaxValue, 3), Flatten, Linear(10)]", "10")]
    [InlineData("[Model(1, 28, 28)] [Upsample(int.MaxValue)]", "1, 60129542116, 60129542116")]
    [InlineData("[Model(1, 28, 28)] [Conv2d(8, 3, Padding = int.MaxValue)]", "8, 4294967320, 4294967320")]
    [InlineData("[Model(1, 28, 28)] [ConvTranspose2d(8, 3, Stride = int.MaxValue)]", "8, 57982058472, 57982058472")]
    [InlineData("[Model(1000000, 4, 4)] [Conv2d(-10000, 1)]", "10000000000, 4, 4")]
    public void Shape_arithmetic_never_wraps_around_silently(string attributes, string trueOutputShape)
    {
        var run = Run(attributes + "\npublic partial class Overflow { }\n");

        if (run.GeneratorDiagnostics.Any(d => d.Severity == DiagnosticSeverity.Error))
        {
            Assert.Equal([ValidHintName], BuiltModels(run));
            return;
        }

        var source = run.GeneratedSource("Sample.Overflow.g.cs");
        Assert.Contains($"public static long[] OutputShape => new long[] {{ {trueOutputShape} }};", source);
        Assert.DoesNotMatch(new Regex(@"\[N(, \d+)*, -\d"), source);
        Assert.DoesNotMatch(new Regex(@"ParameterCount = -"), source);
        Assert.DoesNotMatch(new Regex(@"nn\.\w+\([^)]*-\d"), source);
    }

    // ---- Where the class is declared ---------------------------------------------------------------------------

    [Fact]
    public void A_model_in_the_global_namespace_is_generated()
    {
        var run = GeneratorHarness.Run("""
            using Dsl;

            [Model(8)]
            [Linear(4)]
            public partial class GlobalNet { }
            """, ValidModel);

        run.AssertNoDiagnostics();
        Assert.Equal(["GlobalNet.g.cs", ValidHintName], BuiltModels(run));
        Assert.DoesNotContain("namespace", run.GeneratedSource("GlobalNet.g.cs"));
    }

    [Theory]
    [InlineData("public partial class Outer", "Sample.Outer.Net.g.cs")]
    [InlineData("public partial struct Outer", "Sample.Outer.Net.g.cs")]
    [InlineData("public partial record Outer", "Sample.Outer.Net.g.cs")]
    [InlineData("public partial interface IOuter", "Sample.IOuter.Net.g.cs")]
    [InlineData("public static partial class Outer", "Sample.Outer.Net.g.cs")]
    public void A_model_nested_in_a_partial_type_is_generated(string outer, string hintName)
    {
        var run = Run($$"""
            {{outer}}
            {
                [Model(8)]
                [Linear(4)]
                public partial class Net { }
            }
            """);

        run.AssertNoDiagnostics();
        Assert.Equal([hintName, ValidHintName], BuiltModels(run));
    }

    [Fact]
    public void A_model_nested_two_levels_deep_is_generated()
    {
        var run = Run("""
            public partial class Outer
            {
                internal partial class Middle
                {
                    [Model(8)]
                    [Linear(4)]
                    internal partial class Net { }
                }
            }
            """);

        run.AssertNoDiagnostics();
        Assert.Equal(["Sample.Outer.Middle.Net.g.cs", ValidHintName], BuiltModels(run));
    }

    [Fact]
    public void A_model_nested_in_a_non_partial_class_is_DSL017()
    {
        var run = Run("""
            public class Outer
            {
                [Model(8)]
                [Linear(4)]
                public partial class Net { }         // DSL017
            }
            """);

        var error = Single(run, "DSL017");
        AssertAt(run, error, "// DSL017", "Net");
        Assert.Equal("'Net' cannot be a model: its containing type 'Outer' must be partial and not generic", Message(error));
        Assert.Equal([ValidHintName], BuiltModels(run));
        Assert.Empty(run.CompilationDiagnostics);
    }

    [Fact]
    public void A_model_nested_in_a_generic_class_is_DSL017()
    {
        var run = Run("""
            public partial class Outer<T>
            {
                [Model(8)]
                [Linear(4)]
                public partial class Net { }         // DSL017
            }
            """);

        Assert.NotEmpty(run.GeneratorDiagnostics);
        Assert.All(run.GeneratorDiagnostics, d =>
        {
            Assert.Equal("DSL017", d.Id);
            AssertAt(run, d, "// DSL017", "Net");
        });
        Assert.Contains(run.GeneratorDiagnostics, d => Message(d) == "'Net' cannot be a model: its containing type 'Outer' must be partial and not generic");
        Assert.Equal([ValidHintName], BuiltModels(run));
    }

    [Theory]
    [InlineData("public partial struct Point { }")]
    [InlineData("public partial record struct Point { }")]
    [InlineData("public partial interface IPoint { }")]
    public void Model_on_a_struct_or_interface_is_a_compiler_error_and_the_generator_stays_silent(string declaration)
    {
        var run = Run($$"""
            [Model(8)]
            [Linear(4)]
            {{declaration}}
            """);

        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Equal(["CS0592", "CS0592"], run.CompilationDiagnostics.Select(d => d.Id)); // [Model] and [Linear]: class only
        Assert.Equal([ValidHintName], BuiltModels(run));
    }

    [Fact]
    public void Model_on_a_record_class_is_not_silently_ignored()
    {
        var run = Run("""
            [Model(8)]
            [Linear(4)]
            public partial record Point { }          // DSL017
            """);

        var error = Single(run, "DSL017");
        AssertAt(run, error, "// DSL017", "Point");
        Assert.Equal([ValidHintName], BuiltModels(run));
    }

    [Fact]
    public void Layers_on_two_partial_declarations_are_read_in_declaration_order()
    {
        var run = Run("""
            [Model(1, 28, 28)]
            [Flatten]
            public partial class Split { }

            [Linear(10)]
            public partial class Split { }
            """);

        run.AssertNoDiagnostics();
        Assert.Contains("public static long[] OutputShape => new long[] { 10 };", run.GeneratedSource("Sample.Split.g.cs"));
    }

    [Fact]
    public void Model_on_two_partial_declarations_is_the_compilers_duplicate_attribute_error()
    {
        var run = Run("""
            [Model(1, 28, 28)]
            [Flatten]
            public partial class Twice { }

            [Model(1, 28, 28)]
            [Linear(10)]
            public partial class Twice { }
            """);

        Assert.Contains("CS0579", run.CompilationDiagnostics.Select(d => d.Id)); // Duplicate 'Model' attribute
        Assert.Contains(ValidHintName, run.GeneratedSources.Keys);
        Assert.True(run.GeneratedSources.Keys.Count(k => k.Contains("Twice", System.StringComparison.Ordinal)) <= 1);
    }

    /// <summary>Roslyn compares hint names ignoring case: the second model gets DSL017 instead of crashing the generator.</summary>
    [Fact]
    public void Models_whose_names_differ_only_in_case_give_DSL017_for_the_second_and_do_not_crash()
    {
        var run = Run("""
            [Model(8)]
            [Linear(4)]
            public partial class Net { }

            [Model(8)]
            [Linear(2)]
            public partial class NET { }
            """);

        var diagnostic = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal("DSL017", diagnostic.Id);
        Assert.Contains("differs only in case", diagnostic.GetMessage(), System.StringComparison.Ordinal);
        Assert.Contains(run.GeneratedSources.Keys, k => k.EndsWith("Sample.Net.g.cs", System.StringComparison.Ordinal));
    }

    /// <summary>Layer names that DSL012 accepts must give generated code that compiles without warnings.</summary>
    [Theory]
    [InlineData("[Linear(8, Name = \"nameof\")]")]
    [InlineData("[Linear(8, Name = \"GetType\")]")]
    [InlineData("[Linear(8, Name = \"named_modules\")]")]
    [InlineData("[Linear(8, Name = \"register_buffer\")]")]
    [InlineData("[Linear(8, Name = \"a\"), Linear(8, Name = \"a_out\"), Skip(\"input\", \"a\")]")]
    [InlineData("[Linear(8, Name = \"a\"), Linear(16, Name = \"b\"), Linear(8, Name = \"a_to_b\"), Skip(\"a\", \"b\", Projection = true)]")]
    public void An_accepted_layer_name_gives_code_that_compiles(string layers)
    {
        var run = Run($$"""
            [Model(8)]
            {{layers}}
            public partial class Names { }
            """);

        if (run.GeneratorDiagnostics.IsEmpty)
        {
            run.AssertNoDiagnostics();
        }
        else
        {
            Assert.All(run.GeneratorDiagnostics, d => Assert.Equal("DSL012", d.Id));
        }
    }

    [Fact]
    public void Constant_expressions_as_arguments_are_read_as_their_values()
    {
        var run = Run("""
            [Model(1, 2 * 14, 28)]
            [Conv2d(Sizes.Width, 3, Stride = (int)2.0, Padding = Sizes.Width / 8)]
            public partial class Constants { }

            public static class Sizes { public const int Width = 8; }
            """);

        Assert.True(run.GeneratorDiagnostics.IsEmpty, Describe(run));
        Assert.Empty(run.CompilationDiagnostics);
        Assert.Contains("OutputShape => new long[] { 8, 14, 14 }", run.GeneratedSource("Sample.Constants.g.cs"));
    }

    // ---- Helpers -----------------------------------------------------------------------------------------------

    /// <summary>The generator reports nothing, the compiler reports (at least) <paramref name="compilerError"/>, and only the valid model is generated.</summary>
    private static void AssertOnlyCompilerErrors(GeneratorRun run, string compilerError)
    {
        Assert.True(run.GeneratorDiagnostics.IsEmpty, "Expected the generator to stay silent.\n" + Describe(run));
        Assert.Contains(compilerError, run.CompilationDiagnostics.Select(d => d.Id));
        Assert.All(run.CompilationDiagnostics, d =>
        {
            Assert.Equal(DiagnosticSeverity.Error, d.Severity);
            Assert.Equal("Model0.cs", d.Location.SourceTree?.FilePath);
        });
        Assert.Equal([ValidHintName], BuiltModels(run));
    }
}
