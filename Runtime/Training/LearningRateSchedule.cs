using System;

namespace Dsl.Runtime.Training;

/// <summary>The learning-rate schedules the trainer offers.</summary>
public enum ScheduleKind
{
    /// <summary>The base rate throughout.</summary>
    Constant,

    /// <summary>The rate times <c>StepGamma</c> every <c>StepEpochs</c> epochs (PyTorch's StepLR).</summary>
    Step,

    /// <summary>Cosine annealing from the base rate to zero over the run (CosineAnnealingLR with T_max = the run).</summary>
    Cosine,

    /// <summary>One-cycle: cosine rise from base/25 to the base rate over the first 30 %, then cosine decay to base/25e4 (PyTorch's OneCycleLR defaults).</summary>
    OneCycle,
}

/// <summary>
/// The learning rate as a pure function of the global step, with an optional linear warm-up in front.
/// Being a function of the step alone, the schedule's whole state is the step counter, so a resumed run gets
/// exactly the rates an uninterrupted one would (and TorchSharp's OneCycleLR bug with several parameter groups is avoided).
/// </summary>
public sealed class LearningRateSchedule
{
    private readonly ScheduleKind kind;
    private readonly double baseRate;
    private readonly long totalSteps;
    private readonly long warmupSteps;
    private readonly long stepSize;
    private readonly double gamma;

    /// <summary>A schedule over <paramref name="totalSteps"/> optimizer steps.</summary>
    /// <param name="kind">The shape after the warm-up.</param>
    /// <param name="baseRate">The peak (and, for <see cref="ScheduleKind.Constant"/>, the only) rate.</param>
    /// <param name="totalSteps">Steps in the whole run.</param>
    /// <param name="stepsPerEpoch">Batches per epoch; the step schedule counts epochs.</param>
    /// <param name="warmupSteps">Steps of linear warm-up from baseRate / warmupSteps to baseRate (0: none).</param>
    /// <param name="stepEpochs">For <see cref="ScheduleKind.Step"/>: epochs between decays.</param>
    /// <param name="stepGamma">For <see cref="ScheduleKind.Step"/>: the decay factor.</param>
    public LearningRateSchedule(ScheduleKind kind, double baseRate, long totalSteps, int stepsPerEpoch,
        long warmupSteps = 0, int stepEpochs = 10, double stepGamma = 0.1)
    {
        if (!(baseRate > 0) || double.IsInfinity(baseRate))
        {
            throw new ArgumentOutOfRangeException(nameof(baseRate), baseRate, "the learning rate must be a positive number");
        }

        if (totalSteps < 1 || stepsPerEpoch < 1 || warmupSteps < 0 || stepEpochs < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(totalSteps), "steps, steps per epoch and step epochs must be positive; warm-up steps must not be negative");
        }

        this.kind = kind;
        this.baseRate = baseRate;
        this.totalSteps = totalSteps;
        this.warmupSteps = Math.Min(warmupSteps, totalSteps);
        stepSize = (long)stepEpochs * stepsPerEpoch;
        gamma = stepGamma;
    }

    /// <summary>The rate for the optimizer step numbered <paramref name="step"/> (0-based).</summary>
    public double At(long step)
    {
        step = Math.Max(0, Math.Min(step, totalSteps - 1));
        if (step < warmupSteps)
        {
            return baseRate * (step + 1) / warmupSteps;
        }

        var t = step - warmupSteps;                       // position after the warm-up
        var span = Math.Max(1, totalSteps - warmupSteps); // steps the main schedule covers
        switch (kind)
        {
            case ScheduleKind.Constant:
                return baseRate;
            case ScheduleKind.Step:
                return baseRate * Math.Pow(gamma, step / stepSize);
            case ScheduleKind.Cosine:
                return baseRate * (1 + Math.Cos(Math.PI * t / span)) / 2;
            case ScheduleKind.OneCycle:
                return OneCycle(t, span);
            default:
                throw new InvalidOperationException($"unknown schedule {kind}");
        }
    }

    // PyTorch's OneCycleLR with its defaults (pct_start 0.3, div_factor 25, final_div_factor 1e4, cosine annealing).
    private double OneCycle(long t, long span)
    {
        const double PctStart = 0.3, DivFactor = 25, FinalDivFactor = 1e4;
        var initial = baseRate / DivFactor;
        var minimum = initial / FinalDivFactor;
        var peakStep = Math.Max(1, PctStart * span - 1);
        var lastStep = Math.Max(peakStep + 1, span - 1);
        return t <= peakStep
            ? Anneal(initial, baseRate, t / peakStep)
            : Anneal(baseRate, minimum, (t - peakStep) / (lastStep - peakStep));
    }

    private static double Anneal(double from, double to, double fraction) =>
        to + (from - to) / 2 * (Math.Cos(Math.PI * Math.Min(1, fraction)) + 1);
}
