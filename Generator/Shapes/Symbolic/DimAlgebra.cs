using System;
using System.Collections.Generic;

namespace Dsl.Generator.Shapes.Symbolic;

// The canonical form behind Dim: a linear combination Σ coef·atom + constant with integer coefficients, where an
// atom is a named dimension's unit k (= value / multipleOf), a floor node ⌊L / d⌋ (L canonical, d ≥ 2, every
// coefficient and the constant of L in [0, d)), or a product of such atoms (sorted, at least two factors).

/// <summary>Integer helpers; every caller compiles with overflow checking on.</summary>
internal static class DimMath
{
    /// <summary>Values at or above this are "too large" for periods and sample counts (saturating arithmetic).</summary>
    public const long Saturated = long.MaxValue / 4;

    /// <summary>⌊a / b⌋ for b &gt; 0 (also for negative a).</summary>
    public static long FloorDiv(long a, long b)
    {
        long q = a / b;
        if (a % b != 0 && (a < 0) != (b < 0)) q--;
        return q;
    }

    /// <summary>⌈a / b⌉ for b &gt; 0.</summary>
    public static long CeilDiv(long a, long b)
    {
        long q = a / b;
        if (a % b != 0 && (a < 0) == (b < 0)) q++;
        return q;
    }

    public static long Gcd(long a, long b)
    {
        if (a < 0) a = -a;
        if (b < 0) b = -b;
        while (b != 0)
        {
            long t = a % b;
            a = b;
            b = t;
        }
        return a;
    }

    /// <summary>a·b for non-negative a, b, saturating at <see cref="Saturated"/>.</summary>
    public static long SatMul(long a, long b)
    {
        if (a == 0 || b == 0) return 0;
        if (a >= Saturated || b >= Saturated || a > Saturated / b) return Saturated;
        return a * b;
    }

    /// <summary>lcm(a, b) for positive a, b, saturating.</summary>
    public static long SatLcm(long a, long b)
    {
        if (a >= Saturated || b >= Saturated) return Saturated;
        return SatMul(a / Gcd(a, b), b);
    }

    public static long SatFactorial(int n)
    {
        long f = 1;
        for (int i = 2; i <= n; i++) f = SatMul(f, i);
        return f;
    }

    /// <summary>A deterministic ordinal string hash (string.GetHashCode is randomised per process).</summary>
    public static int Hash(string s)
    {
        unchecked
        {
            uint h = 2166136261;
            foreach (char c in s) h = (h ^ c) * 16777619;
            return (int)h;
        }
    }

    public static int Combine(int h, int x) => unchecked(h * 31 + x);

    public static int Hash(long v) => unchecked((int)v ^ (int)(v >> 32));
}

/// <summary>Sorted arrays of distinct names (ordinal).</summary>
internal static class NameLists
{
    public static int Compare(string[] a, string[] b)
    {
        int n = Math.Min(a.Length, b.Length);
        for (int i = 0; i < n; i++)
        {
            int c = string.CompareOrdinal(a[i], b[i]);
            if (c != 0) return c;
        }
        return a.Length.CompareTo(b.Length);
    }

    public static string[] Union(string[] a, string[] b)
    {
        if (b.Length == 0) return a;
        if (a.Length == 0) return b;
        var result = new List<string>(a.Length + b.Length);
        int i = 0, j = 0;
        while (i < a.Length || j < b.Length)
        {
            if (j == b.Length) result.Add(a[i++]);
            else if (i == a.Length) result.Add(b[j++]);
            else
            {
                int c = string.CompareOrdinal(a[i], b[j]);
                if (c < 0) result.Add(a[i++]);
                else if (c > 0) result.Add(b[j++]);
                else
                {
                    result.Add(a[i++]);
                    j++;
                }
            }
        }
        return result.Count == a.Length ? a : result.ToArray();
    }
}

internal enum AtomKind
{
    Variable = 0,
    Floor = 1,
    Product = 2,
}

/// <summary>An integer-valued non-constant building block of a canonical form; compared and hashed structurally.</summary>
internal abstract class Atom : IEquatable<Atom>, IComparable<Atom>
{
    private readonly int hash;

    protected Atom(string[] names, int hash)
    {
        Names = names;
        this.hash = hash;
    }

    /// <summary>The named dimensions it depends on, distinct, in ordinal order.</summary>
    public string[] Names { get; }

    public abstract AtomKind Kind { get; }

    /// <summary>The degree as a quasi-polynomial in the unit of <paramref name="name"/>.</summary>
    public abstract int Degree(string name);

    /// <summary>A period (in units of <paramref name="name"/>) of its quasi-polynomial pieces; saturating.</summary>
    public abstract long Period(string name);

    /// <summary>The denominator of its value in terms of the named values: Π multipleOf of its variable factors.</summary>
    public abstract long VariableDenominator { get; }

    public abstract void CollectVariables(Dictionary<string, long> into);

    public sealed override int GetHashCode() => hash;

    public sealed override bool Equals(object? obj) => obj is Atom a && Equals(a);

    public bool Equals(Atom? other) =>
        other is not null && (ReferenceEquals(this, other) || (hash == other.hash && CompareTo(other) == 0));

    /// <summary>The canonical order: by the names it depends on, then variables before floors before products.</summary>
    public int CompareTo(Atom? other)
    {
        if (other is null) return 1;
        if (ReferenceEquals(this, other)) return 0;
        int c = NameLists.Compare(Names, other.Names);
        if (c != 0) return c;
        c = ((int)Kind).CompareTo((int)other.Kind);
        return c != 0 ? c : CompareSameKind(other);
    }

    protected abstract int CompareSameKind(Atom other);

    /// <summary>The factors of a product, or the atom itself.</summary>
    public virtual Atom[] Factors => new[] { this };

    /// <summary>The product of two atoms (factors flattened and sorted).</summary>
    public static Atom Multiply(Atom a, Atom b)
    {
        var fa = a.Factors;
        var fb = b.Factors;
        var all = new Atom[fa.Length + fb.Length];
        fa.CopyTo(all, 0);
        fb.CopyTo(all, fa.Length);
        Array.Sort(all);
        return new ProductAtom(all);
    }
}

/// <summary>The unit k of a named dimension: its value is multipleOf·k.</summary>
internal sealed class VariableAtom : Atom
{
    public VariableAtom(string name, long multipleOf)
        : base(new[] { name }, DimMath.Combine(DimMath.Hash(name), DimMath.Hash(multipleOf)))
    {
        Name = name;
        MultipleOf = multipleOf;
    }

    public string Name { get; }

    public long MultipleOf { get; }

    public override AtomKind Kind => AtomKind.Variable;

    public override int Degree(string name) => string.Equals(name, Name, StringComparison.Ordinal) ? 1 : 0;

    public override long Period(string name) => 1;

    public override long VariableDenominator => MultipleOf;

    public override void CollectVariables(Dictionary<string, long> into)
    {
        if (into.TryGetValue(Name, out long m))
        {
            if (m != MultipleOf)
                throw new ArgumentException(
                    $"The named dimension '{Name}' is used with two different MultipleOf values ({m} and {MultipleOf}).");
        }
        else
        {
            into.Add(Name, MultipleOf);
        }
    }

    protected override int CompareSameKind(Atom other)
    {
        var o = (VariableAtom)other;
        int c = string.CompareOrdinal(Name, o.Name);
        return c != 0 ? c : MultipleOf.CompareTo(o.MultipleOf);
    }
}

/// <summary>⌊Numerator / Divisor⌋ with Divisor ≥ 2 and the numerator reduced (see <see cref="Linear.FloorDiv"/>).</summary>
internal sealed class FloorAtom : Atom
{
    public FloorAtom(Linear numerator, long divisor)
        : base(numerator.Names, DimMath.Combine(DimMath.Combine(7, numerator.GetHashCode()), DimMath.Hash(divisor)))
    {
        Numerator = numerator;
        Divisor = divisor;
    }

    public Linear Numerator { get; }

    public long Divisor { get; }

    public override AtomKind Kind => AtomKind.Floor;

    public override int Degree(string name) => Numerator.Degree(name);

    // On each residue class of the numerator's period the numerator is an integer-valued polynomial of degree e in
    // t (k = r + P·t); such a polynomial modulo d has period d·e! in t, so ⌊L/d⌋ = (L − L mod d)/d is a polynomial on
    // each class modulo P·d·e!.
    public override long Period(string name)
    {
        int degree = Numerator.Degree(name);
        if (degree == 0) return 1;
        return DimMath.SatMul(DimMath.SatMul(Numerator.Period(name), Divisor), DimMath.SatFactorial(degree));
    }

    public override long VariableDenominator => 1;

    public override void CollectVariables(Dictionary<string, long> into) => Numerator.CollectVariables(into);

    protected override int CompareSameKind(Atom other)
    {
        var o = (FloorAtom)other;
        int c = Divisor.CompareTo(o.Divisor);
        return c != 0 ? c : Numerator.CompareTo(o.Numerator);
    }
}

/// <summary>A product of at least two variable or floor atoms, sorted.</summary>
internal sealed class ProductAtom : Atom
{
    private readonly Atom[] factors;

    public ProductAtom(Atom[] sortedFactors)
        : base(UnionOfNames(sortedFactors), HashOf(sortedFactors))
    {
        factors = sortedFactors;
    }

    public override Atom[] Factors => factors;

    public override AtomKind Kind => AtomKind.Product;

    public override int Degree(string name)
    {
        int d = 0;
        foreach (var f in factors) d += f.Degree(name);
        return d;
    }

    public override long Period(string name)
    {
        long p = 1;
        foreach (var f in factors) p = DimMath.SatLcm(p, f.Period(name));
        return p;
    }

    public override long VariableDenominator
    {
        get
        {
            long d = 1;
            foreach (var f in factors) d = checked(d * f.VariableDenominator);
            return d;
        }
    }

    public override void CollectVariables(Dictionary<string, long> into)
    {
        foreach (var f in factors) f.CollectVariables(into);
    }

    protected override int CompareSameKind(Atom other)
    {
        var o = (ProductAtom)other;
        int c = factors.Length.CompareTo(o.factors.Length);
        if (c != 0) return c;
        for (int i = 0; i < factors.Length; i++)
        {
            c = factors[i].CompareTo(o.factors[i]);
            if (c != 0) return c;
        }
        return 0;
    }

    private static string[] UnionOfNames(Atom[] factors)
    {
        var names = Array.Empty<string>();
        foreach (var f in factors) names = NameLists.Union(names, f.Names);
        return names;
    }

    private static int HashOf(Atom[] factors)
    {
        int h = 13;
        foreach (var f in factors) h = DimMath.Combine(h, f.GetHashCode());
        return h;
    }
}

/// <summary>A canonical linear form Σ Coefficients[i]·Atoms[i] + Constant: atoms sorted and distinct, coefficients non-zero.</summary>
internal sealed class Linear : IEquatable<Linear>, IComparable<Linear>
{
    private readonly int hash;

    private Linear(Atom[] atoms, long[] coefficients, long constant)
    {
        Atoms = atoms;
        Coefficients = coefficients;
        Constant = constant;
        var names = Array.Empty<string>();
        int h = DimMath.Hash(constant);
        for (int i = 0; i < atoms.Length; i++)
        {
            names = NameLists.Union(names, atoms[i].Names);
            h = DimMath.Combine(DimMath.Combine(h, atoms[i].GetHashCode()), DimMath.Hash(coefficients[i]));
        }
        Names = names;
        hash = h;
    }

    public Atom[] Atoms { get; }

    public long[] Coefficients { get; }

    public long Constant { get; }

    /// <summary>The named dimensions it depends on, distinct, in ordinal order.</summary>
    public string[] Names { get; }

    public bool IsConstant => Atoms.Length == 0;

    public static Linear Of(long constant) => new(Array.Empty<Atom>(), Array.Empty<long>(), constant);

    public static Linear Of(Atom atom) => new(new[] { atom }, new[] { 1L }, 0);

    private static Linear FromTerms(Dictionary<Atom, long> terms, long constant)
    {
        int n = 0;
        foreach (var kv in terms)
            if (kv.Value != 0) n++;
        var atoms = new Atom[n];
        var coefficients = new long[n];
        int i = 0;
        foreach (var kv in terms)
        {
            if (kv.Value == 0) continue;
            atoms[i] = kv.Key;
            coefficients[i] = kv.Value;
            i++;
        }
        Array.Sort(atoms, coefficients);
        return new Linear(atoms, coefficients, constant);
    }

    private static void Accumulate(Dictionary<Atom, long> terms, Atom atom, long coefficient)
    {
        if (coefficient == 0) return;
        terms[atom] = terms.TryGetValue(atom, out long c) ? checked(c + coefficient) : coefficient;
    }

    private Dictionary<Atom, long> Terms()
    {
        var terms = new Dictionary<Atom, long>(Atoms.Length + 4);
        for (int i = 0; i < Atoms.Length; i++) terms.Add(Atoms[i], Coefficients[i]);
        return terms;
    }

    public Linear Add(Linear other)
    {
        if (other.IsConstant) return AddConstant(other.Constant);
        if (IsConstant) return other.AddConstant(Constant);
        var terms = Terms();
        for (int i = 0; i < other.Atoms.Length; i++) Accumulate(terms, other.Atoms[i], other.Coefficients[i]);
        return FromTerms(terms, checked(Constant + other.Constant));
    }

    public Linear AddConstant(long c) => c == 0 ? this : new Linear(Atoms, Coefficients, checked(Constant + c));

    public Linear Scale(long factor)
    {
        if (factor == 1) return this;
        if (factor == 0) return Of(0);
        var coefficients = new long[Coefficients.Length];
        for (int i = 0; i < coefficients.Length; i++) coefficients[i] = checked(Coefficients[i] * factor);
        return new Linear(Atoms, coefficients, checked(Constant * factor));
    }

    public Linear Multiply(Linear other)
    {
        if (other.IsConstant) return Scale(other.Constant);
        if (IsConstant) return other.Scale(Constant);
        var terms = new Dictionary<Atom, long>();
        for (int i = 0; i < Atoms.Length; i++)
            for (int j = 0; j < other.Atoms.Length; j++)
                Accumulate(terms, Atom.Multiply(Atoms[i], other.Atoms[j]), checked(Coefficients[i] * other.Coefficients[j]));
        for (int i = 0; i < Atoms.Length; i++) Accumulate(terms, Atoms[i], checked(Coefficients[i] * other.Constant));
        for (int j = 0; j < other.Atoms.Length; j++) Accumulate(terms, other.Atoms[j], checked(other.Coefficients[j] * Constant));
        return FromTerms(terms, checked(Constant * other.Constant));
    }

    /// <summary>
    /// ⌊this / d⌋ in canonical form: every multiple of d is pulled out (c = d·q + r, 0 ≤ r &lt; d, the constant too);
    /// a common factor g of d and every remaining coefficient is cancelled (⌊(g·X + r)/(g·e)⌋ = ⌊(X + ⌊r/g⌋)/e⌋ for
    /// integer X); a remainder that is a constant in [0, d) gives 0; ⌊(⌊L'/d'⌋ + r)/d⌋ collapses to ⌊(L' + r·d')/(d'·d)⌋.
    /// </summary>
    public Linear FloorDiv(long d)
    {
        if (d < 1) throw new ArgumentOutOfRangeException(nameof(d), d, "The divisor of a floor division must be at least 1.");
        if (d == 1) return this;
        var outer = new Dictionary<Atom, long>();
        var innerAtoms = new List<Atom>();
        var innerCoefficients = new List<long>();
        for (int i = 0; i < Atoms.Length; i++)
        {
            long q = DimMath.FloorDiv(Coefficients[i], d);
            long r = Coefficients[i] - q * d;
            if (q != 0) outer.Add(Atoms[i], q);
            if (r != 0)
            {
                innerAtoms.Add(Atoms[i]);
                innerCoefficients.Add(r);
            }
        }
        long q0 = DimMath.FloorDiv(Constant, d);
        long r0 = Constant - q0 * d;
        var result = FromTerms(outer, q0);
        if (innerAtoms.Count == 0) return result; // ⌊r0/d⌋ = 0

        long g = d;
        foreach (long c in innerCoefficients) g = DimMath.Gcd(g, c);
        if (g > 1)
        {
            for (int i = 0; i < innerCoefficients.Count; i++) innerCoefficients[i] /= g;
            r0 /= g; // r0 ≥ 0: ⌊r0/g⌋
            d /= g;
        }

        if (innerAtoms.Count == 1 && innerCoefficients[0] == 1 && innerAtoms[0] is FloorAtom nested)
        {
            var collapsed = nested.Numerator.AddConstant(checked(r0 * nested.Divisor)).FloorDiv(checked(nested.Divisor * d));
            return result.Add(collapsed);
        }

        // The remainder is already sorted (a subsequence of this form's atoms).
        var inner = new Linear(innerAtoms.ToArray(), innerCoefficients.ToArray(), r0);
        return result.Add(Of(new FloorAtom(inner, d)));
    }

    public int Degree(string name)
    {
        int d = 0;
        foreach (var a in Atoms) d = Math.Max(d, a.Degree(name));
        return d;
    }

    public long Period(string name)
    {
        long p = 1;
        foreach (var a in Atoms) p = DimMath.SatLcm(p, a.Period(name));
        return p;
    }

    public void CollectVariables(Dictionary<string, long> into)
    {
        foreach (var a in Atoms) a.CollectVariables(into);
    }

    public override int GetHashCode() => hash;

    public override bool Equals(object? obj) => obj is Linear l && Equals(l);

    public bool Equals(Linear? other) =>
        other is not null && (ReferenceEquals(this, other) || (hash == other.hash && CompareTo(other) == 0));

    public int CompareTo(Linear? other)
    {
        if (other is null) return 1;
        if (ReferenceEquals(this, other)) return 0;
        int c = Atoms.Length.CompareTo(other.Atoms.Length);
        if (c != 0) return c;
        for (int i = 0; i < Atoms.Length; i++)
        {
            c = Atoms[i].CompareTo(other.Atoms[i]);
            if (c != 0) return c;
            c = Coefficients[i].CompareTo(other.Coefficients[i]);
            if (c != 0) return c;
        }
        return Constant.CompareTo(other.Constant);
    }
}

/// <summary>A canonical form compiled for fast evaluation at the units of a fixed list of names.</summary>
internal sealed class DimEvaluator
{
    private readonly LinearNode root;

    public DimEvaluator(Linear form, string[] names)
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < names.Length; i++) index[names[i]] = i;
        root = Compile(form, index);
    }

    /// <summary>The value, given each name's unit (value / multipleOf) in the order of the names it was compiled with.</summary>
    public long Evaluate(long[] units) => root.Evaluate(units);

    private static LinearNode Compile(Linear form, Dictionary<string, int> index)
    {
        var nodes = new Node[form.Atoms.Length];
        for (int i = 0; i < nodes.Length; i++) nodes[i] = Compile(form.Atoms[i], index);
        return new LinearNode(form.Coefficients, nodes, form.Constant);
    }

    private static Node Compile(Atom atom, Dictionary<string, int> index)
    {
        switch (atom)
        {
            case VariableAtom v:
                if (!index.TryGetValue(v.Name, out int i)) throw new ArgumentException($"No value for the named dimension '{v.Name}'.");
                return new VariableNode(i);
            case FloorAtom f:
                return new FloorNode(Compile(f.Numerator, index), f.Divisor);
            default:
                var factors = atom.Factors;
                var nodes = new Node[factors.Length];
                for (int j = 0; j < nodes.Length; j++) nodes[j] = Compile(factors[j], index);
                return new ProductNode(nodes);
        }
    }

    private abstract class Node
    {
        public abstract long Evaluate(long[] units);
    }

    private sealed class VariableNode : Node
    {
        private readonly int index;

        public VariableNode(int index) => this.index = index;

        public override long Evaluate(long[] units) => units[index];
    }

    private sealed class FloorNode : Node
    {
        private readonly LinearNode numerator;
        private readonly long divisor;

        public FloorNode(LinearNode numerator, long divisor)
        {
            this.numerator = numerator;
            this.divisor = divisor;
        }

        public override long Evaluate(long[] units) => DimMath.FloorDiv(numerator.Evaluate(units), divisor);
    }

    private sealed class ProductNode : Node
    {
        private readonly Node[] factors;

        public ProductNode(Node[] factors) => this.factors = factors;

        public override long Evaluate(long[] units)
        {
            long p = 1;
            foreach (var f in factors) p = checked(p * f.Evaluate(units));
            return p;
        }
    }

    private sealed class LinearNode : Node
    {
        private readonly long[] coefficients;
        private readonly Node[] atoms;
        private readonly long constant;

        public LinearNode(long[] coefficients, Node[] atoms, long constant)
        {
            this.coefficients = coefficients;
            this.atoms = atoms;
            this.constant = constant;
        }

        public override long Evaluate(long[] units)
        {
            long sum = constant;
            for (int i = 0; i < atoms.Length; i++) sum = checked(sum + checked(coefficients[i] * atoms[i].Evaluate(units)));
            return sum;
        }
    }
}
