using System;
using System.IO;
using ScottPlot;
using SkiaSharp;

namespace Dsl.Runtime.Reporting.Plots;

/// <summary>
/// DejaVu Sans, embedded in Dsl.Runtime. SkiaSharp finds no typeface on a machine without system fonts and
/// ScottPlot then silently draws plots without any text; with this font the plots look the same everywhere.
/// </summary>
internal sealed class EmbeddedFont : IFontResolver
{
    /// <summary>The family name the plots ask ScottPlot for; unique, so it never shadows a system font.</summary>
    public const string Family = "Dsl.Runtime DejaVu Sans";

    private static readonly Lazy<SKData> Regular = new(() => Load("DejaVuSans.ttf"));
    private static readonly Lazy<SKData> Bold = new(() => Load("DejaVuSans-Bold.ttf"));
    private static readonly object RegistrationLock = new();
    private static bool registered;

    private EmbeddedFont()
    {
    }

    /// <summary>
    /// Registers the resolver with ScottPlot once per process and sets the plot's title, axes and legend in this font.
    /// (ScottPlot's own <c>plot.Font.Set</c> would also change its process-wide default font, and drop the bold title.)
    /// </summary>
    public static void Apply(Plot plot)
    {
        Register();
        plot.Axes.Title.Label.FontName = Family;
        plot.Axes.Title.Label.Bold = true;
        foreach (IAxis axis in plot.Axes.GetAxes())
        {
            axis.Label.FontName = Family;
            axis.TickLabelStyle.FontName = Family;
        }
        plot.Legend.FontName = Family;
    }

    /// <summary>A boxed note placed at <paramref name="alignment"/> in the data area, in this font.</summary>
    public static void AddNote(Plot plot, string text, Alignment alignment)
    {
        Register();
        plot.Add.Annotation(text, alignment).LabelFontName = Family;
    }

    private static void Register()
    {
        lock (RegistrationLock)
        {
            if (!registered)
            {
                Fonts.FontResolvers.Add(new EmbeddedFont());
                registered = true;
            }
        }
    }

    /// <inheritdoc />
    public SKTypeface? CreateTypeface(string fontName, FontWeight weight, FontSlant slant, FontSpacing width) =>
        CreateTypeface(fontName, bold: weight >= FontWeight.SemiBold, italic: false);

    /// <inheritdoc />
    public SKTypeface? CreateTypeface(string fontName, bool bold, bool italic) =>
        fontName == Family ? SKTypeface.FromData((bold ? Bold : Regular).Value) : null;

    /// <summary>The width in pixels of <paramref name="text"/> set in the regular face at <paramref name="size"/>.</summary>
    public static float MeasureWidth(string text, float size)
    {
        using SKTypeface typeface = SKTypeface.FromData(Regular.Value);
        using var font = new SKFont(typeface, size);
        return font.MeasureText(text);
    }

    /// <summary>The regular face, for drawing text straight onto a SkiaSharp canvas (the caller disposes it).</summary>
    public static SKTypeface Typeface() => SKTypeface.FromData(Regular.Value);

    private static SKData Load(string fileName)
    {
        string resource = "Dsl.Runtime.Reporting.Fonts." + fileName;
        using Stream stream = typeof(EmbeddedFont).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"The embedded font resource {resource} is missing from Dsl.Runtime.dll.");
        return SKData.Create(stream);
    }
}
