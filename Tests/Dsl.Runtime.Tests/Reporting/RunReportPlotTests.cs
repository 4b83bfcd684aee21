using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Dsl.Runtime.Reporting;
using Dsl.Runtime.Training;
using SkiaSharp;
using Xunit;

namespace Dsl.Runtime.Tests.Reporting;

public sealed class RunReportPlotTests : IDisposable
{
    private static readonly byte[] PngSignature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    private readonly TempDirectory directory = new();

    public void Dispose() => directory.Dispose();

    [Fact]
    public void Gradient_flow_plot_is_a_png_of_the_asked_size()
    {
        string path = directory.File("gradient-flow.png");

        RunReport.WriteGradientFlowPlot(path, "PlainNet", ReportSamples.VanishingGradients(), width: 640, height: 420);

        AssertPng(path, 640, 420);
        Assert.Equal([path], Directory.GetFiles(directory.Path));
    }

    [Fact]
    public void Plots_have_the_default_size_when_none_is_given()
    {
        string path = directory.File("curves.png");

        RunReport.WriteCurvesPlot(path, "PlainNet", ReportSamples.History(5));

        AssertPng(path, RunReport.DefaultPlotWidth, RunReport.DefaultPlotHeight);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(0)]
    public void Curves_plot_works_for_one_epoch_and_for_none(int epochs)
    {
        string path = directory.File("curves.png");

        RunReport.WriteCurvesPlot(path, "TinyResNet", ReportSamples.History(epochs), width: 500, height: 400);

        AssertPng(path, 500, 400);
    }

    [Fact]
    public void Gradient_flow_plot_works_with_no_samples_and_with_unplottable_norms()
    {
        string empty = directory.File("empty.png");
        string zeros = directory.File("zeros.png");

        RunReport.WriteGradientFlowPlot(empty, "Nothing", [], width: 300, height: 200);
        RunReport.WriteGradientFlowPlot(zeros, "Dead", [new(0, 0, 0, "a", 0), new(0, 0, 1, "b", double.NaN), new(0, 0, 2, "c", 1e-3)], 300, 200);

        AssertPng(empty, 300, 200);
        AssertPng(zeros, 300, 200);
    }

    [Fact]
    public void Curves_plot_tolerates_missing_test_metrics_and_a_diverged_loss()
    {
        List<EpochMetrics> history = [.. ReportSamples.History(4)];
        history[0] = history[0] with { ValidationLoss = null, ValidationAccuracy = null };
        history[3] = history[3] with { TrainLoss = double.NaN };
        string path = directory.File("curves.png");

        RunReport.WriteCurvesPlot(path, "Diverged", history, 400, 300);

        AssertPng(path, 400, 300);
    }

    /// <remarks>
    /// Without a usable typeface ScottPlot silently leaves all text out, and the title band is blank whatever the title.
    /// The plots use a font embedded in Dsl.Runtime; checked by hand with no system fonts at all
    /// (<c>unshare -m</c>, an empty folder bind-mounted over /usr/share/fonts): these tests pass there too.
    /// </remarks>
    [Fact]
    public void Plot_titles_are_drawn()
    {
        string shortTitle = directory.File("short.png");
        string longTitle = directory.File("long.png");
        IReadOnlyList<GradientNormSample> samples = ReportSamples.VanishingGradients();

        RunReport.WriteGradientFlowPlot(shortTitle, "A", samples, 600, 400);
        RunReport.WriteGradientFlowPlot(longTitle, "AVeryLongModelNameIndeed", samples, 600, 400);

        int shortInk = DarkPixelsInTitleBand(shortTitle);
        int longInk = DarkPixelsInTitleBand(longTitle);
        Assert.True(shortInk > 100, $"{shortInk} dark pixels in the title band");
        Assert.True(longInk > shortInk + 200, $"{longInk} dark pixels for the long title, {shortInk} for the short one");
    }

    /// <remarks>The embedded fonts are subsets (Runtime/Reporting/Fonts/README.md): a character outside them draws as a box.</remarks>
    [Theory]
    [InlineData("DejaVuSans.ttf")]
    [InlineData("DejaVuSans-Bold.ttf")]
    public void Embedded_fonts_keep_the_characters_plots_can_need(string file)
    {
        const string text = "AZaz09 ,.:;%()[]/+-=_'\"ÀéßüÑ µ°±×÷ ΑΩαβγδεθλμπσω –—…•‰ ←↑→↓ −≈≤≥ ⁰¹²³⁴⁵⁶⁷⁸⁹ⁿ₀₁ ·";
        using Stream stream = typeof(RunReport).Assembly.GetManifestResourceStream("Dsl.Runtime.Reporting.Fonts." + file)!;
        using SKTypeface typeface = SKTypeface.FromStream(stream);

        Assert.NotNull(typeface);
        Assert.Equal("DejaVu Sans", typeface.FamilyName);
        foreach (char c in text)
        {
            Assert.True(typeface.ContainsGlyphs(c.ToString()), $"U+{(int)c:X4} '{c}' is missing from {file}");
        }
    }

    [Fact]
    public void Plotting_leaves_ScottPlots_process_wide_default_font_alone()
    {
        string before = ScottPlot.Fonts.Default;

        RunReport.WriteCurvesPlot(directory.File("curves.png"), "X", ReportSamples.History(2), 300, 200);
        RunReport.WriteGradientFlowPlot(directory.File("flow.png"), "X", ReportSamples.VanishingGradients(), 300, 200);

        Assert.Equal(before, ScottPlot.Fonts.Default);
    }

    [Theory]
    [InlineData(0, 10)]
    [InlineData(10, -1)]
    public void A_plot_size_must_be_positive(int width, int height)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            RunReport.WriteCurvesPlot(directory.File("x.png"), "X", ReportSamples.History(2), width, height));
    }

    private static void AssertPng(string path, int width, int height)
    {
        byte[] bytes = File.ReadAllBytes(path);
        Assert.Equal(PngSignature, bytes.Take(8));
        // IHDR, the first chunk, holds the width and height as big-endian 32-bit integers at bytes 16 and 20.
        Assert.Equal("IHDR", System.Text.Encoding.ASCII.GetString(bytes, 12, 4));
        Assert.Equal(width, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16)));
        Assert.Equal(height, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20)));
        Assert.False(File.Exists(path + ".tmp"));
    }

    private static int DarkPixelsInTitleBand(string path)
    {
        using SKBitmap bitmap = SKBitmap.Decode(path);
        int count = 0;
        for (int y = 0; y < bitmap.Height / 10; y++)
            for (int x = 0; x < bitmap.Width; x++)
                if (bitmap.GetPixel(x, y) is var pixel && pixel.Red + pixel.Green + pixel.Blue < 200)
                    count++;
        return count;
    }
}
