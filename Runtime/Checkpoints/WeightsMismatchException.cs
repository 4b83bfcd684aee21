using System;
using System.Collections.Generic;
using System.Linq;

namespace Dsl.Runtime.Checkpoints;

/// <summary>
/// Saved weights (or saved optimizer state) do not fit the module or optimizer they were loaded into. Nothing was
/// loaded. <see cref="Problems"/> lists every mismatch, one line each, e.g.
/// "conv1.weight: the file /x/model.safetensors has [32, 1, 3, 3], the model has [16, 1, 3, 3]".
/// </summary>
public sealed class WeightsMismatchException : Exception
{
    /// <summary>Creates the exception for the weights in <paramref name="source"/>.</summary>
    /// <param name="source">Where the weights came from, e.g. "the file /x/model.safetensors".</param>
    /// <param name="problems">Every mismatch, one line each.</param>
    public WeightsMismatchException(string source, IReadOnlyList<string> problems)
        : base(Dsl.Runtime.IO.Names.OneLine(Describe(source, problems)))
    {
        Problems = problems;
    }

    /// <summary>For a mismatch described by a whole message, such as an optimizer state TorchSharp refused.</summary>
    internal WeightsMismatchException(string message, IReadOnlyList<string> problems, Exception? inner)
        : base(Dsl.Runtime.IO.Names.OneLine(message), inner)
    {
        Problems = problems;
    }

    /// <summary>Every mismatch, one line each.</summary>
    public IReadOnlyList<string> Problems { get; }

    private const int MaxShown = 20;

    private static string Describe(string source, IReadOnlyList<string> problems)
    {
        var count = problems.Count == 1 ? "1 mismatch" : $"{problems.Count} mismatches";
        // A hostile file can hold a million unexpected names: the message shows the first ones, Problems has them all.
        var shown = problems.Count <= MaxShown ? string.Join("; ", problems) : string.Join("; ", problems.Take(MaxShown)) + $"; and {problems.Count - MaxShown} more";
        return $"The weights in {source} do not fit, nothing was loaded ({count}): {shown}.";
    }
}
