using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Reflection;
using System.Text;
using Dsl.Generator.Common;
using Dsl.Generator.Graph;
using Dsl.Generator.Tests.Infrastructure;
using Xunit;
using static Dsl.Generator.Tests.DiagnosticChecks;

namespace Dsl.Generator.Tests.Reliability;

/// <summary>
/// Regression tests for issue 14's adversarial findings (generator half) and for the bugs found while fixing them;
/// each failed on the code before its fix unless its comment says otherwise. See docs/reliability.md#generator.
/// </summary>
public class ReliabilityTests
{
    // ---- 1. Hint names -----------------------------------------------------------------------------------------

    [Theory]
    [InlineData("@event", "event.Net.g.cs")]
    [InlineData("@class.@base", "class.base.Net.g.cs")]
    public void A_keyword_namespace_generates_its_model_and_every_other(string ns, string hint)
    {
        var run = GeneratorHarness.Run($"using Dsl;\nnamespace {ns};\n[Model(4)]\n[Linear(2)]\npublic partial class Net {{ }}\n", ValidModel);

        run.AssertNoDiagnostics();
        Assert.Contains(hint, run.GeneratedSources.Keys);
        Assert.Contains(ValidHintName, BuiltModels(run));
    }

    [Fact]
    public void Hint_names_keep_only_valid_characters_and_stay_unique()
    {
        Assert.Equal("Sample.Net.g.cs", Identifiers.HintName("Sample.Net"));
        var connector = Identifiers.HintName("Sample.a\u203Fb"); // '‿' (connector punctuation) is a C# identifier character
        Assert.Matches("^Sample\\.a_b-[0-9a-f]{8}\\.g\\.cs$", connector);
        Assert.NotEqual(Identifiers.HintName("Sample.a_b"), connector);

        var run = GeneratorHarness.Run("using Dsl;\nnamespace Sample;\n[Model(4), Linear(2)] public partial class a\u203Fb { }\n[Model(4), Linear(2)] public partial class a_b { }\n", ValidModel);
        run.AssertNoDiagnostics();
        Assert.Equal(3, BuiltModels(run).Count());
    }

    // ---- 2. Generated code that does not compile ----------------------------------------------------------------

    [Theory]
    [InlineData("@class")]
    [InlineData("@record")]
    [InlineData("@nameof")]
    public void A_model_class_named_like_a_keyword_compiles(string name)
    {
        var run = GeneratorHarness.Run($"using Dsl;\nnamespace Sample;\npublic partial class @struct\n{{\n    [Model(4)]\n    [Linear(2)]\n    public partial class {name} {{ }}\n}}\n", ValidModel);

        run.AssertNoDiagnostics();
        Assert.Contains($"partial class {name} : ", run.GeneratedSource("Sample.struct."), StringComparison.Ordinal);
        Assert.Contains("partial class @struct", run.GeneratedSource("Sample.struct."), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Summary")]
    [InlineData("InputShape")]
    [InlineData("ParameterCount")]
    [InlineData("forward")]
    [InlineData("OnnxGraph")]
    public void A_model_class_named_like_a_generated_member_is_DSL017(string name)
    {
        var run = Run($"""
            [Model(4)]                               // DSL017
            [Linear(2)]
            public partial class {name} {"{ }"}
            """);

        ExpectOnly(run, "DSL017", "// DSL017", "Model(4)",
            $"'{name}' cannot be a model: the generated module declares a member '{name}', and a member cannot have the name of its class; rename the class");
    }

    /// <summary>
    /// Found while fixing names: a model class named <c>var</c> turned every <c>var</c> of its generated code into the
    /// class. (Any type named <c>var</c> does so for the models of its namespace: here the valid model is in another.)
    /// </summary>
    [Fact]
    public void A_model_class_named_var_is_DSL017()
    {
        var run = GeneratorHarness.Run("using Dsl;\n\nnamespace Other;\n\n" + """
            [Model(4)]                               // DSL017
            [Linear(2)]
            public partial class @var { }
            """, ValidModel);

        ExpectOnly(run, "DSL017", "// DSL017", "Model(4)",
            "'var' cannot be a model: a class named 'var' makes every 'var' of the generated code mean that class; rename the class");
    }

    [Fact]
    public void A_layer_named_like_a_nested_block_class_compiles()
    {
        var run = Run("""
            [Block, Linear(4)] public partial class Fwd { }
            [Model(8)]
            [Use<Fwd>]
            [Linear(2, Name = "Fwd_8")]
            public partial class Net { }
            """);

        run.AssertNoDiagnostics();
        Assert.Contains("private sealed class Fwd_8_2 : ", run.GeneratedSource("Sample.Net."), StringComparison.Ordinal);
    }

    [Fact]
    public void A_block_layer_named_like_its_own_class_compiles()
    {
        var run = Run("""
            [Block, Linear(4, Name = "Fwd_8")] public partial class Fwd { }
            [Model(8), Use<Fwd>] public partial class Net { }
            """);

        run.AssertNoDiagnostics();
    }

    [Fact]
    public void A_model_class_named_like_a_nested_block_class_compiles()
    {
        var run = Run("""
            [Block, Linear(4)] public partial class Fwd { }
            [Model(8), Use<Fwd>] public partial class Fwd_8 { }
            """);

        run.AssertNoDiagnostics();
    }

    [Fact]
    public void Repeat_beyond_the_bound_is_DSL009_on_the_argument()
    {
        var run = Run("""
            [Block, Linear(4)] public partial class S { }
            [Model(4)]
            [Use<S>(Repeat = 2000, Name = "s")]      // DSL009
            [Linear(2, Name = "s_1500")]
            public partial class Net { }
            """);

        ExpectOnly(run, "DSL009", "// DSL009", "Repeat = 2000",
            "Layer 's' (Use): Repeat = 2000 is more than the generator's bound of 1,000 copies of a block");
    }

    [Fact]
    public void A_layer_named_like_the_last_copy_of_a_repeat_is_DSL012()
    {
        var run = Run("""
            [Block, Linear(4)] public partial class S { }
            [Model(4)]
            [Use<S>(Repeat = 1000, Name = "s")]
            [Linear(2, Name = "s_999")]              // DSL012
            public partial class Net { }
            """);

        ExpectOnly(run, "DSL012", "// DSL012", "Name = \"s_999\"",
            "'s_999' cannot name a layer: the generated code already uses it for layer 's'; choose another name");
    }

    /// <summary>Every public and protected member of TorchSharp's Module&lt;Tensor, Tensor&gt; and its bases, read by reflection, is a DSL012 as a layer name.</summary>
    [Fact]
    public void Every_member_of_the_TorchSharp_base_classes_is_rejected_as_a_layer_name()
    {
        var names = new SortedSet<string>(StringComparer.Ordinal);
        const BindingFlags flags = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        for (var t = typeof(TorchSharp.torch.nn.Module<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor>); t is not null; t = t.BaseType)
        {
            foreach (var member in t.GetMembers(flags))
            {
                var visible = member switch
                {
                    MethodBase m => (m.IsPublic || m.IsFamily || m.IsFamilyOrAssembly) && !m.IsSpecialName && m is not ConstructorInfo,
                    FieldInfo f => f.IsPublic || f.IsFamily || f.IsFamilyOrAssembly,
                    PropertyInfo p => p.GetAccessors(true).Any(a => a.IsPublic || a.IsFamily || a.IsFamilyOrAssembly),
                    EventInfo e => e.AddMethod is { } add && (add.IsPublic || add.IsFamily),
                    Type n => n.IsNestedPublic || n.IsNestedFamily || n.IsNestedFamORAssem,
                    _ => false,
                };
                if (visible && Microsoft.CodeAnalysis.CSharp.SyntaxFacts.IsValidIdentifier(member.Name))
                {
                    names.Add(member.Name);
                }
            }
        }

        Assert.Contains("save", names);
        Assert.Contains("ReferenceEquals", names);
        var source = new StringBuilder("using Dsl;\nnamespace Sample;\n");
        var list = names.ToList();
        for (var i = 0; i < list.Count; i++)
        {
            source.Append($"[Model(4), Linear(2, Name = \"{list[i]}\")] public partial class M{i} {{ }}\n");
        }

        var run = GeneratorHarness.Run(source.ToString());
        var rejected = run.GeneratorDiagnostics.Where(d => d.Id == "DSL012").Select(d => Line(d) - 3).ToHashSet();
        var missed = list.Where((_, i) => !rejected.Contains(i)).ToList();
        Assert.True(missed.Count == 0, "Layer names that TorchSharp's base classes define but DSL012 lets through: " + string.Join(", ", missed));
        Assert.Empty(run.CompilationDiagnostics);
    }

    /// <summary>Found while checking the generated members against the emitters: PyTorchSource and OnnxGraph were missing, so a layer of that name was a CS0102.</summary>
    [Theory]
    [InlineData("PyTorchSource")]
    [InlineData("OnnxGraph")]
    public void A_layer_named_like_a_generated_member_is_DSL012(string name)
    {
        var run = Run($"""
            [Model(4)]
            [Linear(2, Name = "{name}")]             // DSL012
            public partial class Net {"{ }"}
            """);

        ExpectOnly(run, "DSL012", "// DSL012", $"Name = \"{name}\"", $"'{name}' cannot name a layer: it is a member of the generated TorchSharp module");
    }

    // ---- Python (PyTorchSource) -----------------------------------------------------------------------------------

    [Theory]
    [InlineData("pass", "it is a Python keyword, and every layer is an attribute of the exported PyTorch module (PyTorchSource) named as its state_dict key")]
    [InlineData("lambda", "it is a Python keyword, and every layer is an attribute of the exported PyTorch module (PyTorchSource) named as its state_dict key")]
    [InlineData("half", "it is an attribute of PyTorch's nn.Module, which the exported PyTorch module (PyTorchSource) derives from; a layer of that name would replace it")]
    public void A_layer_named_like_a_Python_keyword_or_nn_Module_attribute_is_DSL012(string name, string why)
    {
        var run = Run($"""
            [Model(4)]
            [Linear(2, Name = "{name}")]             // DSL012
            public partial class Net {"{ }"}
            """);

        ExpectOnly(run, "DSL012", "// DSL012", $"Name = \"{name}\"", $"'{name}' cannot name a layer: {why}");
    }

    [Fact]
    public void Python_builtins_as_layer_names_keep_their_attributes_and_get_distinct_locals()
    {
        var run = Run("""
            [Model(4)]
            [Linear(4, Name = "max")]
            [Linear(4, Name = "max_")]
            [Linear(4, Name = "str")]
            [Skip("max", "str")]
            public partial class pass { }
            """);

        run.AssertNoDiagnostics();
        var python = PyTorchSource(run.GeneratedSource("Sample.pass."));
        Assert.Contains("class pass_(nn.Module):", python, StringComparison.Ordinal);
        Assert.Contains("self.max = nn.Linear(", python, StringComparison.Ordinal);
        Assert.Contains("self.max_ = nn.Linear(", python, StringComparison.Ordinal);
        Assert.Contains("max__ = self.max(input)", python, StringComparison.Ordinal);
        Assert.Contains("max_ = self.max_(max__)", python, StringComparison.Ordinal);
        Assert.Contains("str_ = str_out + max__", python, StringComparison.Ordinal);
    }

    // ---- 3. Bounds on size ------------------------------------------------------------------------------------

    [Fact]
    public void Repeat_int_MaxValue_is_DSL009_at_once()
    {
        var clock = Stopwatch.StartNew();
        var run = Run("""
            [Block, Linear(4)] public partial class S { }
            [Model(4)]
            [Use<S>(Repeat = int.MaxValue)]          // DSL009
            public partial class Net { }
            """);

        Assert.Equal("DSL009", Single(run, "DSL009").Id);
        AssertAt(run, run.GeneratorDiagnostics[0], "// DSL009", "Repeat = int.MaxValue");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"took {clock.Elapsed}");
    }

    [Fact]
    public void More_than_the_expanded_layer_bound_is_DSL027_on_the_Use()
    {
        var run = Run("""
            [Block, Linear(4), ReLU] public partial class Pair { }
            [Block, Use<Pair>(Repeat = 1000)] public partial class Thousand { }
            [Model(4)]
            [Use<Thousand>(Repeat = 6)]              // DSL027
            public partial class Huge { }
            """);

        ExpectOnly(run, "DSL027", "// DSL027", "Use<Thousand>(Repeat = 6)",
            "'Huge' has 12,000 layers with every block expanded, more than the generator's bound of 10,000: this [Use<Thousand>] adds 12,000 (Repeat = 6 × 2,000); use fewer copies or smaller blocks");
    }

    [Fact]
    public void A_block_repeated_inside_repeated_blocks_saturates_instead_of_overflowing()
    {
        var run = Run("""
            [Block, Linear(4)] public partial class A { }
            [Block, Use<A>(Repeat = 1000)] public partial class B { }
            [Block, Use<B>(Repeat = 1000)] public partial class C { }
            [Block, Use<C>(Repeat = 1000)] public partial class D { }
            [Model(4)]
            [Use<D>(Repeat = 1000)]                  // DSL027
            public partial class Huge { }
            """);

        var diagnostic = Single(run, "DSL027");
        AssertAt(run, diagnostic, "// DSL027", "Use<D>(Repeat = 1000)");
        AssertOnlyTheValidModelIsGenerated(run);
    }

    /// <summary>
    /// Generation alone (the driver, without compiling its output) at the bound and at an eighth of it: linear, in
    /// seconds. (Compiling the 6 MB of code of a model at the bound takes the compiler about 37 s on 2 cores.)
    /// </summary>
    [Fact]
    public void Ten_thousand_expanded_layers_generate_in_linear_time()
    {
        static (double Seconds, int Diagnostics, int Chars) Generate(int repeat)
        {
            var compilation = GeneratorHarness.CreateCompilation(Prelude + $$"""
                [Block, Linear(4), ReLU, Linear(4), ReLU, Linear(4), ReLU, Linear(4), ReLU, Linear(4), ReLU] public partial class Ten { }
                [Model(4), Use<Ten>(Repeat = {{repeat}})] public partial class Big { }
                """);
            var clock = Stopwatch.StartNew();
            var driver = GeneratorHarness.CreateDriver().RunGeneratorsAndUpdateCompilation(compilation, out var output, out var diagnostics);
            var seconds = clock.Elapsed.TotalSeconds;
            var result = driver.GetRunResult();
            Assert.All(result.Results, r => Assert.Null(r.Exception));
            return (seconds, result.Diagnostics.Length + diagnostics.Length, output.SyntaxTrees.Sum(t => t.Length));
        }

        Generate(10); // warm up
        var small = Generate(125);
        var big = Generate(1000);
        Assert.Equal(0, small.Diagnostics);
        Assert.Equal(0, big.Diagnostics);
        Assert.True(big.Seconds < 30, $"10,000 layers took {big.Seconds:F1} s to generate");
        Assert.True(big.Seconds < 16 * Math.Max(small.Seconds, 0.25), $"8 times the layers took {big.Seconds / small.Seconds:F1} times as long ({small.Seconds:F2} s, {big.Seconds:F2} s)");
    }

    // ---- 4. Nesting -------------------------------------------------------------------------------------------

    private static string Nested(int blocks, string innermost = "Linear(4)", string model = "Model(4)")
    {
        var text = new StringBuilder($"[Block, {innermost}] public partial class B1 {{ }}\n");
        for (var i = 2; i <= blocks; i++)
        {
            text.Append($"[Block, Use<B{i - 1}>] public partial class B{i} {{ }}\n");
        }

        return text.Append($"[{model}]\n[Use<B{blocks}>]                           // DSL028\npublic partial class Deep {{ }}\n").ToString();
    }

    [Fact]
    public void Blocks_nested_to_the_bound_generate()
    {
        var run = Run(Nested(BodyPlanner.MaxBlockDepth));
        run.AssertNoDiagnostics();
        Assert.Contains("Sample.Deep.g.cs", BuiltModels(run));
    }

    [Theory]
    [InlineData(33)]
    [InlineData(40)]
    public void Blocks_nested_deeper_than_the_bound_are_DSL028_on_the_Use(int blocks)
    {
        var run = Run(Nested(blocks));

        ExpectOnly(run, "DSL028", "// DSL028", $"Use<B{blocks}>",
            $"Blocks are nested {blocks} levels deep through [Use<B{blocks}>] (B{blocks} → B{blocks - 1} → B{blocks - 2} → … → B2 → B1), more than the generator's bound of 32; nest fewer blocks");
    }

    /// <summary>
    /// Found while fixing the nesting bound: a block's layer named like one of the model's own members made the planner
    /// stop silently (the model's members were checked against the block's layers, the block's own check did not see them).
    /// </summary>
    [Fact]
    public void A_block_layer_named_like_a_member_of_the_model_is_not_silently_dropped()
    {
        var run = Run("""
            [Block, Linear(4, Name = "head")] public partial class Inner { }
            [Model(4), Use<Inner>]
            public partial class Net
            {
                public int head() => 1;
            }
            """);

        run.AssertNoDiagnostics();
        Assert.Contains("Sample.Net.g.cs", BuiltModels(run));
    }

    /// <summary>A repeated block that swaps the layout swaps it once per copy: three copies are a swap (the scan counted at most two).</summary>
    [Fact]
    public void An_odd_repeat_of_a_transposing_block_swaps_the_input_layout()
    {
        var run = Run("""
            [Block, Transpose] public partial class Swap { }
            [Model(8, 4), Use<Swap>(Repeat = 3), Conv1d(4, 1)] public partial class Net { }
            """);

        run.AssertNoDiagnostics();
    }

    private static string PyTorchSource(string generated)
    {
        var start = generated.IndexOf("public static string PyTorchSource =>", StringComparison.Ordinal);
        var end = generated.IndexOf(";\n", start, StringComparison.Ordinal);
        var literals = generated[start..end].Split('\n').Skip(1).Select(l => l.Trim().TrimEnd('+').Trim());
        return string.Concat(literals.Select(l => l.Length >= 2 ? System.Text.RegularExpressions.Regex.Unescape(l[1..^1]) : ""));
    }
}
