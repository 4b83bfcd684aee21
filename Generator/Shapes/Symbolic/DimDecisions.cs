using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace Dsl.Generator.Shapes.Symbolic;

/// <summary>
/// Why a rule fails: the smallest allowed values of the named dimensions for which it does not hold, the two sides'
/// values there, and, when one exists, the constraint that would make it hold, written as the user would write it
/// (<c>[Dim("H", MultipleOf = 4)]</c>, <c>[Dim("H", Min = 8)]</c>, <c>[Dim("T", Max = 512)]</c>).
/// </summary>
public sealed record DimRefutation(IReadOnlyDictionary<string, long> Example, long Left, long Right, string? Fix)
{
    /// <summary><see cref="Fix"/> as data (for code fixes): the name, the property and its value.</summary>
    public DimFix? FixParts { get; init; }

    /// <summary>The example as prose: <c>H = 6</c>, <c>H = 6, W = 8</c>.</summary>
    public string ExampleText =>
        string.Join(", ", Example.OrderBy(kv => kv.Key, StringComparer.Ordinal)
            .Select(kv => kv.Key + " = " + kv.Value.ToString(CultureInfo.InvariantCulture)));
}

/// <summary>The constraint that fixes a rule, as data: <c>[Dim("H", MultipleOf = 4)]</c> is ("H", "MultipleOf", 4).</summary>
public sealed record DimFix(string Name, string Property, long Value)
{
    /// <summary>As the user would write it: <c>[Dim("H", MultipleOf = 4)]</c>.</summary>
    public override string ToString() =>
        "[Dim(\"" + Name + "\", " + Property + " = " + Value.ToString(CultureInfo.InvariantCulture) + ")]";
}

/// <summary>
/// Decides rules over every value a <see cref="DimDomain"/> allows (a correct and complete procedure; see the docs).
/// Each returns null when the rule holds for every allowed value, and a <see cref="DimRefutation"/> otherwise.
/// </summary>
/// <remarks>
/// <para>
/// What is decided, and why looking at finitely many values is enough. Write each named dimension as its
/// MultipleOf times a unit k. Every size is then a quasi-polynomial in each unit: floor division by constants
/// makes it, on each residue class of k modulo a period P, an ordinary polynomial. P is the product of the divisors
/// along a chain of nested floors, combined over the terms by lcm (for a floor over a numerator of degree e ≥ 2 the
/// factor is d·e!, since an integer-valued polynomial modulo d repeats with that period). The degree in k is 1 for
/// sums, floors and constant multiples, and grows only through products (Flatten's C·H·W).
/// </para>
/// <para>
/// <see cref="Equal"/> looks at g = a − b. If g has degree at most d in a name, the first (d + 1)·P allowed values
/// of that name put d + 1 distinct points into every residue class the allowed values reach, and a polynomial of
/// degree at most d in each name that vanishes on such a product grid is zero. So g vanishes on every allowed value
/// exactly when it vanishes on the grid of, per name, the first min(count, (d + 1)·P) allowed values. The grid is
/// walked in increasing order (first name outermost), so the first point where g ≠ 0 is the smallest counterexample.
/// </para>
/// <para>
/// <see cref="AtLeast"/> and <see cref="AtMost"/> look at g = a − bound (or bound − a) ≥ 0. When g has degree at
/// most 1 in every name (every axis size: convolutions, pools, transposed convolutions, upsampling; also products of
/// distinct names, as Flatten makes), g is linear along each residue class: g(k + P) = g(k) + slope·P. A function
/// linear in one variable is ≥ 0 on a bounded class when it is at the class's first and last values, and on an
/// unbounded class when its first value and its slope are ≥ 0; applied name by name this is a finite check over the
/// classes (their "corners"), exact for bounded and unbounded ranges alike. The smallest counterexample is then found
/// name by name by (exponential and) binary search, since along each class the failing values form a prefix or a
/// suffix. With one name of higher degree (a square input flattened: S·S), g is a polynomial q of degree e on each
/// class, known from e + 1 values; beyond a bound computed from its coefficients q has the sign of its leading
/// coefficient, and below it q splits into at most e monotone pieces (from the signs of its differences), each
/// searched by bisection, so this case is exact too. The fixes are found the same way: a larger Min or a smaller Max
/// only removes values, so whether the rule holds is monotone in them. <see cref="Equal"/>'s fix tries
/// MultipleOf = j·m for j = 2 … 64, name by name.
/// </para>
/// <para>
/// Limits (the only cases that are a bounded search, not a proof): an inequality in several names where some name
/// has degree 2 or more tries every combination when there are at most 100,000, and otherwise the first and last
/// max(2, d + 1)·P allowed values of each name (the first ones only for an unbounded name); this is exact for lower
/// bounds on products of quasi-linear factors that are each ≥ 1 (such a product is smallest where each factor is),
/// and for bounded ranges, but an upper bound on such a product over an unbounded name can be missed. A period
/// above 10,000 (many nested strided layers on one axis) is not followed: 10,000 values per name are sampled instead.
/// Inequalities in several names whose residue classes number more than 20,000 combinations are sampled the same
/// way, and a grid above 4,000,000 points (<see cref="Equal"/> included) has its per-name sample counts halved. Sizes
/// whose arithmetic overflows a long throw <see cref="OverflowException"/>.
/// </para>
/// </remarks>
public static class DimDecisions
{
    /// <summary>a == b for every allowed value.</summary>
    public static DimRefutation? Equal(Dim a, Dim b, DimDomain domain)
    {
        if (a is null) throw new ArgumentNullException(nameof(a));
        if (b is null) throw new ArgumentNullException(nameof(b));
        if (domain is null) throw new ArgumentNullException(nameof(domain));
        var g = a + b * -1; // throws ArgumentException when a and b disagree on a name's MultipleOf
        var names = NameLists.Union(a.Form.Names, b.Form.Names);
        var axes = new Axis[names.Length];
        for (int p = 0; p < names.Length; p++)
        {
            long unit = Math.Max(a.MultipleOfName(names[p]), b.MultipleOfName(names[p]));
            axes[p] = Axis.Of(domain[names[p]], unit, names[p]);
            if (axes[p].Count == 0) return null; // no allowed value at all
        }
        var problem = new DimProblem(g, names);
        var hit = DimSearch.FirstNonZero(problem, axes);
        if (hit is null) return null;
        var example = Example(names, axes, hit);

        DimFix? fix = null;
        for (int p = 0; p < names.Length && fix is null; p++)
        {
            if (problem.Degree[p] == 0) continue;
            var c = domain[names[p]];
            for (long j = 2; j <= 64; j++)
            {
                long multipleOf;
                try
                {
                    multipleOf = checked(c.MultipleOf * j);
                }
                catch (OverflowException)
                {
                    break;
                }
                var candidate = c with { MultipleOf = multipleOf };
                if (!IsSatisfiable(candidate)) continue;
                var changed = (Axis[])axes.Clone();
                changed[p] = Axis.Of(candidate, axes[p].Unit, names[p]);
                bool holds;
                try
                {
                    holds = DimSearch.FirstNonZero(problem, changed) is null;
                }
                catch (OverflowException)
                {
                    holds = false;
                }
                if (holds)
                {
                    fix = new DimFix(names[p], "MultipleOf", multipleOf);
                    break;
                }
            }
        }
        return new DimRefutation(example, a.Evaluate(example), b.Evaluate(example), fix?.ToString()) { FixParts = fix };
    }

    /// <summary>a ≥ bound for every allowed value.</summary>
    public static DimRefutation? AtLeast(Dim a, long bound, DimDomain domain) => Inequality(a, bound, atLeast: true, domain);

    /// <summary>a ≤ bound for every allowed value.</summary>
    public static DimRefutation? AtMost(Dim a, long bound, DimDomain domain) => Inequality(a, bound, atLeast: false, domain);

    /// <summary>Whether the constraint admits at least one value.</summary>
    public static bool IsSatisfiable(DimConstraint constraint)
    {
        if (constraint is null) throw new ArgumentNullException(nameof(constraint));
        if (constraint.MultipleOf < 1) return false;
        if (constraint.Max is not long max) return true;
        // The smallest multiple of MultipleOf that is ≥ Min, compared without overflowing.
        long q = DimMath.CeilDiv(constraint.Min, constraint.MultipleOf);
        return q <= DimMath.FloorDiv(max, constraint.MultipleOf);
    }

    private static DimRefutation? Inequality(Dim a, long bound, bool atLeast, DimDomain domain)
    {
        if (a is null) throw new ArgumentNullException(nameof(a));
        if (domain is null) throw new ArgumentNullException(nameof(domain));
        var g = atLeast ? a - bound : a * -1 + bound; // g ≥ 0 is the rule
        var names = a.Form.Names;
        if (names.Length == 0)
            return g.Value >= 0 ? null : new DimRefutation(new Dictionary<string, long>(), a.Value, bound, null);
        var axes = new Axis[names.Length];
        for (int p = 0; p < names.Length; p++)
        {
            axes[p] = Axis.Of(domain[names[p]], a.MultipleOfName(names[p]), names[p]);
            if (axes[p].Count == 0) return null;
        }
        var problem = new DimProblem(g, names);
        if (!DimSearch.Fails(problem, axes)) return null;
        var hit = DimSearch.Smallest(problem, axes);
        var example = Example(names, axes, hit);

        DimFix? fix = null;
        for (int p = 0; p < names.Length && fix is null; p++)
        {
            long? value = atLeast
                ? DimSearch.SmallestMin(problem, axes, p, hit[p])
                : DimSearch.LargestMax(problem, axes, p, hit[p]);
            if (value is long v) fix = new DimFix(names[p], atLeast ? "Min" : "Max", v);
        }
        return new DimRefutation(example, a.Evaluate(example), bound, fix?.ToString()) { FixParts = fix };
    }

    private static Dictionary<string, long> Example(string[] names, Axis[] axes, long[] indices)
    {
        var example = new Dictionary<string, long>(StringComparer.Ordinal);
        for (int p = 0; p < names.Length; p++) example[names[p]] = axes[p].ValueAt(indices[p]);
        return example;
    }
}
