using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text;
using Dsl.Generator.Shapes.Symbolic;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace Dsl.Generator.Tests.Shapes;

/// <summary>
/// The symbolic dimension algebra: the canonical form (equal expressions compare and print alike), its text and C#,
/// evaluation against a direct evaluation of random expression trees, and the decision procedures against brute force
/// over small domains (correct: every refutation is real and the smallest; complete: no false "holds").
/// </summary>
public class SymbolicDimTests
{
    private static readonly Dim H = Dim.Named("H");
    private static readonly Dim W = Dim.Named("W");

    /// <summary>PyTorch's convolution / pool size ⌊(in + 2·pad − dil·(k−1) − 1) / stride⌋ + 1.</summary>
    private static Dim Conv(Dim x, long kernel, long stride, long padding, long dilation = 1) =>
        (x + (2 * padding - dilation * (kernel - 1) - 1)).FloorDiv(stride) + 1;

    /// <summary>PyTorch's transposed convolution size (in − 1)·stride − 2·pad + dil·(k−1) + out_pad + 1.</summary>
    private static Dim ConvTranspose(Dim x, long kernel, long stride, long padding, long outputPadding = 0) =>
        (x - 1) * stride + (-2 * padding + (kernel - 1) + outputPadding + 1);

    private static DimDomain Domain(params DimConstraint[] constraints) => new(constraints);

    // ---- Canonical form ------------------------------------------------------------------------------------------

    public static IEnumerable<object[]> EqualPairs()
    {
        yield return new object[] { H.FloorDiv(2).FloorDiv(2), H.FloorDiv(4) };
        yield return new object[] { H + 2 - 2, H };
        yield return new object[] { H * 2 + H, H * 3 };
        yield return new object[] { H.FloorDiv(2).FloorDiv(3), H.FloorDiv(6) };
        yield return new object[] { (H * 2 + 1).FloorDiv(2), H }; // ⌊(2H + 1)/2⌋ = H + ⌊1/2⌋ = H
        yield return new object[] { (H * 2).FloorDiv(4), H.FloorDiv(2) }; // common factor cancelled
        yield return new object[] { (H.FloorDiv(3) * 2).FloorDiv(4), H.FloorDiv(6) };
        yield return new object[] { H.FloorDiv(1), H };
        yield return new object[] { Dim.Named("H", 2).FloorDiv(2) * 2, Dim.Named("H", 2) }; // exact
        yield return new object[] { (Dim.Named("H", 2) + 1).FloorDiv(2), Dim.Named("H", 2).FloorDiv(2) };
        yield return new object[] { Dim.Named("H", 2).FloorDiv(2).FloorDiv(2), Dim.Named("H", 2).FloorDiv(4) };
        yield return new object[] { Conv(H, 3, 2, 1), (H + 1).FloorDiv(2) }; // ⌊(H − 1)/2⌋ + 1 = ⌊(H + 1)/2⌋
        yield return new object[] { Conv(Conv(H, 3, 2, 1), 3, 2, 1), (H + 3).FloorDiv(4) }; // nested floors collapse
        yield return new object[] { H * W, W * H };
        yield return new object[] { (H + 1) * (W + 2), H * W + H * 2 + W + 2 };
        yield return new object[] { H * 0 + 5, Dim.Of(5) };
        yield return new object[] { Dim.Of(3) * Dim.Of(4), Dim.Of(12) };
        yield return new object[] { (H - 7).FloorDiv(8) + 1, (H + 1).FloorDiv(8) };
        yield return new object[] { Dim.Named("H", 4).FloorDiv(4) * Dim.Named("W", 4).FloorDiv(4) * 16, Dim.Named("H", 4) * Dim.Named("W", 4) };
    }

    [Theory]
    [MemberData(nameof(EqualPairs))]
    public void Equal_expressions_have_one_canonical_form(Dim a, Dim b)
    {
        Assert.Equal(b, a);
        Assert.True(a.Equals((object)b));
        Assert.Equal(b.GetHashCode(), a.GetHashCode());
        Assert.Equal(b.ToString(), a.ToString());
    }

    [Fact]
    public void Different_expressions_are_not_equal()
    {
        Assert.NotEqual(H.FloorDiv(2) * 2, H);
        Assert.NotEqual(H.FloorDiv(2), H.FloorDiv(3));
        Assert.NotEqual(H, W);
        Assert.NotEqual(Dim.Named("H", 2).FloorDiv(2).FloorDiv(2) * 2, Dim.Named("H", 2).FloorDiv(2));
        Assert.NotEqual(H + 1, H);
        Assert.False(H.Equals(null));
    }

    [Fact]
    public void Constants_names_and_value()
    {
        Assert.True(Dim.Of(16).IsConstant);
        Assert.Equal(16, Dim.Of(16).Value);
        Assert.Equal(0, (H.FloorDiv(2) - 3 + 3 + H.FloorDiv(2) * -1).Value);
        Assert.False(H.IsConstant);
        Assert.Throws<InvalidOperationException>(() => H.Value);
        Assert.Equal(new[] { "H", "W" }, (W * 2 + H.FloorDiv(3)).Names);
        Assert.Empty(Dim.Of(3).Names);
    }

    [Fact]
    public void A_name_used_with_two_MultipleOf_values_is_rejected()
    {
        Assert.Throws<ArgumentException>(() => Dim.Named("H", 2) + Dim.Named("H", 4));
        Assert.Throws<ArgumentException>(() => Dim.Named("H", 2) * Dim.Named("H"));
        Assert.Throws<ArgumentException>(() => DimDecisions.Equal(Dim.Named("H", 2), Dim.Named("H"), DimDomain.Empty));
        Assert.Throws<ArgumentOutOfRangeException>(() => Dim.Named("H", 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => H.FloorDiv(0));
    }

    // ---- Text ----------------------------------------------------------------------------------------------------

    public static IEnumerable<object[]> Displays()
    {
        yield return new object[] { Dim.Named("H", 2).FloorDiv(2), "H/2" };
        yield return new object[] { Dim.Named("H", 2).FloorDiv(2).FloorDiv(2) * 2, "2·floor(H/4)" };
        yield return new object[] { H.FloorDiv(4), "floor(H/4)" };
        yield return new object[] { (H + 1).FloorDiv(2), "floor((H + 1)/2)" };
        yield return new object[] { Conv(H, 3, 2, 1), "floor((H + 1)/2)" }; // the same function as floor((H - 1)/2) + 1
        yield return new object[] { Conv(H, 3, 2, 0), "floor((H + 1)/2) - 1" };
        yield return new object[] { Conv(H, 3, 1, 0), "H - 2" };
        yield return new object[] { Conv(Conv(H, 7, 2, 3), 3, 2, 1), "floor((H + 3)/4)" }; // ResNet stem and max pool
        yield return new object[] { (H - 7).FloorDiv(8) + 1, "floor((H + 1)/8)" };
        yield return new object[] { ConvTranspose(H, 4, 2, 1), "2·H" };
        yield return new object[] { ConvTranspose(H, 3, 2, 0), "2·H + 1" };
        yield return new object[] { H * W, "H·W" };
        yield return new object[] { H * W * 16, "16·H·W" };
        yield return new object[] { Dim.Named("H", 4).FloorDiv(4) * Dim.Named("W", 4).FloorDiv(4), "H·W/16" };
        yield return new object[] { Dim.Named("H", 4) * Dim.Named("W", 4), "H·W" };
        yield return new object[] { Dim.Named("H", 4) * 3, "3·H" };
        yield return new object[] { Dim.Named("H", 4).FloorDiv(4) * 3, "3·H/4" };
        yield return new object[] { Dim.Named("H", 2), "H" };
        yield return new object[] { H * 2, "2·H" };
        yield return new object[] { Dim.Of(16), "16" };
        yield return new object[] { Dim.Of(-3), "-3" };
        yield return new object[] { H * -1 + 10, "-H + 10" };
        yield return new object[] { Dim.Named("H", 2) * -1 + 10, "-H + 10" };
        yield return new object[] { Dim.Named("H", 2).FloorDiv(2) * -3, "-3·H/2" };
        yield return new object[] { W * 2 + H + H.FloorDiv(2), "H + floor(H/2) + 2·W" };
        yield return new object[] { (H + W).FloorDiv(2), "floor((H + W)/2)" };
        yield return new object[] { H.FloorDiv(32) * W.FloorDiv(32) * 64, "64·floor(H/32)·floor(W/32)" };
        yield return new object[] { Dim.Named("H", 2).FloorDiv(2) * W.FloorDiv(2), "H·floor(W/2)/2" };
        yield return new object[] { (Dim.Named("H", 2) + 1).FloorDiv(4), "floor(H/4)" };
        yield return new object[] { (Dim.Named("H", 2) + 2).FloorDiv(4), "floor((H + 2)/4)" };
        yield return new object[] { Dim.Named("H", 3).FloorDiv(2), "H/3 + floor(H/6)" }; // ⌊3k/2⌋ = k + ⌊k/2⌋
        yield return new object[] { (H * 3).FloorDiv(4), "floor(3·H/4)" };
        yield return new object[] { H - 3, "H - 3" };
    }

    [Theory]
    [MemberData(nameof(Displays))]
    public void Display(Dim dim, string expected) => Assert.Equal(expected, dim.ToString());

    private static string CSharp(Dim d) => d.ToCSharp(name => name.ToLowerInvariant(), "FloorDiv");

    [Fact]
    public void ToCSharp_writes_long_arithmetic_on_the_named_values()
    {
        Assert.Equal("FloorDiv(h + 1, 2)", CSharp(Conv(H, 3, 2, 1)));
        Assert.Equal("FloorDiv(h + 1, 2) - 1", CSharp(Conv(H, 3, 2, 0)));
        Assert.Equal("h / 2", CSharp(Dim.Named("H", 2).FloorDiv(2)));
        Assert.Equal("2 * FloorDiv(h, 4)", CSharp(Dim.Named("H", 2).FloorDiv(2).FloorDiv(2) * 2));
        Assert.Equal("h * w", CSharp(H * W));
        Assert.Equal("16", CSharp(Dim.Of(16)));
        Assert.Equal("3 * h / 4", CSharp(Dim.Named("H", 4).FloorDiv(4) * 3));
        Assert.Equal("3 * h", CSharp(Dim.Named("H", 4) * 3));
        Assert.Equal("h * w / 16", CSharp(Dim.Named("H", 4).FloorDiv(4) * Dim.Named("W", 4).FloorDiv(4)));
        Assert.Equal("h * FloorDiv(w, 2) / 2", CSharp(Dim.Named("H", 2).FloorDiv(2) * W.FloorDiv(2)));
        Assert.Equal("64 * FloorDiv(h, 32) * FloorDiv(w, 32)", CSharp(H.FloorDiv(32) * W.FloorDiv(32) * 64));
        Assert.Equal("-h + 10", CSharp(H * -1 + 10));
        Assert.Equal("h + 3000000000L", CSharp(H + 3_000_000_000L));
        Assert.Equal("FloorDiv(h + 3, 4)", CSharp(Conv(Conv(H, 7, 2, 3), 3, 2, 1)));
        Assert.Equal("FloorDiv(x.shape[2] + 1, 2)", (H + 1).FloorDiv(2).ToCSharp(_ => "x.shape[2]", "FloorDiv"));
        Assert.Equal("(a + b) / 2", Dim.Named("H", 2).FloorDiv(2).ToCSharp(_ => "a + b", "FloorDiv"));
        Assert.Equal("2 * ((long)n)", (H * 2).ToCSharp(_ => "(long)n", "FloorDiv"));
        Assert.Equal("2 * (x)", (H * 2).ToCSharp(_ => "(x)", "FloorDiv"));
    }

    // ---- Evaluation against a direct evaluation of random trees --------------------------------------------------

    /// <summary>An expression tree evaluated directly, the reference for the canonical form.</summary>
    private abstract class Tree
    {
        public abstract long Eval(long h, long w);

        public abstract Dim Build(Dim h, Dim w);

        public abstract string Text { get; }

        public override string ToString() => Text;
    }

    private sealed class VarTree(bool isW) : Tree
    {
        public override long Eval(long h, long w) => isW ? w : h;

        public override Dim Build(Dim h, Dim w) => isW ? w : h;

        public override string Text => isW ? "W" : "H";
    }

    private sealed class ConstTree(long c) : Tree
    {
        public override long Eval(long h, long w) => c;

        public override Dim Build(Dim h, Dim w) => Dim.Of(c);

        public override string Text => c.ToString();
    }

    private sealed class AddConstTree(Tree x, long c) : Tree
    {
        public override long Eval(long h, long w) => x.Eval(h, w) + c;

        public override Dim Build(Dim h, Dim w) => c >= 0 ? x.Build(h, w) + c : x.Build(h, w) - (-c);

        public override string Text => $"({x} + {c})";
    }

    private sealed class MulConstTree(Tree x, long c) : Tree
    {
        public override long Eval(long h, long w) => x.Eval(h, w) * c;

        public override Dim Build(Dim h, Dim w) => x.Build(h, w) * c;

        public override string Text => $"({x} * {c})";
    }

    private sealed class FloorTree(Tree x, long d) : Tree
    {
        public override long Eval(long h, long w) => FloorDiv(x.Eval(h, w), d);

        public override Dim Build(Dim h, Dim w) => x.Build(h, w).FloorDiv(d);

        public override string Text => $"⌊{x} / {d}⌋";
    }

    private sealed class AddTree(Tree x, Tree y) : Tree
    {
        public override long Eval(long h, long w) => x.Eval(h, w) + y.Eval(h, w);

        public override Dim Build(Dim h, Dim w) => x.Build(h, w) + y.Build(h, w);

        public override string Text => $"({x} + {y})";
    }

    private sealed class MulTree(Tree x, Tree y) : Tree
    {
        public override long Eval(long h, long w) => x.Eval(h, w) * y.Eval(h, w);

        public override Dim Build(Dim h, Dim w) => x.Build(h, w) * y.Build(h, w);

        public override string Text => $"({x} · {y})";
    }

    private static long FloorDiv(long a, long b) => (long)Math.Floor((decimal)a / b);

    private sealed class TreeMaker(int seed, bool twoNames = false, bool products = false, int maxFloors = int.MaxValue)
    {
        private readonly Random random = new(seed);
        private int floors;

        public Random Random => random;

        public Tree Make(int depth)
        {
            floors = 0;
            return Next(depth);
        }

        private Tree Leaf() =>
            random.Next(5) == 0 ? new ConstTree(random.Next(-5, 10)) : new VarTree(twoNames && random.Next(2) == 0);

        private Tree Next(int depth)
        {
            if (depth == 0 || random.Next(5) == 0) return Leaf();
            switch (random.Next(7))
            {
                case 0: return new AddConstTree(Next(depth - 1), random.Next(-10, 11));
                case 1: return new MulConstTree(Next(depth - 1), random.Next(-3, 4));
                case 2:
                case 3:
                    if (floors >= maxFloors) return new AddConstTree(Next(depth - 1), random.Next(-10, 11));
                    floors++;
                    return new FloorTree(Next(depth - 1), random.Next(1, 6));
                case 4:
                case 5: return new AddTree(Next(depth - 1), Next(depth - 1));
                default:
                    if (products && depth <= 2) return new MulTree(Next(depth - 1), Next(depth - 1));
                    if (floors >= maxFloors) return new MulConstTree(Next(depth - 1), random.Next(-3, 4));
                    floors++;
                    return new FloorTree(Next(depth - 1), random.Next(2, 4));
            }
        }
    }

    private static Dictionary<string, long> Values(long h, long w) => new() { ["H"] = h, ["W"] = w };

    /// <summary>The key test of the normaliser: Evaluate of the canonical form equals the tree's own value.</summary>
    [Fact]
    public void Evaluate_agrees_with_a_direct_evaluation_of_random_trees()
    {
        var maker = new TreeMaker(seed: 20240611, products: true);
        for (int trial = 0; trial < 600; trial++)
        {
            var tree = maker.Make(depth: 5);
            long m = 1 + trial % 3;
            var dim = tree.Build(Dim.Named("H", m), W);
            for (long h = -20 * m; h <= 200; h += m)
            {
                long expected = tree.Eval(h, 0);
                long actual = dim.Evaluate(Values(h, 0));
                if (expected != actual)
                    Assert.Fail($"{tree} with H = {h} (MultipleOf {m}): direct {expected}, canonical {dim} gives {actual}");
            }
        }
    }

    [Fact]
    public void Evaluate_agrees_with_a_direct_evaluation_of_random_trees_in_two_names()
    {
        var maker = new TreeMaker(seed: 7, twoNames: true, products: true);
        for (int trial = 0; trial < 300; trial++)
        {
            var tree = maker.Make(depth: 5);
            long mh = 1 + trial % 2, mw = 1 + trial % 3;
            var dim = tree.Build(Dim.Named("H", mh), Dim.Named("W", mw));
            for (long h = -3 * mh; h <= 40; h += mh)
                for (long w = -3 * mw; w <= 40; w += mw)
                {
                    long expected = tree.Eval(h, w);
                    long actual = dim.Evaluate(Values(h, w));
                    if (expected != actual)
                        Assert.Fail($"{tree} with H = {h}, W = {w}: direct {expected}, canonical {dim} gives {actual}");
                }
        }
    }

    [Fact]
    public void Evaluate_checks_its_values()
    {
        var d = Dim.Named("H", 2).FloorDiv(2) + W;
        Assert.Equal(7, d.Evaluate(Values(8, 3)));
        Assert.Throws<ArgumentException>(() => d.Evaluate(new Dictionary<string, long> { ["H"] = 8 })); // no W
        Assert.Throws<ArgumentException>(() => d.Evaluate(Values(7, 3))); // 7 is not a multiple of 2
        Assert.Equal(5, Dim.Of(5).Evaluate(new Dictionary<string, long>()));
    }

    /// <summary>The C# of random trees, compiled with Roslyn, computes what the tree computes.</summary>
    [Fact]
    public void ToCSharp_of_random_trees_compiles_and_computes_the_same_values()
    {
        var maker = new TreeMaker(seed: 99, twoNames: true, products: true);
        var trees = new List<(Tree Tree, Dim Dim, long Mh, long Mw)>();
        var source = new StringBuilder("public static class Sizes {\n");
        source.Append("  public static long FloorDiv(long a, long b) { long q = a / b; if (a % b != 0 && (a < 0) != (b < 0)) q--; return q; }\n");
        for (int i = 0; i < 200; i++)
        {
            var tree = maker.Make(depth: 5);
            long mh = 1 + i % 3, mw = 1 + i % 2;
            var dim = tree.Build(Dim.Named("H", mh), Dim.Named("W", mw));
            trees.Add((tree, dim, mh, mw));
            source.Append($"  public static long E{i}(long h, long w) => {dim.ToCSharp(n => n == "H" ? "h" : "w", "FloorDiv")};\n");
        }
        source.Append("}\n");

        var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator)
            .Where(p => Path.GetFileName(p) is "System.Runtime.dll" or "System.Private.CoreLib.dll" or "netstandard.dll")
            .Select(p => MetadataReference.CreateFromFile(p));
        var compilation = CSharpCompilation.Create(
            "SymbolicDimCSharp",
            new[] { CSharpSyntaxTree.ParseText(source.ToString()) },
            references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, checkOverflow: true));
        using var stream = new MemoryStream();
        var emitted = compilation.Emit(stream);
        Assert.True(emitted.Success, string.Join("\n", emitted.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)));
        var type = Assembly.Load(stream.ToArray()).GetType("Sizes")!;

        for (int i = 0; i < trees.Count; i++)
        {
            var (tree, dim, mh, mw) = trees[i];
            var method = type.GetMethod("E" + i)!;
            for (long h = -2 * mh; h <= 30; h += mh)
                for (long w = -2 * mw; w <= 30; w += mw)
                {
                    long expected = tree.Eval(h, w);
                    long actual = (long)method.Invoke(null, new object[] { h, w })!;
                    if (expected != actual)
                        Assert.Fail($"{tree} as {dim.ToCSharp(n => n.ToLowerInvariant(), "FloorDiv")} at H = {h}, W = {w}: {actual}, expected {expected}");
                }
        }
    }

    // ---- Domains -------------------------------------------------------------------------------------------------

    [Fact]
    public void Domain_gives_defaults_and_the_last_constraint_of_a_name()
    {
        var domain = Domain(new DimConstraint("H", 2, 10, 1), new DimConstraint("H", 4, null, 4));
        Assert.Equal(new DimConstraint("H", 4, null, 4), domain["H"]);
        Assert.Equal(DimConstraint.Default("W"), domain["W"]);
        Assert.Equal(DimConstraint.Default("H"), DimDomain.Empty["H"]);
        Assert.Equal(Dim.Named("H", 4), domain.Named("H"));
    }

    [Fact]
    public void IsSatisfiable()
    {
        Assert.True(DimDecisions.IsSatisfiable(DimConstraint.Default("H")));
        Assert.True(DimDecisions.IsSatisfiable(new DimConstraint("H", 5, 8, 4))); // 8
        Assert.False(DimDecisions.IsSatisfiable(new DimConstraint("H", 5, 7, 4)));
        Assert.True(DimDecisions.IsSatisfiable(new DimConstraint("H", 5, 5, 5)));
        Assert.False(DimDecisions.IsSatisfiable(new DimConstraint("H", 6, 5, 1)));
        Assert.True(DimDecisions.IsSatisfiable(new DimConstraint("H", 100, null, 64)));
        Assert.False(DimDecisions.IsSatisfiable(new DimConstraint("H", 1, 10, 0)));
        Assert.True(DimDecisions.IsSatisfiable(new DimConstraint("H", 1, long.MaxValue, long.MaxValue)));
    }

    [Fact]
    public void ExampleText_lists_the_names_in_order()
    {
        Assert.Equal("H = 6", new DimRefutation(new Dictionary<string, long> { ["H"] = 6 }, 3, 2, null).ExampleText);
        Assert.Equal("H = 6, W = 8", new DimRefutation(new Dictionary<string, long> { ["W"] = 8, ["H"] = 6 }, 0, 1, null).ExampleText);
    }

    // ---- Equal ---------------------------------------------------------------------------------------------------

    /// <summary>U-Net: the skip connection adds H/2 (after one pool) to 2·⌊H/4⌋ (after another pool and an upsampling).</summary>
    [Fact]
    public void Equal_UNet_needs_MultipleOf_4()
    {
        var domain = Domain(new DimConstraint("H", 1, null, 2));
        var h = domain.Named("H");
        var down = h.FloorDiv(2);
        var up = h.FloorDiv(2).FloorDiv(2) * 2;

        var refutation = DimDecisions.Equal(down, up, domain);
        Assert.NotNull(refutation);
        Assert.Equal("H = 2", refutation.ExampleText); // the smallest even H: 1 vs 0
        Assert.Equal(1, refutation.Left);
        Assert.Equal(0, refutation.Right);
        Assert.Equal("[Dim(\"H\", MultipleOf = 4)]", refutation.Fix);

        // From 4 on, the smallest counterexample is 6: H/2 = 3, 2·⌊6/4⌋ = 2.
        var from4 = DimDecisions.Equal(down, up, Domain(new DimConstraint("H", 4, null, 2)));
        Assert.NotNull(from4);
        Assert.Equal("H = 6", from4.ExampleText);
        Assert.Equal((3L, 2L), (from4.Left, from4.Right));
        Assert.Equal("[Dim(\"H\", MultipleOf = 4)]", from4.Fix);

        Assert.Null(DimDecisions.Equal(down, up, Domain(new DimConstraint("H", 1, null, 4))));
        Assert.Null(DimDecisions.Equal(down, up, Domain(new DimConstraint("H", 1, null, 8))));
    }

    [Fact]
    public void Equal_holds_for_equal_canonical_forms_and_for_identities_the_form_does_not_see()
    {
        Assert.Null(DimDecisions.Equal(H.FloorDiv(2).FloorDiv(3), H.FloorDiv(6), DimDomain.Empty));
        // ⌊H/2⌋ + ⌊(H + 1)/2⌋ = H: two canonical forms, one function.
        Assert.NotEqual(H.FloorDiv(2) + (H + 1).FloorDiv(2), H);
        Assert.Null(DimDecisions.Equal(H.FloorDiv(2) + (H + 1).FloorDiv(2), H, DimDomain.Empty));
        Assert.Null(DimDecisions.Equal((H * W).FloorDiv(1), W * H, DimDomain.Empty));
        var domain = Domain(new DimConstraint("H", 1, null, 2), new DimConstraint("W", 1, null, 3));
        Assert.Null(DimDecisions.Equal(domain.Named("H").FloorDiv(2) * domain.Named("W") * 2, domain.Named("H") * domain.Named("W"), domain));
    }

    [Fact]
    public void Equal_with_Min_and_Max()
    {
        // ⌊H/64⌋ is 0 up to 63.
        Assert.Null(DimDecisions.Equal(H.FloorDiv(64), Dim.Of(0), Domain(new DimConstraint("H", 1, 60, 1))));
        var refutation = DimDecisions.Equal(H.FloorDiv(64), Dim.Of(0), Domain(new DimConstraint("H", 1, 100, 1)));
        Assert.NotNull(refutation);
        Assert.Equal("H = 64", refutation.ExampleText);
        Assert.Equal((1L, 0L), (refutation.Left, refutation.Right));
        Assert.Equal("[Dim(\"H\", MultipleOf = 51)]", refutation.Fix); // the only multiple of 51 up to 100 is 51
        // A strided conv keeps the size only for H = 1: ⌊(H + 1)/2⌋ = H iff H ≤ 1.
        Assert.Null(DimDecisions.Equal(Conv(H, 3, 2, 1), H, Domain(new DimConstraint("H", 1, 1, 1))));
        var conv = DimDecisions.Equal(Conv(H, 3, 2, 1), H, Domain(new DimConstraint("H", 1, 3, 1)));
        Assert.NotNull(conv);
        Assert.Equal("H = 2", conv.ExampleText);
        Assert.Equal((1L, 2L), (conv.Left, conv.Right));
        Assert.Null(conv.Fix); // MultipleOf 2 and 3 still fail (H = 2, H = 3), larger ones admit no value
        // No allowed value at all: nothing can fail.
        Assert.Null(DimDecisions.Equal(H, H + 1, Domain(new DimConstraint("H", 5, 7, 4))));
    }

    [Fact]
    public void Equal_in_two_names_finds_the_smallest_counterexample()
    {
        var refutation = DimDecisions.Equal(H.FloorDiv(2) * W.FloorDiv(3), (H * W).FloorDiv(6), DimDomain.Empty);
        Assert.NotNull(refutation);
        Assert.Equal("H = 1, W = 6", refutation.ExampleText); // 0·2 = 0 vs ⌊6/6⌋ = 1
        Assert.Equal((0L, 1L), (refutation.Left, refutation.Right));
        Assert.Null(refutation.Fix); // no single MultipleOf makes ⌊H/2⌋·⌊W/3⌋ = ⌊H·W/6⌋

        var constants = DimDecisions.Equal(Dim.Of(3), Dim.Of(4), DimDomain.Empty);
        Assert.NotNull(constants);
        Assert.Empty(constants.Example);
        Assert.Null(DimDecisions.Equal(Dim.Of(3), Dim.Of(3), DimDomain.Empty));
    }

    // ---- AtLeast / AtMost ----------------------------------------------------------------------------------------

    [Fact]
    public void AtLeast_a_convolution_that_needs_a_large_enough_input()
    {
        var size = Conv(H, 8, 8, 0); // ⌊(H − 8)/8⌋ + 1 = ⌊H/8⌋
        Assert.Equal("floor(H/8)", size.ToString());
        var strided = (H - 7).FloorDiv(8) + 1; // ⌊(H − 7)/8⌋ + 1 = ⌊(H + 1)/8⌋: 0 for H ≤ 6
        var refutation = DimDecisions.AtLeast(strided, 1, DimDomain.Empty);
        Assert.NotNull(refutation);
        Assert.Equal("H = 1", refutation.ExampleText);
        Assert.Equal((0L, 1L), (refutation.Left, refutation.Right));
        Assert.Equal("[Dim(\"H\", Min = 7)]", refutation.Fix);
        Assert.Null(DimDecisions.AtLeast(strided, 1, Domain(new DimConstraint("H", 7, null, 1))));
        // With MultipleOf 4 the first allowed value that works is 8.
        var multiple = DimDecisions.AtLeast(strided, 1, Domain(new DimConstraint("H", 1, null, 4)));
        Assert.NotNull(multiple);
        Assert.Equal("H = 4", multiple.ExampleText);
        Assert.Equal("[Dim(\"H\", Min = 8)]", multiple.Fix);
        // Max 6 leaves nothing that works.
        var capped = DimDecisions.AtLeast(strided, 1, Domain(new DimConstraint("H", 1, 6, 1)));
        Assert.NotNull(capped);
        Assert.Null(capped.Fix);
    }

    [Fact]
    public void AtLeast_of_a_decreasing_size_has_no_Min_fix()
    {
        var shrinking = H * -1 + 100;
        var refutation = DimDecisions.AtLeast(shrinking, 1, DimDomain.Empty);
        Assert.NotNull(refutation);
        Assert.Equal("H = 100", refutation.ExampleText);
        Assert.Equal((0L, 1L), (refutation.Left, refutation.Right));
        Assert.Null(refutation.Fix);
        var bounded = DimDecisions.AtLeast(shrinking, 1, Domain(new DimConstraint("H", 1, 200, 1)));
        Assert.NotNull(bounded);
        Assert.Null(bounded.Fix);
        Assert.Null(DimDecisions.AtLeast(shrinking, 1, Domain(new DimConstraint("H", 1, 99, 1))));
        // A far failure of a slowly decreasing size is found exactly: 10^6 − ⌊H/3⌋ < 0 first at H = 3,000,003.
        var slow = DimDecisions.AtLeast(H.FloorDiv(3) * -1 + 1_000_000, 0, DimDomain.Empty);
        Assert.NotNull(slow);
        Assert.Equal("H = 3000003", slow.ExampleText);
    }

    [Fact]
    public void AtMost_a_length_without_a_Max()
    {
        var refutation = DimDecisions.AtMost(H, 512, DimDomain.Empty);
        Assert.NotNull(refutation);
        Assert.Equal("H = 513", refutation.ExampleText);
        Assert.Equal((513L, 512L), (refutation.Left, refutation.Right));
        Assert.Equal("[Dim(\"H\", Max = 512)]", refutation.Fix);
        Assert.Null(DimDecisions.AtMost(H, 512, Domain(new DimConstraint("H", 1, 256, 1))));
        Assert.Null(DimDecisions.AtMost(H, 512, Domain(new DimConstraint("H", 1, 512, 1))));

        var t = Dim.Named("T", 8);
        var upsampled = DimDecisions.AtMost(t * 2 + 16, 512, Domain(new DimConstraint("T", 8, null, 8)));
        Assert.NotNull(upsampled);
        Assert.Equal("T = 256", upsampled.ExampleText);
        Assert.Equal("[Dim(\"T\", Max = 248)]", upsampled.Fix);

        var tooBig = DimDecisions.AtMost(H + 1000, 512, DimDomain.Empty);
        Assert.NotNull(tooBig);
        Assert.Equal("H = 1", tooBig.ExampleText);
        Assert.Null(tooBig.Fix);
    }

    [Fact]
    public void Inequalities_in_two_names_are_exact_for_products()
    {
        // H·W ≤ 1000 fails first at H = 1, W = 1001, and no single Max fixes it (the other name is unbounded).
        var area = DimDecisions.AtMost(H * W, 1000, DimDomain.Empty);
        Assert.NotNull(area);
        Assert.Equal("H = 1, W = 1001", area.ExampleText);
        Assert.Null(area.Fix);
        var boundedW = DimDecisions.AtMost(H * W, 1000, Domain(new DimConstraint("W", 1, 10, 1)));
        Assert.NotNull(boundedW);
        Assert.Equal("H = 101, W = 10", boundedW.ExampleText);
        Assert.Equal("[Dim(\"H\", Max = 100)]", boundedW.Fix);

        // Flatten after five stride-2 stages: 64·⌊H/32⌋·⌊W/32⌋ ≥ 1.
        var flat = H.FloorDiv(32) * W.FloorDiv(32) * 64;
        var small = DimDecisions.AtLeast(flat, 1, DimDomain.Empty);
        Assert.NotNull(small);
        Assert.Equal("H = 1, W = 1", small.ExampleText);
        Assert.Null(small.Fix); // both names need a Min
        var wideEnough = DimDecisions.AtLeast(flat, 1, Domain(new DimConstraint("W", 32, null, 1)));
        Assert.NotNull(wideEnough);
        Assert.Equal("H = 1, W = 32", wideEnough.ExampleText);
        Assert.Equal("[Dim(\"H\", Min = 32)]", wideEnough.Fix);
        Assert.Null(DimDecisions.AtLeast(flat, 1, Domain(new DimConstraint("H", 32, null, 1), new DimConstraint("W", 40, null, 8))));

        // A product with a negative part: W·(H − 10) + 5 ≥ 0 fails first at H = 1, W = 1.
        var mixed = DimDecisions.AtLeast(W * (H - 10) + 5, 0, DimDomain.Empty);
        Assert.NotNull(mixed);
        Assert.Equal("H = 1, W = 1", mixed.ExampleText);
        Assert.Equal("[Dim(\"H\", Min = 10)]", mixed.Fix);
    }

    [Fact]
    public void Inequalities_of_a_square_are_exact()
    {
        // Flatten over a square input [Model(3, "S", "S")] after five stride-2 convolutions: ⌈S/32⌉² features.
        var s = Dim.Named("S");
        var side = s;
        for (int i = 0; i < 5; i++) side = Conv(side, 3, 2, 1);
        var features = side * side;
        Assert.Equal("floor((S + 31)/32)·floor((S + 31)/32)", features.ToString());
        Assert.Null(DimDecisions.AtLeast(features * 3, 3, DimDomain.Empty));
        var tooMany = DimDecisions.AtMost(features, 4096, DimDomain.Empty); // ⌈S/32⌉ ≤ 64
        Assert.NotNull(tooMany);
        Assert.Equal("S = 2049", tooMany.ExampleText);
        Assert.Equal((4225L, 4096L), (tooMany.Left, tooMany.Right));
        Assert.Equal("[Dim(\"S\", Max = 2048)]", tooMany.Fix);
        Assert.Null(DimDecisions.AtMost(features, 4096, Domain(new DimConstraint("S", 1, 2048, 1))));

        // S² − 10·S + 20 < 0 exactly for S = 3 … 7.
        var dip = DimDecisions.AtLeast(s * s + s * -10 + 20, 0, DimDomain.Empty);
        Assert.NotNull(dip);
        Assert.Equal("S = 3", dip.ExampleText);
        Assert.Equal((-1L, 0L), (dip.Left, dip.Right));
        Assert.Equal("[Dim(\"S\", Min = 8)]", dip.Fix);
        // A cubic that dips below zero only far out: S³ − 3000·S² + 10⁶ fails first at S = 19.
        var cubic = s * s * s + s * s * -3000 + 1_000_000;
        var far = DimDecisions.AtLeast(cubic, 0, DimDomain.Empty);
        Assert.NotNull(far);
        Assert.Equal("S = 19", far.ExampleText);
        Assert.Equal("[Dim(\"S\", Min = 3000)]", far.Fix); // f(2999) = −2999² + 10⁶ < 0, f(3000) = 10⁶
        // And an upper bound on it that fails only past its local minimum: S³ − 3000·S² + 10⁶ ≤ 10⁶ fails at S = 3001.
        var late = DimDecisions.AtMost(cubic, 1_000_000, DimDomain.Empty);
        Assert.NotNull(late);
        Assert.Equal("S = 3001", late.ExampleText);
        Assert.Equal("[Dim(\"S\", Max = 3000)]", late.Fix);
    }

    [Fact]
    public void Inequalities_of_constants()
    {
        Assert.Null(DimDecisions.AtLeast(Dim.Of(3), 1, DimDomain.Empty));
        var r = DimDecisions.AtLeast(Dim.Of(0), 1, DimDomain.Empty);
        Assert.NotNull(r);
        Assert.Empty(r.Example);
        Assert.Equal((0L, 1L), (r.Left, r.Right));
        Assert.Null(r.Fix);
        Assert.NotNull(DimDecisions.AtMost(Dim.Of(513), 512, DimDomain.Empty));
    }

    [Fact]
    public void A_deep_chain_is_decided_quickly()
    {
        // Ten stride-2 3×3 convolutions: P = 1024.
        var x = H;
        for (int i = 0; i < 10; i++) x = Conv(x, 3, 2, 1);
        Assert.Equal("floor((H + 1023)/1024)", x.ToString());
        var watch = System.Diagnostics.Stopwatch.StartNew();
        Assert.Null(DimDecisions.AtLeast(x, 1, DimDomain.Empty));
        Assert.NotNull(DimDecisions.Equal(x, H.FloorDiv(1024), DimDomain.Empty));
        Assert.Null(DimDecisions.Equal(x, (H + 1023).FloorDiv(1024), DimDomain.Empty));
        var r = DimDecisions.AtMost(x, 3, DimDomain.Empty);
        Assert.NotNull(r);
        Assert.Equal("H = 3073", r.ExampleText);
        Assert.Equal("[Dim(\"H\", Max = 3072)]", r.Fix);
        Assert.True(watch.ElapsedMilliseconds < 2000, $"took {watch.ElapsedMilliseconds} ms");
    }

    // ---- Against brute force -------------------------------------------------------------------------------------

    private static IEnumerable<long> Allowed(DimConstraint c, long limit)
    {
        long first = (long)Math.Ceiling((decimal)c.Min / c.MultipleOf) * c.MultipleOf;
        long last = Math.Min(c.Max ?? long.MaxValue, limit);
        for (long v = first; v <= last; v += c.MultipleOf) yield return v;
    }

    private static long Eval(Dim d, long h) => d.IsConstant ? d.Value : d.Evaluate(new Dictionary<string, long> { ["H"] = h });

    /// <summary>The values to try: those of the domain, or one arbitrary value when no name occurs (then the domain is irrelevant).</summary>
    private static List<long> Relevant(List<long> values, params Dim[] dims) =>
        dims.All(d => d.IsConstant) ? new List<long> { 0 } : values;

    private static long? FirstFailure(IEnumerable<long> values, Func<long, bool> holds)
    {
        foreach (long v in values)
            if (!holds(v)) return v;
        return null;
    }

    private static void AssertExample(long expectedH, Dim a, Dim? b, DimRefutation r)
    {
        if (a.Names.Count == 0 && (b is null || b.Names.Count == 0)) Assert.Empty(r.Example);
        else Assert.Equal(expectedH, r.Example["H"]);
    }

    /// <summary>Equal, AtLeast and AtMost against trying every value of small bounded domains.</summary>
    [Fact]
    public void Decisions_agree_with_brute_force_on_small_bounded_domains()
    {
        var maker = new TreeMaker(seed: 4242);
        var random = maker.Random;
        int refuted = 0, held = 0;
        for (int trial = 0; trial < 3000; trial++)
        {
            long multipleOf = random.Next(1, 5); // 1 … 4
            long[] divisors = Enumerable.Range(1, (int)multipleOf).Where(u => multipleOf % u == 0).Select(u => (long)u).ToArray();
            long unit = divisors[random.Next(divisors.Length)]; // what the expressions were built knowing
            long min = random.Next(1, 5);
            long max = random.Next((int)min, 61);
            var c = new DimConstraint("H", min, max, multipleOf);
            var domain = Domain(c);
            var h = Dim.Named("H", unit);
            var tree = maker.Make(depth: 4);
            var a = tree.Build(h, W);
            // b: a rewrite of a that is often equal on the domain, or an unrelated tree.
            var b = (trial % 4) switch
            {
                0 => new FloorTree(new MulConstTree(tree, 2), 2).Build(h, W),
                1 => maker.Make(depth: 2).Build(h, W),
                2 => a.FloorDiv(64) + a + a.FloorDiv(64) * -1 + (trial % 8 == 2 ? 0 : 1),
                _ => maker.Make(depth: 4).Build(h, W),
            };
            var values = Allowed(c, long.MaxValue).ToList();

            // Equal
            var eq = DimDecisions.Equal(a, b, domain);
            long? failure = FirstFailure(Relevant(values, a, b), v => Eval(a, v) == Eval(b, v));
            if (failure is null) Assert.True(eq is null, $"{a} = {b} on {c}: holds, but refuted at {eq?.ExampleText}");
            else
            {
                Assert.True(eq is not null, $"{a} = {b} on {c}: fails at H = {failure}, but decided to hold");
                AssertExample(failure.Value, a, b, eq);
                Assert.Equal(Eval(a, failure.Value), eq.Left);
                Assert.Equal(Eval(b, failure.Value), eq.Right);
                string? expectedFix = null;
                if (a.Names.Count + b.Names.Count > 0)
                    for (long j = 2; j <= 64 && expectedFix is null; j++)
                    {
                        var c2 = c with { MultipleOf = multipleOf * j };
                        var v2 = Allowed(c2, long.MaxValue).ToList();
                        if (v2.Count > 0 && v2.All(v => Eval(a, v) == Eval(b, v))) expectedFix = $"[Dim(\"H\", MultipleOf = {multipleOf * j})]";
                    }
                Assert.Equal(expectedFix, eq.Fix);
            }

            // AtLeast / AtMost
            long bound = random.Next(-5, 20);
            CheckAtLeast(a, bound, c, values);
            CheckAtMost(a, bound, c, values);
            if (eq is null) held++;
            else refuted++;
        }
        Assert.True(held > 300 && refuted > 300, $"held {held}, refuted {refuted}: the pairs should exercise both outcomes");
    }

    private static void CheckAtLeast(Dim a, long bound, DimConstraint c, List<long> values)
    {
        values = Relevant(values, a);
        var r = DimDecisions.AtLeast(a, bound, Domain(c));
        long? failure = FirstFailure(values, v => Eval(a, v) >= bound);
        if (failure is null)
        {
            Assert.True(r is null, $"{a} ≥ {bound} on {c}: holds, but refuted at {r?.ExampleText}");
            return;
        }
        Assert.True(r is not null, $"{a} ≥ {bound} on {c}: fails at H = {failure}, but decided to hold");
        AssertExample(failure.Value, a, null, r);
        Assert.Equal(Eval(a, failure.Value), r.Left);
        Assert.Equal(bound, r.Right);
        long lastFailure = values.Last(v => Eval(a, v) < bound);
        string? expected = a.IsConstant || lastFailure == values[^1] ? null : $"[Dim(\"H\", Min = {lastFailure + c.MultipleOf})]";
        Assert.True(expected == r.Fix, $"{a} ≥ {bound} on {c}: fix {r.Fix}, expected {expected}");
    }

    private static void CheckAtMost(Dim a, long bound, DimConstraint c, List<long> values)
    {
        values = Relevant(values, a);
        var r = DimDecisions.AtMost(a, bound, Domain(c));
        long? failure = FirstFailure(values, v => Eval(a, v) <= bound);
        if (failure is null)
        {
            Assert.True(r is null, $"{a} ≤ {bound} on {c}: holds, but refuted at {r?.ExampleText}");
            return;
        }
        Assert.True(r is not null, $"{a} ≤ {bound} on {c}: fails at H = {failure}, but decided to hold");
        AssertExample(failure.Value, a, null, r);
        Assert.Equal(Eval(a, failure.Value), r.Left);
        string? expected = a.IsConstant || failure == values[0] ? null : $"[Dim(\"H\", Max = {failure - c.MultipleOf})]";
        Assert.True(expected == r.Fix, $"{a} ≤ {bound} on {c}: fix {r.Fix}, expected {expected}");
    }

    /// <summary>
    /// Unbounded domains: the decisions look at finitely many values, brute force at the first few thousand. Every
    /// failure brute force sees must be reported (the smallest); a refutation beyond its range must be a real failure.
    /// </summary>
    [Fact]
    public void Decisions_agree_with_brute_force_on_unbounded_domains()
    {
        var maker = new TreeMaker(seed: 31337, maxFloors: 3); // periods ≤ 125: the decisions look at ≤ 2·125 steps
        var random = maker.Random;
        const long Limit = 3000;
        for (int trial = 0; trial < 1500; trial++)
        {
            long unit = random.Next(1, 3);
            long multipleOf = unit * random.Next(1, 3);
            var c = new DimConstraint("H", random.Next(1, 5), null, multipleOf);
            var domain = Domain(c);
            var h = Dim.Named("H", unit);
            var a = maker.Make(depth: 4).Build(h, W);
            // ⌊a/2⌋ + ⌊(a + 1)/2⌋ = a: equal as functions, not as canonical forms.
            var b = trial % 2 == 0 ? a.FloorDiv(2) + (a + 1).FloorDiv(2) + (trial % 4 == 0 ? 1 : 0) : maker.Make(depth: 3).Build(h, W);
            var values = Allowed(c, Limit).ToList();

            var eq = DimDecisions.Equal(a, b, domain);
            long? failure = FirstFailure(Relevant(values, a, b), v => Eval(a, v) == Eval(b, v));
            if (failure is null) Assert.True(eq is null, $"{a} = {b} on {c}: no failure up to {Limit}, but refuted at {eq?.ExampleText}");
            else
            {
                Assert.True(eq is not null, $"{a} = {b} on {c}: fails at H = {failure}, but decided to hold");
                AssertExample(failure.Value, a, b, eq);
            }

            long bound = random.Next(-20, 40);
            foreach (bool atLeast in new[] { true, false })
            {
                Func<long, bool> holds = atLeast ? v => Eval(a, v) >= bound : v => Eval(a, v) <= bound;
                var r = atLeast ? DimDecisions.AtLeast(a, bound, domain) : DimDecisions.AtMost(a, bound, domain);
                string rule = $"{a} {(atLeast ? "≥" : "≤")} {bound} on {c}";
                failure = FirstFailure(Relevant(values, a), holds);
                if (failure is not null)
                {
                    Assert.True(r is not null, $"{rule}: fails at H = {failure}, but decided to hold");
                    AssertExample(failure.Value, a, null, r);
                }
                else if (r is not null)
                {
                    long at = r.Example["H"];
                    Assert.True(at > Limit && !holds(at), $"{rule}: refuted at {r.ExampleText}, which brute force does not confirm");
                }
                if (r?.Fix is string fix && !a.IsConstant)
                {
                    long v = long.Parse(fix.Split('=')[1].TrimEnd(')', ']', ' '));
                    if (atLeast)
                    {
                        Assert.True(values.Where(x => x >= v).All(holds), $"{rule}: {fix} does not make it hold");
                        Assert.False(holds(v - multipleOf), $"{rule}: {fix} is not the smallest");
                    }
                    else
                    {
                        Assert.True(values.Where(x => x <= v).All(holds), $"{rule}: {fix} does not make it hold");
                        Assert.False(holds(v + multipleOf), $"{rule}: {fix} is not the largest");
                    }
                }
            }
        }
    }

    /// <summary>One name of higher degree (products of random trees): AtLeast and AtMost against brute force.</summary>
    [Fact]
    public void Inequalities_of_higher_degree_agree_with_brute_force()
    {
        var maker = new TreeMaker(seed: 2718, products: true, maxFloors: 3);
        var random = maker.Random;
        const long Limit = 3000;
        for (int trial = 0; trial < 1500; trial++)
        {
            long unit = random.Next(1, 3);
            long multipleOf = unit * random.Next(1, 3);
            long min = random.Next(1, 5);
            var c = new DimConstraint("H", min, trial % 2 == 0 ? null : random.Next((int)min, 200), multipleOf);
            var h = Dim.Named("H", unit);
            var a = maker.Make(depth: 4).Build(h, W);
            long bound = random.Next(-50, 200);
            var values = Relevant(Allowed(c, Limit).ToList(), a);
            foreach (bool atLeast in new[] { true, false })
            {
                Func<long, bool> holds = atLeast ? v => Eval(a, v) >= bound : v => Eval(a, v) <= bound;
                var r = atLeast ? DimDecisions.AtLeast(a, bound, Domain(c)) : DimDecisions.AtMost(a, bound, Domain(c));
                string rule = $"{a} {(atLeast ? "≥" : "≤")} {bound} on {c}";
                long? failure = FirstFailure(values, holds);
                if (failure is not null)
                {
                    Assert.True(r is not null, $"{rule}: fails at H = {failure}, but decided to hold");
                    AssertExample(failure.Value, a, null, r);
                    Assert.Equal(Eval(a, failure.Value), r.Left);
                }
                else if (r is not null)
                {
                    Assert.True(c.Max is null, $"{rule}: holds on the bounded domain, but refuted at {r.ExampleText}");
                    long at = r.Example["H"];
                    Assert.True(at > Limit && !holds(at), $"{rule}: refuted at {r.ExampleText}, which brute force does not confirm");
                }
                if (r?.Fix is string fix)
                {
                    long v = long.Parse(fix.Split('=')[1].TrimEnd(')', ']', ' '));
                    Assert.True(values.Where(x => atLeast ? x >= v : x <= v).All(holds), $"{rule}: {fix} does not make it hold");
                    Assert.False(holds(atLeast ? v - multipleOf : v + multipleOf), $"{rule}: {fix} is not the tightest");
                }
            }
        }
    }

    /// <summary>Two names, bounded: sums, products and floors of sums against brute force (lexicographic smallest).</summary>
    [Fact]
    public void Decisions_in_two_names_agree_with_brute_force()
    {
        var maker = new TreeMaker(seed: 777);
        var random = maker.Random;
        for (int trial = 0; trial < 800; trial++)
        {
            var ch = new DimConstraint("H", random.Next(1, 4), random.Next(4, 25), random.Next(1, 3));
            var cw = new DimConstraint("W", random.Next(1, 4), random.Next(4, 25), random.Next(1, 3));
            if (trial % 3 == 0) cw = cw with { Max = null }; // one unbounded name: only the exact procedure can decide
            var domain = Domain(ch, cw);
            var h = domain.Named("H");
            var w = domain.Named("W");
            var f = maker.Make(depth: 3).Build(h, W);
            var g = maker.Make(depth: 3).Build(w, W);
            var a = (trial % 4) switch
            {
                0 => f * g,
                1 => f + g,
                2 => (f + g).FloorDiv(random.Next(2, 5)),
                _ => f * g + f + g * -1,
            };
            long bound = random.Next(-10, 30);
            var hs = Allowed(ch, long.MaxValue).ToList();
            var ws = Allowed(cw, 200).ToList();
            foreach (bool atLeast in new[] { true, false })
            {
                var r = atLeast ? DimDecisions.AtLeast(a, bound, domain) : DimDecisions.AtMost(a, bound, domain);
                string rule = $"{a} {(atLeast ? "≥" : "≤")} {bound} on {ch}, {cw}";
                (long H, long W)? first = null;
                foreach (long x in hs)
                {
                    foreach (long y in ws)
                    {
                        long v = a.IsConstant ? a.Value : a.Evaluate(Values(x, y));
                        if (atLeast ? v < bound : v > bound)
                        {
                            first = (x, y);
                            break;
                        }
                    }
                    if (first is not null) break;
                }
                if (cw.Max is not null)
                {
                    // Bounded: brute force sees everything, so the answer and the smallest counterexample must match.
                    if (first is null)
                    {
                        Assert.True(r is null, $"{rule}: holds, but refuted at {r?.ExampleText}");
                        continue;
                    }
                    Assert.True(r is not null, $"{rule}: fails at H = {first.Value.H}, W = {first.Value.W}, but decided to hold");
                    if (a.Names.Contains("H")) Assert.Equal(first.Value.H, r.Example["H"]);
                    if (a.Names.Contains("W")) Assert.Equal(first.Value.W, r.Example["W"]);
                }
                else if (first is not null)
                {
                    // W unbounded: brute force sees W ≤ 200 only; a smaller H may fail at a larger W.
                    Assert.True(r is not null, $"{rule}: fails at H = {first.Value.H}, W = {first.Value.W}, but decided to hold");
                    if (a.Names.Contains("H")) Assert.True(r.Example["H"] <= first.Value.H, $"{rule}: {r.ExampleText} is not the smallest");
                }
                if (r is not null && a.Names.Count == 2)
                {
                    long v = a.Evaluate(r.Example);
                    Assert.True(atLeast ? v < bound : v > bound, $"{rule}: {r.ExampleText} does not fail");
                }
            }
        }
    }
}
