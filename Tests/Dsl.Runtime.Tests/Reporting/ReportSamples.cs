using System;
using System.Collections.Generic;
using System.Linq;
using Dsl.Runtime.Reporting;
using Dsl.Runtime.Training;

namespace Dsl.Runtime.Tests.Reporting;

/// <summary>Made-up but plausible report data.</summary>
internal static class ReportSamples
{
    /// <summary>Norms that fall tenfold per layer toward the input, recorded every 50 steps.</summary>
    public static IReadOnlyList<GradientNormSample> VanishingGradients(int steps = 12, int layers = 8) =>
        Enumerable.Range(0, steps)
            .SelectMany(s => Enumerable.Range(0, layers).Select(layer =>
                new GradientNormSample(s * 50L, s / 4, layer, $"blocks.{layer}.conv", Math.Pow(10, layer - layers + 1) * (1 + 0.1 * s))))
            .ToList();

    public static IReadOnlyList<EpochMetrics> History(int epochs) =>
        Enumerable.Range(1, epochs)
            .Select(e => new EpochMetrics(e, e * 100L, 0.1 / e, 2.0 / e, 1 - 0.5 / e, 2.2 / e, 1 - 0.6 / e, 1234.5, 12.25))
            .ToList();
}
