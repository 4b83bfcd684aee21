using System;
using System.Linq;
using Dsl.Runtime.Training;
using Xunit;

namespace Dsl.Runtime.Tests.Training;

public class LearningRateScheduleTests
{
    [Fact]
    public void OneCycle_follows_PyTorch_defaults_from_base_over_25_to_the_peak_at_30_percent_and_down_to_base_over_250000()
    {
        var schedule = new LearningRateSchedule(ScheduleKind.OneCycle, 0.1, totalSteps: 1001, stepsPerEpoch: 100);

        Assert.Equal(0.1 / 25, schedule.At(0), 12);
        Assert.Equal(0.1, schedule.At(299), 5);                     // pct_start * total - 1 = 299.3: within a hair of the peak
        Assert.Equal(0.1 / 25 / 1e4, schedule.At(1000), 12);
        var rates = Enumerable.Range(0, 1001).Select(s => schedule.At(s)).ToArray();
        Assert.True(rates.Take(299).Zip(rates.Skip(1).Take(299)).All(p => p.Second > p.First), "rising before the peak");
        Assert.True(rates.Skip(300).Zip(rates.Skip(301)).All(p => p.Second < p.First), "falling after the peak");
    }

    [Fact]
    public void Cosine_starts_at_the_base_rate_and_ends_near_zero()
    {
        var schedule = new LearningRateSchedule(ScheduleKind.Cosine, 0.2, totalSteps: 100, stepsPerEpoch: 10);

        Assert.Equal(0.2, schedule.At(0), 12);
        Assert.Equal(0.1, schedule.At(50), 12);
        Assert.True(schedule.At(99) < 0.001);
    }

    [Fact]
    public void Step_multiplies_by_gamma_every_step_epochs()
    {
        var schedule = new LearningRateSchedule(ScheduleKind.Step, 1.0, totalSteps: 100, stepsPerEpoch: 10, stepEpochs: 3, stepGamma: 0.5);

        Assert.Equal(1.0, schedule.At(29), 12);
        Assert.Equal(0.5, schedule.At(30), 12);
        Assert.Equal(0.25, schedule.At(65), 12);
    }

    [Fact]
    public void Warmup_rises_linearly_then_hands_over_to_the_schedule()
    {
        var schedule = new LearningRateSchedule(ScheduleKind.Constant, 0.4, totalSteps: 100, stepsPerEpoch: 10, warmupSteps: 4);

        Assert.Equal(new[] { 0.1, 0.2, 0.3, 0.4, 0.4 }, Enumerable.Range(0, 5).Select(s => Math.Round(schedule.At(s), 12)));
    }

    [Fact]
    public void Warmup_then_cosine_starts_the_cosine_after_the_warmup()
    {
        var schedule = new LearningRateSchedule(ScheduleKind.Cosine, 1.0, totalSteps: 110, stepsPerEpoch: 10, warmupSteps: 10);

        Assert.Equal(1.0, schedule.At(10), 12);
        Assert.Equal(0.5, schedule.At(60), 12);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-1.0)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void A_rate_that_is_not_a_positive_number_is_refused(double rate)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new LearningRateSchedule(ScheduleKind.Constant, rate, 10, 1));
    }
}
