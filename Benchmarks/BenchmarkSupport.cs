using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace Dsl.Benchmarks;

/// <summary>The options of the benchmark commands (<c>--rounds 3</c>), shared by side-by-side and generator.</summary>
internal static class CommandLine
{
    /// <summary>A positive whole number after <paramref name="name"/>, or <paramref name="fallback"/> when it is absent.</summary>
    public static int Option(string[] args, string name, int fallback)
    {
        var text = Text(args, name);
        if (text is null)
        {
            return fallback;
        }

        return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value > 0
            ? value
            : throw new ArgumentException($"{name} takes a positive whole number, not '{text}'");
    }

    /// <summary>The word after <paramref name="name"/>, or null.</summary>
    public static string? Text(string[] args, string name)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
    }
}

internal static class Statistics
{
    /// <summary>The median; for an even count, the mean of the two middle values.</summary>
    public static double Median(IReadOnlyCollection<double> xs)
    {
        var sorted = xs.OrderBy(v => v).ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
