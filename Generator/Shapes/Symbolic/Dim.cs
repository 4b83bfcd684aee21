using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;

namespace Dsl.Generator.Shapes.Symbolic;

/// <summary>
/// One dimension's size: an integer expression in named dimensions (<c>H</c>, <c>T</c>) built from constants, +, ·,
/// and floor division by a positive constant. Kept in a canonical form, so equal expressions compare equal and
/// print alike: <c>16</c>, <c>H/2</c> (exact), <c>2·floor(H/4)</c>, <c>floor((H + 1)/2)</c>, <c>H·W</c>.
/// </summary>
public sealed class Dim : IEquatable<Dim>
{
    private readonly string[] names;
    private readonly long[] multiples;
    private readonly ReadOnlyCollection<string> namesView;
    private DimEvaluator? evaluator;
    private string? text;

    private static readonly ReadOnlyCollection<string> NoNames = new(Array.Empty<string>());

    private Dim(Linear form)
    {
        Form = form;
        if (form.IsConstant)
        {
            // Most sizes are constants: no names to collect (the planner and the summaries make millions of these).
            names = Array.Empty<string>();
            multiples = Array.Empty<long>();
            namesView = NoNames;
            return;
        }

        var variables = new Dictionary<string, long>(StringComparer.Ordinal);
        form.CollectVariables(variables); // throws ArgumentException when one name has two MultipleOf values
        names = form.Names;
        multiples = new long[names.Length];
        for (int i = 0; i < names.Length; i++) multiples[i] = variables[names[i]];
        namesView = new ReadOnlyCollection<string>(names);
    }

    /// <summary>The canonical form (in the units k = value / multipleOf of the named dimensions).</summary>
    internal Linear Form { get; }

    /// <summary>The MultipleOf this expression was built with for <paramref name="name"/>, or 0 when it does not depend on it.</summary>
    internal long MultipleOfName(string name)
    {
        int i = Array.BinarySearch(names, name, StringComparer.Ordinal);
        return i >= 0 ? multiples[i] : 0;
    }

    /// <summary>A fixed size.</summary>
    public static Dim Of(long value) => new(Linear.Of(value));

    /// <summary>
    /// The value of the named dimension <paramref name="name"/>, which every allowed value makes a multiple of
    /// <paramref name="multipleOf"/> (so <c>Named("H", 2).FloorDiv(2)</c> is exact and prints <c>H/2</c>).
    /// </summary>
    public static Dim Named(string name, long multipleOf = 1)
    {
        if (name is null) throw new ArgumentNullException(nameof(name));
        if (name.Length == 0) throw new ArgumentException("A named dimension needs a non-empty name.", nameof(name));
        if (multipleOf < 1) throw new ArgumentOutOfRangeException(nameof(multipleOf), multipleOf, "MultipleOf must be at least 1.");
        return new Dim(Linear.Of(new VariableAtom(name, multipleOf)).Scale(multipleOf)); // H = m·k
    }

    /// <summary>Whether the size is the same for every value of the named dimensions.</summary>
    public bool IsConstant => Form.IsConstant;

    /// <summary>The size of a constant; throws <see cref="InvalidOperationException"/> otherwise.</summary>
    public long Value => Form.IsConstant ? Form.Constant : throw new InvalidOperationException($"The size {this} is not a constant.");

    /// <summary>The named dimensions it depends on, in ordinal order.</summary>
    public IReadOnlyList<string> Names => namesView;

    public static Dim operator +(Dim a, Dim b)
    {
        CheckCompatible(a, b);
        return new Dim(a.Form.Add(b.Form));
    }

    public static Dim operator +(Dim a, long b) => new(NotNull(a).Form.AddConstant(b));

    public static Dim operator -(Dim a, long b) => new(NotNull(a).Form.AddConstant(checked(-b)));

    public static Dim operator *(Dim a, long b) => new(NotNull(a).Form.Scale(b));

    public static Dim operator *(Dim a, Dim b)
    {
        CheckCompatible(a, b);
        return new Dim(a.Form.Multiply(b.Form));
    }

    /// <summary>⌊this / divisor⌋ (mathematical floor, also for negative values); divisor ≥ 1.</summary>
    public Dim FloorDiv(long divisor)
    {
        if (divisor < 1) throw new ArgumentOutOfRangeException(nameof(divisor), divisor, "The divisor of a floor division must be at least 1.");
        return divisor == 1 ? this : new Dim(Form.FloorDiv(divisor));
    }

    /// <summary>The value for concrete values of the named dimensions (each a multiple of its multipleOf).</summary>
    public long Evaluate(IReadOnlyDictionary<string, long> values)
    {
        if (values is null) throw new ArgumentNullException(nameof(values));
        if (Form.IsConstant) return Form.Constant;
        var units = new long[names.Length];
        for (int i = 0; i < names.Length; i++)
        {
            if (!values.TryGetValue(names[i], out long v))
                throw new ArgumentException($"No value for the named dimension '{names[i]}'.", nameof(values));
            if (v % multiples[i] != 0)
                throw new ArgumentException($"The value {v} of '{names[i]}' is not a multiple of {multiples[i]}.", nameof(values));
            units[i] = v / multiples[i];
        }
        return EvaluateUnits(units);
    }

    /// <summary>The value at the given units (value / multipleOf) of <see cref="Names"/>, in that order.</summary>
    internal long EvaluateUnits(long[] units) => (evaluator ??= new DimEvaluator(Form, names)).Evaluate(units);

    /// <summary>
    /// A C# expression of type long that computes the size at run time: <paramref name="valueOf"/> gives the C#
    /// expression of each named dimension's value, <paramref name="floorDiv"/> names a static (long, long) → long
    /// floor-division helper the caller emits.
    /// </summary>
    public string ToCSharp(Func<string, string> valueOf, string floorDiv)
    {
        if (valueOf is null) throw new ArgumentNullException(nameof(valueOf));
        if (floorDiv is null) throw new ArgumentNullException(nameof(floorDiv));
        return DimPrinter.CSharp(Form, valueOf, floorDiv);
    }

    public bool Equals(Dim? other) => other is not null && (ReferenceEquals(this, other) || Form.Equals(other.Form));

    public override bool Equals(object? obj) => obj is Dim d && Equals(d);

    public override int GetHashCode() => Form.GetHashCode();

    public override string ToString() => text ??= DimPrinter.Display(Form);

    private static Dim NotNull(Dim a) => a ?? throw new ArgumentNullException(nameof(a));

    /// <summary>Two expressions may be combined only when they agree on the MultipleOf of every name they share.</summary>
    private static void CheckCompatible(Dim a, Dim b)
    {
        if (a is null) throw new ArgumentNullException(nameof(a));
        if (b is null) throw new ArgumentNullException(nameof(b));
        for (int i = 0; i < a.names.Length; i++)
        {
            long m = b.MultipleOfName(a.names[i]);
            if (m != 0 && m != a.multiples[i])
                throw new ArgumentException(
                    $"The named dimension '{a.names[i]}' is used with two different MultipleOf values ({a.multiples[i]} and {m}).");
        }
    }
}
