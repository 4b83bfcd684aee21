using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace Dsl.Generator.Shapes.Symbolic;

/// <summary>
/// Writes a canonical form in terms of the named values (H, not its unit k = H / multipleOf): as text for people
/// (<c>3·H/4</c>, <c>floor((H + 1)/2)</c>, <c>H·W/16</c>) and as a C# long expression.
/// </summary>
internal static class DimPrinter
{
    private sealed class Syntax
    {
        public static readonly Syntax Display = new(display: true, null, null);

        private Syntax(bool display, Func<string, string>? valueOf, string? floorDiv)
        {
            IsDisplay = display;
            ValueOf = valueOf;
            FloorDivName = floorDiv;
        }

        public static Syntax CSharp(Func<string, string> valueOf, string floorDiv) => new(display: false, valueOf, floorDiv);

        public bool IsDisplay { get; }

        public Func<string, string>? ValueOf { get; }

        public string? FloorDivName { get; }

        public string Times => IsDisplay ? "·" : " * ";

        public string Over => IsDisplay ? "/" : " / ";

        public string Number(long value) =>
            IsDisplay || (value >= int.MinValue && value <= int.MaxValue)
                ? value.ToString(CultureInfo.InvariantCulture)
                : value.ToString(CultureInfo.InvariantCulture) + "L";
    }

    public static string Display(Linear form) => Write(form, Syntax.Display);

    public static string CSharp(Linear form, Func<string, string> valueOf, string floorDiv) => Write(form, Syntax.CSharp(valueOf, floorDiv));

    /// <summary>The top level: each coefficient c on an atom is c / (Π multipleOf of its variables) on the named values.</summary>
    private static string Write(Linear form, Syntax syntax)
    {
        if (form.IsConstant) return syntax.Number(form.Constant);
        var sb = new StringBuilder();
        for (int i = 0; i < form.Atoms.Length; i++)
        {
            var atom = form.Atoms[i];
            long c = form.Coefficients[i];
            long den = atom.VariableDenominator;
            long g = DimMath.Gcd(c, den);
            long p = c / g;
            long q = den / g;
            AppendSign(sb, p < 0, first: i == 0);
            sb.Append(Term(Math.Abs(p), q, AtomText(atom, syntax), syntax));
        }
        if (form.Constant != 0)
        {
            AppendSign(sb, form.Constant < 0, first: false);
            sb.Append(syntax.Number(Math.Abs(form.Constant)));
        }
        return sb.ToString();
    }

    private static void AppendSign(StringBuilder sb, bool negative, bool first)
    {
        if (first)
        {
            if (negative) sb.Append('-');
        }
        else
        {
            sb.Append(negative ? " - " : " + ");
        }
    }

    /// <summary>p·X/q with p ≥ 1, q ≥ 1 (in C#, (p * X) / q, exact because q divides the variables' product).</summary>
    private static string Term(long p, long q, string atomText, Syntax syntax)
    {
        string text = p == 1 ? atomText : syntax.Number(p) + syntax.Times + atomText;
        return q == 1 ? text : text + syntax.Over + syntax.Number(q);
    }

    private static string AtomText(Atom atom, Syntax syntax)
    {
        switch (atom)
        {
            case VariableAtom v:
                return syntax.IsDisplay ? v.Name : Operand(syntax.ValueOf!(v.Name));
            case FloorAtom f:
                return FloorText(f, syntax);
            default:
                var parts = new List<string>();
                foreach (var factor in atom.Factors) parts.Add(AtomText(factor, syntax));
                return string.Join(syntax.Times, parts);
        }
    }

    /// <summary>
    /// ⌊L/d⌋ with L written on the named values: L = Σ (c/den)·X + b is scaled by D = lcm of the denominators to
    /// ⌊(Σ c'·X + b·D)/(d·D)⌋, and every integer in it is divided by their gcd.
    /// </summary>
    private static string FloorText(FloorAtom floor, Syntax syntax)
    {
        var numerator = floor.Numerator;
        int n = numerator.Atoms.Length;
        var p = new long[n];
        var q = new long[n];
        long scale = 1;
        for (int i = 0; i < n; i++)
        {
            long c = numerator.Coefficients[i];
            long den = numerator.Atoms[i].VariableDenominator;
            long g = DimMath.Gcd(c, den);
            p[i] = c / g;
            q[i] = den / g;
            scale = checked(scale / DimMath.Gcd(scale, q[i]) * q[i]);
        }
        var coefficients = new long[n];
        long constant = checked(numerator.Constant * scale);
        long divisor = checked(floor.Divisor * scale);
        long common = DimMath.Gcd(constant, divisor);
        for (int i = 0; i < n; i++)
        {
            coefficients[i] = checked(p[i] * (scale / q[i]));
            common = DimMath.Gcd(common, coefficients[i]);
        }
        if (common > 1)
        {
            for (int i = 0; i < n; i++) coefficients[i] /= common;
            constant /= common;
            divisor /= common;
        }

        var sb = new StringBuilder();
        for (int i = 0; i < n; i++)
        {
            AppendSign(sb, coefficients[i] < 0, first: i == 0);
            sb.Append(Term(Math.Abs(coefficients[i]), 1, AtomText(numerator.Atoms[i], syntax), syntax));
        }
        if (constant != 0)
        {
            AppendSign(sb, constant < 0, first: false);
            sb.Append(syntax.Number(Math.Abs(constant)));
        }
        string num = sb.ToString();
        if (syntax.IsDisplay)
        {
            bool several = n + (constant != 0 ? 1 : 0) > 1;
            return "floor(" + (several ? "(" + num + ")" : num) + "/" + syntax.Number(divisor) + ")";
        }
        return syntax.FloorDivName + "(" + num + ", " + syntax.Number(divisor) + ")";
    }

    /// <summary>A caller's C# expression, parenthesised unless it is a name, a member access, an element access or a call.</summary>
    private static string Operand(string expression)
    {
        if (expression is null) throw new ArgumentException("valueOf returned null.");
        return IsPrimary(expression) ? expression : "(" + expression + ")";
    }

    private static bool IsPrimary(string s)
    {
        if (s.Length == 0) return false;
        if (s[0] == '(') return ClosingParenthesis(s, 0) == s.Length - 1;
        if (!(char.IsLetterOrDigit(s[0]) || s[0] == '_' || s[0] == '@')) return false;
        int depth = 0;
        foreach (char ch in s)
        {
            if (ch == '(' || ch == '[') depth++;
            else if (ch == ')' || ch == ']')
            {
                if (--depth < 0) return false;
            }
            else if (depth == 0 && !(char.IsLetterOrDigit(ch) || ch == '_' || ch == '.' || ch == '@')) return false;
        }
        return depth == 0;
    }

    private static int ClosingParenthesis(string s, int open)
    {
        int depth = 0;
        for (int i = open; i < s.Length; i++)
        {
            if (s[i] == '(') depth++;
            else if (s[i] == ')' && --depth == 0) return i;
        }
        return -1;
    }
}
