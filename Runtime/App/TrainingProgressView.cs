using System;
using System.Globalization;
using System.Linq;
using System.Threading;
using Dsl.Runtime.Data;
using Dsl.Runtime.Reporting;
using Dsl.Runtime.Training;
using Spectre.Console;

namespace Dsl.Runtime.App;

/// <summary>Shows a run's progress: a live bar on a terminal, plain lines when the output is redirected (CI, logs).</summary>
internal static class TrainingProgressView
{
    public static TrainingResult Run(IAnsiConsole console, Trainer trainer, TensorDataset train, TensorDataset? validation, CancellationToken cancellation)
    {
        trainer.EpochCompleted += metrics => console.WriteLine(EpochLine(metrics, trainer.Options.Epochs));
        if (!console.Profile.Capabilities.Interactive)
        {
            var lastLine = DateTime.MinValue;
            trainer.Progress += p =>
            {
                // A line every 15 s keeps logs readable and still shows that a long epoch is moving.
                if (DateTime.UtcNow - lastLine >= TimeSpan.FromSeconds(15) && p.Batch < p.BatchesPerEpoch)
                {
                    lastLine = DateTime.UtcNow;
                    console.WriteLine(ProgressLine(p));
                }
            };
            return trainer.Fit(train, validation, cancellation);
        }

        TrainingResult? result = null;
        console.Progress()
            .AutoClear(true)
            .Columns(new ProgressBarColumn { Width = 20 }, new PercentageColumn(), new TaskDescriptionColumn { Alignment = Justify.Left })
            .Start(context =>
            {
                var task = context.AddTask("starting", maxValue: 1);
                trainer.Progress += p =>
                {
                    task.MaxValue = p.TotalSteps;
                    task.Value = p.Step;
                    task.Description = Markup.Escape(FitTo(console.Profile.Width - 30, ProgressLine(p), ShortProgressLine(p)));
                };
                result = trainer.Fit(train, validation, cancellation);
                task.StopTask();
            });
        return result!;
    }

    public static string ProgressLine(TrainingProgress p) => string.Create(CultureInfo.InvariantCulture,
        $"epoch {p.Epoch}/{p.Epochs} batch {p.Batch}/{p.BatchesPerEpoch}  loss {p.Loss:F4}{Accuracy(p.Accuracy, "P2")}  " +
        $"{p.ExamplesPerSecond:N0} ex/s  lr {p.LearningRate:G3}  ETA {Format(p.Remaining)}");

    // The bar and the percentage take about 30 columns; the description must fit in the rest or Spectre squeezes the bar.
    private static string FitTo(int width, params string[] candidates) =>
        candidates.FirstOrDefault(c => c.Length <= width) is { } fits ? fits : candidates[^1].Substring(0, Math.Max(0, Math.Min(candidates[^1].Length, width)));

    private static string ShortProgressLine(TrainingProgress p) => string.Create(CultureInfo.InvariantCulture,
        $"{p.Epoch}/{p.Epochs} loss {p.Loss:F3}{Accuracy(p.Accuracy, "P1")} {p.ExamplesPerSecond:N0} ex/s ETA {Format(p.Remaining)}");

    public static string EpochLine(EpochMetrics m, int epochs) => string.Create(CultureInfo.InvariantCulture,
        $"epoch {m.Epoch}/{epochs}  train loss {m.TrainLoss:F4}{Accuracy(m.TrainAccuracy, "P2")}  " +
        $"validation loss {(m.ValidationLoss is { } l ? l.ToString("F4", CultureInfo.InvariantCulture) : "-")}" +
        $"{(m.ValidationAccuracy is { } a ? Accuracy(a, "P2") : double.IsNaN(m.TrainAccuracy) ? "" : " acc -")}  " +
        $"{m.ExamplesPerSecond:N0} ex/s  {m.Seconds:F1} s");

    private static string Accuracy(double value, string format) =>
        double.IsNaN(value) ? "" : " acc " + value.ToString(format, CultureInfo.InvariantCulture);

    private static string Format(TimeSpan? span) =>
        span is not { } s ? "-" : s.TotalHours >= 1 ? s.ToString(@"h\:mm\:ss", CultureInfo.InvariantCulture) : s.ToString(@"m\:ss", CultureInfo.InvariantCulture);
}
