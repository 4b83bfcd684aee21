using System;
using System.Collections.Generic;
using System.IO;
using System.Text.Json;
using Dsl.Runtime.Reporting;
using Dsl.Runtime.Training;
using Xunit;

namespace Dsl.Runtime.Tests.Reporting;

public sealed class RunReportJsonTests : IDisposable
{
    private readonly TempDirectory directory = new();

    public void Dispose() => directory.Dispose();

    [Fact]
    public void Metrics_json_holds_the_model_the_final_metrics_the_history_and_the_extras()
    {
        IReadOnlyList<EpochMetrics> history = ReportSamples.History(3);
        string path = directory.File("metrics.json");

        RunReport.WriteMetricsJson(path, "ResNet20", history, new Dictionary<string, object?>
        {
            ["parameters"] = 272474,
            ["device"] = "cpu",
            ["notes"] = null,
        });

        using JsonDocument json = JsonDocument.Parse(File.ReadAllText(path));
        JsonElement root = json.RootElement;
        Assert.Equal("ResNet20", root.GetProperty("model").GetString());
        Assert.Equal(3, root.GetProperty("epochs").GetInt32());
        Assert.Equal(history[2].ValidationAccuracy, root.GetProperty("final").GetProperty("validationAccuracy").GetDouble());
        Assert.Equal(3, root.GetProperty("final").GetProperty("epoch").GetInt32());
        Assert.Equal(3, root.GetProperty("history").GetArrayLength());
        Assert.Equal(history[0].TrainLoss, root.GetProperty("history")[0].GetProperty("trainLoss").GetDouble());
        Assert.Equal(272474, root.GetProperty("parameters").GetInt32());
        Assert.Equal("cpu", root.GetProperty("device").GetString());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("notes").ValueKind);
        Assert.Contains("\n  \"model\"", File.ReadAllText(path)); // indented
    }

    [Fact]
    public void A_diverged_run_is_still_written()
    {
        EpochMetrics diverged = ReportSamples.History(1)[0] with { TrainLoss = double.NaN, ValidationLoss = double.PositiveInfinity };
        string path = directory.File("metrics.json");

        RunReport.WriteMetricsJson(path, "Plain", [diverged]);

        using JsonDocument json = JsonDocument.Parse(File.ReadAllText(path));
        Assert.Equal("NaN", json.RootElement.GetProperty("final").GetProperty("trainLoss").GetString());
        Assert.Equal("Infinity", json.RootElement.GetProperty("final").GetProperty("validationLoss").GetString());
    }

    [Fact]
    public void An_empty_history_has_a_null_final()
    {
        string path = directory.File("metrics.json");

        RunReport.WriteMetricsJson(path, "Plain", []);

        using JsonDocument json = JsonDocument.Parse(File.ReadAllText(path));
        Assert.Equal(0, json.RootElement.GetProperty("epochs").GetInt32());
        Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("final").ValueKind);
    }

    [Fact]
    public void An_extra_key_may_not_overwrite_the_reports_own()
    {
        string path = directory.File("metrics.json");

        var error = Assert.Throws<ArgumentException>(() => RunReport.WriteMetricsJson(path, "Plain", ReportSamples.History(1),
            new Dictionary<string, object?> { ["final"] = 1 }));

        Assert.Contains("'final'", error.Message);
        Assert.False(File.Exists(path));
    }
}
