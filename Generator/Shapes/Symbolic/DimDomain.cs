using System;
using System.Collections.Generic;

namespace Dsl.Generator.Shapes.Symbolic;

/// <summary>The values a named dimension may take: <c>Min ≤ v ≤ Max</c> (no Max: unbounded) and <c>v % MultipleOf == 0</c>.</summary>
public sealed record DimConstraint(string Name, long Min, long? Max, long MultipleOf)
{
    /// <summary>An unconstrained named dimension: any value ≥ 1.</summary>
    public static DimConstraint Default(string name) => new(name, 1, null, 1);
}

/// <summary>The constraints of every named dimension of a model ([Dim] attributes); unconstrained names take any value ≥ 1.</summary>
public sealed class DimDomain
{
    private static readonly DimDomain EmptyDomain = new(Array.Empty<DimConstraint>());

    private readonly Dictionary<string, DimConstraint> constraints = new(StringComparer.Ordinal);

    public DimDomain(IEnumerable<DimConstraint> constraints)
    {
        if (constraints is null) throw new ArgumentNullException(nameof(constraints));
        foreach (var c in constraints)
        {
            if (c is null) throw new ArgumentException("A constraint is null.", nameof(constraints));
            this.constraints[c.Name] = c; // a repeated name: the last one wins
        }
    }

    public static DimDomain Empty => EmptyDomain;

    /// <summary>The constraint of a name (<see cref="DimConstraint.Default"/> when it has none).</summary>
    public DimConstraint this[string name] => constraints.TryGetValue(name, out var c) ? c : DimConstraint.Default(name);

    /// <summary>The named dimension as an expression, knowing its MultipleOf.</summary>
    public Dim Named(string name) => Dim.Named(name, this[name].MultipleOf);
}
