using System;
using System.Collections.Generic;
using System.IO;
using Dsl.Runtime.Reporting;
using Dsl.Runtime.Training;
using Xunit;

namespace Dsl.Runtime.Tests.Reporting;

public sealed class RunReportCsvTests : IDisposable
{
    private readonly TempDirectory directory = new();

    public void Dispose() => directory.Dispose();

    [Fact]
    public void Gradient_samples_round_trip_exactly()
    {
        GradientNormSample[] samples =
        [
            new(0, 0, 0, "stem", 1.0 / 3),
            new(50, 1, 1, "stage1.0.conv1", 1.2345678901234567e-19),
            new(50, 1, 2, "odd,name \"quoted\"", double.NaN),
            new(long.MaxValue, int.MaxValue, 3, "head", double.PositiveInfinity),
        ];
        string path = directory.File("gradients.csv");

        RunReport.WriteGradientCsv(path, samples);

        Assert.Equal(samples, RunReport.ReadGradientCsv(path));
        Assert.StartsWith("step,epoch,layer_index,layer,norm\n0,0,0,stem,0.3333333333333333\n", File.ReadAllText(path));
    }

    [Fact]
    public void Metrics_round_trip_with_missing_test_metrics()
    {
        List<EpochMetrics> history = [.. ReportSamples.History(3)];
        history[1] = history[1] with { ValidationLoss = null, ValidationAccuracy = null };
        string path = directory.File("metrics.csv");

        RunReport.WriteMetricsCsv(path, history);

        Assert.Equal(history, RunReport.ReadMetricsCsv(path));
        Assert.Equal("epoch,step,learning_rate,train_loss,train_accuracy,validation_loss,validation_accuracy,examples_per_second,seconds",
            File.ReadAllLines(path)[0]);
        Assert.Equal("2,200,0.05,1,0.75,,,1234.5,12.25", File.ReadAllLines(path)[2]);
    }

    [Theory]
    [InlineData("0,0,0,stem,1\n50,0,1,head\n", 3, "expected 5 fields")]
    [InlineData("0,0,0,stem,1\n50,0,x,head,1\n", 3, "layer_index is 'x'")]
    [InlineData("0,0,0,stem,abc\n", 2, "norm is 'abc'")]
    [InlineData("0,0,0,,1\n", 2, "layer is ''")]
    [InlineData("0,0,0,\"stem,1\n", 2, "quoted field is not closed")]
    public void A_bad_row_names_the_file_and_the_line(string rows, int line, string problem)
    {
        string path = directory.File("bad.csv");
        File.WriteAllText(path, "step,epoch,layer_index,layer,norm\n" + rows);

        var error = Assert.Throws<InvalidDataException>(() => RunReport.ReadGradientCsv(path));

        Assert.Contains(path, error.Message);
        Assert.Contains($"line {line}:", error.Message);
        Assert.Contains(problem, error.Message);
    }

    [Fact]
    public void A_wrong_header_or_an_empty_file_is_a_clear_error()
    {
        string wrongHeader = directory.File("metrics-not-gradients.csv");
        RunReport.WriteMetricsCsv(wrongHeader, ReportSamples.History(1));
        string empty = directory.File("empty.csv");
        File.WriteAllText(empty, "");

        var headerError = Assert.Throws<InvalidDataException>(() => RunReport.ReadGradientCsv(wrongHeader));
        var emptyError = Assert.Throws<InvalidDataException>(() => RunReport.ReadGradientCsv(empty));

        Assert.Contains($"{wrongHeader} line 1: the header is 'epoch,step,", headerError.Message);
        Assert.Contains($"{empty} is empty", emptyError.Message);
    }

    [Fact]
    public void Writing_replaces_the_file_whole_and_leaves_no_temporary_file()
    {
        string path = directory.File(Path.Combine("new-folder", "gradients.csv"));
        RunReport.WriteGradientCsv(path, ReportSamples.VanishingGradients());

        RunReport.WriteGradientCsv(path, [new GradientNormSample(7, 0, 0, "only", 2)]);

        Assert.Equal([new GradientNormSample(7, 0, 0, "only", 2)], RunReport.ReadGradientCsv(path));
        Assert.Equal([path], Directory.GetFiles(Path.GetDirectoryName(path)!));
    }
}
