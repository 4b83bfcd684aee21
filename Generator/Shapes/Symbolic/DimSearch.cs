using System;
using System.Collections.Generic;
using System.Numerics;

namespace Dsl.Generator.Shapes.Symbolic;

/// <summary>
/// The allowed values of one named dimension as an arithmetic progression First + Step·i, i = 0 … Count − 1
/// (Count −1: unbounded), and the MultipleOf (Unit) the expressions were built with, so unit = value / Unit.
/// </summary>
internal readonly struct Axis
{
    public Axis(long first, long step, long count, long unit)
    {
        First = first;
        Step = step;
        Count = count;
        Unit = unit;
    }

    public long First { get; }

    public long Step { get; }

    /// <summary>The number of allowed values; −1 when unbounded.</summary>
    public long Count { get; }

    public long Unit { get; }

    public bool Bounded => Count >= 0;

    /// <summary>How many units one step is.</summary>
    public long StepUnits => Step / Unit;

    public long ValueAt(long i) => checked(First + checked(Step * i));

    public long UnitAt(long i) => ValueAt(i) / Unit;

    /// <summary>The values from index <paramref name="i"/> on (a larger Min).</summary>
    public Axis Skip(long i) => new(ValueAt(i), Step, Bounded ? Count - i : -1, Unit);

    /// <summary>The first <paramref name="n"/> values (a smaller Max).</summary>
    public Axis Take(long n) => new(First, Step, n, Unit);

    public static Axis Of(DimConstraint c, long unit, string name)
    {
        if (c.MultipleOf < 1)
            throw new ArgumentException($"The constraint of '{name}' has MultipleOf {c.MultipleOf}; it must be at least 1.");
        if (c.MultipleOf % unit != 0)
            throw new ArgumentException(
                $"The domain lets '{name}' be a multiple of {c.MultipleOf}, but the expressions were built knowing it is a multiple of {unit}.");
        long first = checked(DimMath.CeilDiv(c.Min, c.MultipleOf) * c.MultipleOf);
        long count = c.Max is not long max ? -1 : max < first ? 0 : checked((max - first) / c.MultipleOf + 1);
        return new Axis(first, c.MultipleOf, count, unit);
    }
}

/// <summary>A difference g whose sign or zeroness is decided, evaluated on index vectors (one index per name).</summary>
internal sealed class DimProblem
{
    private readonly DimEvaluator evaluator;
    private readonly long[] units;

    public DimProblem(Dim g, string[] names)
    {
        Names = names;
        evaluator = new DimEvaluator(g.Form, names);
        units = new long[names.Length];
        Degree = new int[names.Length];
        Period = new long[names.Length];
        for (int p = 0; p < names.Length; p++)
        {
            Degree[p] = g.Form.Degree(names[p]);
            Period[p] = g.Form.Period(names[p]);
        }
    }

    public string[] Names { get; }

    /// <summary>Per name: the degree of g as a quasi-polynomial in its unit.</summary>
    public int[] Degree { get; }

    /// <summary>Per name: a period of g's polynomial pieces, in units (saturating).</summary>
    public long[] Period { get; }

    public int Count => Names.Length;

    public long Value(Axis[] axes, long[] indices)
    {
        for (int p = 0; p < units.Length; p++) units[p] = axes[p].UnitAt(indices[p]);
        return evaluator.Evaluate(units);
    }

    /// <summary>The period in steps of the axis: P / gcd(P, step in units); saturated when P is.</summary>
    public long IndexPeriod(int p, Axis axis)
    {
        long period = Period[p];
        if (period >= DimMath.Saturated) return DimMath.Saturated;
        return period / DimMath.Gcd(period, axis.StepUnits);
    }
}

/// <summary>The searches behind <see cref="DimDecisions"/>.</summary>
internal static class DimSearch
{
    /// <summary>Periods above this are not followed: that many samples per name are taken instead (not exhaustive).</summary>
    public const long PeriodCap = 10_000;

    /// <summary>Inequalities over at most this many combinations of values are decided by trying them all.</summary>
    public const long EnumerationLimit = 100_000;

    /// <summary>The most points one grid is allowed (beyond it the per-name sample counts are halved).</summary>
    public const long GridBudget = 4_000_000;

    /// <summary>The most residue-class combinations the exact inequality procedure walks.</summary>
    public const long ClassBudget = 20_000;

    // ---- Equality: the vanishing grid ----------------------------------------------------------------------------

    /// <summary>
    /// The smallest index vector (lexicographic) where g ≠ 0, or null when g vanishes on every allowed value: per
    /// name, the first min(count, (d + 1)·P) allowed values, d = degree, P = period in steps.
    /// </summary>
    public static long[]? FirstNonZero(DimProblem problem, Axis[] axes)
    {
        int n = axes.Length;
        var counts = new long[n];
        for (int p = 0; p < n; p++)
        {
            long samples;
            if (problem.Degree[p] == 0) samples = 1;
            else
            {
                long period = problem.IndexPeriod(p, axes[p]);
                samples = period > PeriodCap ? PeriodCap : DimMath.SatMul(problem.Degree[p] + 1, period);
            }
            counts[p] = axes[p].Bounded ? Math.Min(axes[p].Count, samples) : samples;
        }
        FitBudget(counts);
        var lists = new long[n][];
        for (int p = 0; p < n; p++) lists[p] = Range(0, counts[p]);
        return Scan(problem, axes, lists, nonZero: true);
    }

    // ---- Inequalities: g ≥ 0 -------------------------------------------------------------------------------------

    /// <summary>Whether g &lt; 0 somewhere on the axes.</summary>
    public static bool Fails(DimProblem problem, Axis[] axes)
    {
        if (UsePolynomial(problem, axes)) return SmallestPolynomial(problem, axes) is not null;
        if (UseExact(problem, axes)) return FailsExact(problem, axes, FreeLines(problem, axes));
        return Scan(problem, axes, SampleLists(problem, axes), nonZero: false) is not null;
    }

    /// <summary>The smallest failing index vector (lexicographic); call only when <see cref="Fails"/> is true.</summary>
    public static long[] Smallest(DimProblem problem, Axis[] axes)
    {
        if (UsePolynomial(problem, axes))
            return new[] { SmallestPolynomial(problem, axes) ?? throw new InvalidOperationException("No failing value.") };
        if (UseExact(problem, axes)) return SmallestExact(problem, axes);
        return Scan(problem, axes, SampleLists(problem, axes), nonZero: false)
               ?? throw new InvalidOperationException("No failing value.");
    }

    /// <summary>
    /// The smallest Min for name <paramref name="p"/> above which g ≥ 0 holds (the value, a multiple of the step,
    /// within Max), or null. Larger Mins allow fewer values, so the property is monotone: exponential, then binary search.
    /// </summary>
    public static long? SmallestMin(DimProblem problem, Axis[] axes, int p, long failingIndex)
    {
        var axis = axes[p];
        try
        {
            long lo = failingIndex; // fails with Min at lo (the failing value is still allowed)
            long hi;
            if (axis.Bounded)
            {
                hi = axis.Count - 1;
                if (lo >= hi || FailsWith(problem, axes, p, axis.Skip(hi))) return null;
            }
            else
            {
                long step = 1;
                hi = checked(lo + step);
                while (FailsWith(problem, axes, p, axis.Skip(hi)))
                {
                    lo = hi;
                    step = checked(step * 2);
                    hi = checked(lo + step);
                }
            }
            while (hi - lo > 1)
            {
                long mid = lo + (hi - lo) / 2;
                if (FailsWith(problem, axes, p, axis.Skip(mid))) lo = mid;
                else hi = mid;
            }
            return axis.ValueAt(hi);
        }
        catch (OverflowException)
        {
            return null; // no Min that can be written down
        }
    }

    /// <summary>The largest Max for name <paramref name="p"/> below which g ≥ 0 holds, or null.</summary>
    public static long? LargestMax(DimProblem problem, Axis[] axes, int p, long failingIndex)
    {
        var axis = axes[p];
        long hi = failingIndex; // fails with Max at hi
        if (hi == 0 || FailsWith(problem, axes, p, axis.Take(1))) return null;
        long lo = 0;
        while (hi - lo > 1)
        {
            long mid = lo + (hi - lo) / 2;
            if (FailsWith(problem, axes, p, axis.Take(mid + 1))) hi = mid;
            else lo = mid;
        }
        return axis.ValueAt(lo);
    }

    private static bool FailsWith(DimProblem problem, Axis[] axes, int p, Axis replacement)
    {
        var changed = (Axis[])axes.Clone();
        changed[p] = replacement;
        return Fails(problem, changed);
    }

    // Exact procedure for degree ≤ 1 in every name. On a product of residue classes (index r + P·t per name) g is
    // multilinear in the t's. A function linear in t is ≥ 0 on 0 ≤ t ≤ T iff it is at t = 0 and t = T, and on every
    // t ≥ 0 iff its value at 0 and its slope (the difference between t = 1 and t = 0) are ≥ 0. Applied name by name,
    // g ≥ 0 on the class product iff every "corner" is ≥ 0: per name, the first or last point (bounded) or the value
    // or the difference (unbounded); a mixed difference of a multilinear function is its leading coefficient.

    private readonly struct Line
    {
        public Line(long start, long step, long count)
        {
            Start = start;
            Step = step;
            Count = count;
        }

        public long Start { get; }

        public long Step { get; }

        /// <summary>−1: unbounded.</summary>
        public long Count { get; }

        public static Line Single(long index) => new(index, 1, 1);
    }

    private static bool UseExact(DimProblem problem, Axis[] axes)
    {
        int n = problem.Count;
        if (n > 8) return false;
        long classes = 1;
        for (int p = 0; p < n; p++)
        {
            if (problem.Degree[p] > 1) return false;
            long period = problem.IndexPeriod(p, axes[p]);
            if (period > PeriodCap) return false;
            classes = DimMath.SatMul(classes, axes[p].Bounded ? Math.Min(period, axes[p].Count) : period);
        }
        return classes <= ClassBudget;
    }

    private static Line[][] FreeLines(DimProblem problem, Axis[] axes)
    {
        var lines = new Line[problem.Count][];
        for (int p = 0; p < lines.Length; p++)
        {
            var axis = axes[p];
            long period = problem.Degree[p] == 0 ? 1 : problem.IndexPeriod(p, axis);
            long classes = axis.Bounded ? Math.Min(period, axis.Count) : period;
            lines[p] = new Line[classes];
            for (long r = 0; r < classes; r++)
                lines[p][r] = new Line(r, period, axis.Bounded ? (axis.Count - 1 - r) / period + 1 : -1);
        }
        return lines;
    }

    private static bool FailsExact(DimProblem problem, Axis[] axes, Line[][] lines)
    {
        var choice = new Line[lines.Length];
        var indices = new long[lines.Length];
        return FailsExact(problem, axes, lines, choice, indices, 0);
    }

    private static bool FailsExact(DimProblem problem, Axis[] axes, Line[][] lines, Line[] choice, long[] indices, int p)
    {
        if (p == lines.Length) return CornerFails(problem, axes, choice, indices);
        foreach (var line in lines[p])
        {
            choice[p] = line;
            if (FailsExact(problem, axes, lines, choice, indices, p + 1)) return true;
        }
        return false;
    }

    private static bool CornerFails(DimProblem problem, Axis[] axes, Line[] lines, long[] indices)
    {
        int n = lines.Length;
        int single = 0, unbounded = 0;
        for (int p = 0; p < n; p++)
        {
            if (lines[p].Count == 1) single |= 1 << p;
            else if (lines[p].Count < 0) unbounded |= 1 << p;
        }
        for (int mask = 0; mask < 1 << n; mask++)
        {
            if ((mask & single) != 0) continue;
            int differences = mask & unbounded;
            long corner = 0;
            for (int sub = differences; ; sub = (sub - 1) & differences)
            {
                for (int p = 0; p < n; p++)
                {
                    var line = lines[p];
                    long t = (mask & (1 << p)) == 0 ? 0 : line.Count >= 0 ? line.Count - 1 : (sub & (1 << p)) != 0 ? 1 : 0;
                    indices[p] = checked(line.Start + checked(line.Step * t));
                }
                long v = problem.Value(axes, indices);
                corner = (PopCount(differences & ~sub) & 1) == 0 ? checked(corner + v) : checked(corner - v);
                if (sub == 0) break;
            }
            if (corner < 0) return true;
        }
        return false;
    }

    /// <summary>
    /// The lexicographically smallest failing index vector, name by name. With the earlier names fixed, the failing
    /// indices of the next name within one residue class are a prefix or a suffix for each value of the later names
    /// (g is linear in it), so their union is a prefix ∪ a suffix: its smallest element is the class's first index
    /// when that fails, and otherwise found by (exponential and) binary search.
    /// </summary>
    private static long[] SmallestExact(DimProblem problem, Axis[] axes)
    {
        int n = problem.Count;
        var lines = FreeLines(problem, axes);
        var result = new long[n];
        for (int p = 0; p < n; p++)
        {
            var classes = lines[p];
            long best = long.MaxValue;
            foreach (var line in classes)
            {
                if (line.Start >= best) break;
                lines[p] = new[] { line };
                if (!FailsExact(problem, axes, lines)) continue;
                long candidate;
                if (FailsAt(problem, axes, lines, p, line.Start)) candidate = line.Start;
                else
                {
                    long lo = 0, hi; // t = lo holds, t = hi fails
                    if (line.Count >= 0) hi = line.Count - 1;
                    else
                    {
                        hi = 1;
                        while (!FailsAt(problem, axes, lines, p, checked(line.Start + checked(line.Step * hi))))
                        {
                            lo = hi;
                            hi = checked(hi * 2);
                        }
                    }
                    while (hi - lo > 1)
                    {
                        long mid = lo + (hi - lo) / 2;
                        if (FailsAt(problem, axes, lines, p, line.Start + line.Step * mid)) hi = mid;
                        else lo = mid;
                    }
                    candidate = line.Start + line.Step * hi;
                }
                best = Math.Min(best, candidate);
            }
            if (best == long.MaxValue) throw new InvalidOperationException("No failing value.");
            lines[p] = new[] { Line.Single(best) };
            result[p] = best;
        }
        return result;
    }

    private static bool FailsAt(DimProblem problem, Axis[] axes, Line[][] lines, int p, long index)
    {
        var saved = lines[p];
        lines[p] = new[] { Line.Single(index) };
        try
        {
            return FailsExact(problem, axes, lines);
        }
        finally
        {
            lines[p] = saved;
        }
    }

    // ---- One name of degree 2 or more: a polynomial on each residue class -----------------------------------------
    // On the class r + P·t, g is a polynomial q(t) of degree e, known exactly from q(0), …, q(e) through its Newton
    // form q(t) = Σ c_j·C(t, j) with c_j = Δ^j q(0) (integers). Beyond a bound B the sign of q is that of c_e. On
    // [0, B] the integers split into at most e pieces on which q is monotone (from the signs of Δq, found the same way
    // one degree lower), and the first negative value of a monotone piece is found by binary search.

    private static bool UsePolynomial(DimProblem problem, Axis[] axes) =>
        problem.Count == 1 && problem.Degree[0] > 1 && problem.Degree[0] <= 12 && problem.IndexPeriod(0, axes[0]) <= PeriodCap;

    /// <summary>The smallest failing index of the single name, or null.</summary>
    private static long? SmallestPolynomial(DimProblem problem, Axis[] axes)
    {
        var axis = axes[0];
        int degree = problem.Degree[0];
        long period = problem.IndexPeriod(0, axis);
        long classes = axis.Bounded ? Math.Min(period, axis.Count) : period;
        var index = new long[1];
        long Value(long i)
        {
            index[0] = i;
            return problem.Value(axes, index);
        }
        long? best = null;
        for (long r = 0; r < classes; r++)
        {
            if (best is long b && r >= b) break;
            long count = axis.Bounded ? (axis.Count - 1 - r) / period + 1 : -1; // points in the class
            long? t = null;
            if (count >= 0 && count <= degree + 1)
            {
                for (long i = 0; i < count && t is null; i++)
                    if (Value(r + period * i) < 0) t = i;
            }
            else
            {
                var values = new long[degree + 1];
                for (int i = 0; i <= degree; i++) values[i] = Value(r + period * i);
                var newton = NewtonCoefficients(values);
                var found = SmallestNegative(newton, count < 0 ? null : new BigInteger(count - 1));
                if (found is BigInteger f) t = checked((long)f);
            }
            if (t is long tt)
            {
                long candidate = checked(r + checked(period * tt));
                if (best is null || candidate < best) best = candidate;
            }
        }
        return best;
    }

    private static BigInteger[] NewtonCoefficients(long[] values)
    {
        var d = new BigInteger[values.Length];
        for (int i = 0; i < values.Length; i++) d[i] = values[i];
        var c = new BigInteger[values.Length];
        for (int j = 0; j < values.Length; j++)
        {
            c[j] = d[0];
            for (int i = 0; i + 1 < values.Length - j; i++) d[i] = d[i + 1] - d[i];
        }
        return c;
    }

    private static BigInteger Evaluate(BigInteger[] newton, BigInteger t)
    {
        BigInteger sum = 0, binomial = 1; // C(t, j)
        for (int j = 0; j < newton.Length; j++)
        {
            if (j > 0) binomial = binomial * (t - (j - 1)) / j;
            sum += newton[j] * binomial;
        }
        return sum;
    }

    /// <summary>Δq in Newton form: the coefficients shifted by one.</summary>
    private static BigInteger[] Difference(BigInteger[] newton)
    {
        var d = new BigInteger[Math.Max(0, newton.Length - 1)];
        Array.Copy(newton, 1, d, 0, d.Length);
        return d;
    }

    private static BigInteger[] Trim(BigInteger[] newton)
    {
        int n = newton.Length;
        while (n > 0 && newton[n - 1].IsZero) n--;
        if (n == newton.Length) return newton;
        var t = new BigInteger[n];
        Array.Copy(newton, t, n);
        return t;
    }

    /// <summary>The smallest integer t in [0, last] (no last: t ≥ 0) with q(t) &lt; 0, or null.</summary>
    private static BigInteger? SmallestNegative(BigInteger[] newton, BigInteger? last)
    {
        newton = Trim(newton);
        if (newton.Length == 0) return null; // q ≡ 0
        int e = newton.Length - 1;
        var lead = newton[e];
        // For t ≥ B: |Σ_{j<e} c_j·C(t, j)| ≤ C(t, e)·M·Σ_k x^k with x = e/(t − e + 1) ≤ 1/2, which is < |c_e|·C(t, e).
        BigInteger max = 0;
        for (int j = 0; j < e; j++) max = BigInteger.Max(max, BigInteger.Abs(newton[j]));
        BigInteger bound = BigInteger.Max(3 * e, e + 1 + 2 * e * max / BigInteger.Abs(lead) + 1);
        BigInteger hi = last is BigInteger l ? BigInteger.Min(l, bound) : bound;
        foreach (var (a, b) in MonotonePieces(newton, 0, hi))
        {
            var qa = Evaluate(newton, a);
            if (qa.Sign < 0) return a;
            var qb = Evaluate(newton, b);
            if (qb.Sign >= 0) continue; // q(a) ≥ 0 > q(b): decreasing piece, first negative by binary search
            BigInteger lo = a, up = b;
            while (up - lo > 1)
            {
                var mid = (lo + up) / 2;
                if (Evaluate(newton, mid).Sign < 0) up = mid;
                else lo = mid;
            }
            return up;
        }
        if (last is BigInteger l2 && l2 <= bound) return null;
        return lead.Sign < 0 ? hi + 1 : null;
    }

    /// <summary>Integer intervals covering [lo, hi] on each of which q is monotone (consecutive ones share an end).</summary>
    private static List<(BigInteger, BigInteger)> MonotonePieces(BigInteger[] newton, BigInteger lo, BigInteger hi)
    {
        var pieces = new List<(BigInteger, BigInteger)>();
        newton = Trim(newton);
        if (newton.Length <= 2 || hi - lo < 1)
        {
            pieces.Add((lo, hi));
            return pieces;
        }
        // q is monotone wherever Δq keeps its sign; Δq is monotone on its own pieces, so it changes sign at most
        // once on each: split there.
        var difference = Difference(newton);
        foreach (var (a, b) in MonotonePieces(difference, lo, hi - 1))
        {
            var da = Evaluate(difference, a);
            var db = Evaluate(difference, b);
            bool startsNegative = da.Sign < 0;
            if (startsNegative == (db.Sign < 0))
            {
                Add(pieces, a, b + 1);
                continue;
            }
            // The first t in (a, b] where "Δq < 0" differs from its value at a.
            BigInteger lo2 = a, up = b;
            while (up - lo2 > 1)
            {
                var mid = (lo2 + up) / 2;
                if ((Evaluate(difference, mid).Sign < 0) == startsNegative) lo2 = mid;
                else up = mid;
            }
            Add(pieces, a, up);
            Add(pieces, up, b + 1);
        }
        return pieces;
    }

    private static void Add(List<(BigInteger, BigInteger)> pieces, BigInteger a, BigInteger b) => pieces.Add((a, b));

    // ---- Sampling (several names with a square, long periods): a bounded search -----------------------------------

    private static long[][] SampleLists(DimProblem problem, Axis[] axes)
    {
        int n = problem.Count;
        var lists = new long[n][];
        long total = 1;
        for (int p = 0; p < n; p++)
            total = axes[p].Bounded ? DimMath.SatMul(total, axes[p].Count) : DimMath.Saturated;
        if (total <= EnumerationLimit)
        {
            for (int p = 0; p < n; p++) lists[p] = Range(0, axes[p].Count);
            return lists;
        }
        var counts = new long[n];
        for (int p = 0; p < n; p++)
        {
            long period = problem.IndexPeriod(p, axes[p]);
            counts[p] = problem.Degree[p] == 0 ? 1
                : period > PeriodCap ? PeriodCap
                : Math.Min(PeriodCap, DimMath.SatMul(Math.Max(2, problem.Degree[p] + 1), period));
        }
        FitBudget(counts, bothEnds: axes);
        for (int p = 0; p < n; p++)
        {
            var axis = axes[p];
            long s = counts[p];
            if (axis.Bounded && axis.Count <= 2 * s) lists[p] = Range(0, axis.Count);
            else if (!axis.Bounded) lists[p] = Range(0, s);
            else
            {
                var list = new long[2 * s];
                for (long i = 0; i < s; i++)
                {
                    list[i] = i;
                    list[s + i] = axis.Count - s + i;
                }
                lists[p] = list;
            }
        }
        return lists;
    }

    // ---- Shared -------------------------------------------------------------------------------------------------

    /// <summary>Walks the grid in lexicographic order (first name outermost) and returns the first bad index vector.</summary>
    private static long[]? Scan(DimProblem problem, Axis[] axes, long[][] lists, bool nonZero)
    {
        int n = lists.Length;
        var position = new int[n];
        var indices = new long[n];
        for (int p = 0; p < n; p++)
        {
            if (lists[p].Length == 0) return null;
            indices[p] = lists[p][0];
        }
        while (true)
        {
            long v = problem.Value(axes, indices);
            if (nonZero ? v != 0 : v < 0) return (long[])indices.Clone();
            int q = n - 1;
            for (; q >= 0; q--)
            {
                if (++position[q] < lists[q].Length)
                {
                    indices[q] = lists[q][position[q]];
                    break;
                }
                position[q] = 0;
                indices[q] = lists[q][0];
            }
            if (q < 0) return null;
        }
    }

    /// <summary>Halves the largest sample counts until the grid has at most <see cref="GridBudget"/> points.</summary>
    private static void FitBudget(long[] counts, Axis[]? bothEnds = null)
    {
        while (true)
        {
            long total = 1;
            int largest = -1;
            for (int p = 0; p < counts.Length; p++)
            {
                long c = bothEnds is not null && bothEnds[p].Bounded ? DimMath.SatMul(counts[p], 2) : counts[p];
                total = DimMath.SatMul(total, c);
                if (largest < 0 || counts[p] > counts[largest]) largest = p;
            }
            if (total <= GridBudget || largest < 0 || counts[largest] <= 1) return;
            counts[largest] = (counts[largest] + 1) / 2;
        }
    }

    private static long[] Range(long start, long count)
    {
        var r = new long[count];
        for (long i = 0; i < count; i++) r[i] = start + i;
        return r;
    }

    private static int PopCount(int x)
    {
        int c = 0;
        while (x != 0)
        {
            x &= x - 1;
            c++;
        }
        return c;
    }
}
