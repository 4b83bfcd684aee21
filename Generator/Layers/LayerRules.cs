using System.Collections.Generic;
using System.Linq;
using Dsl.Generator.Diagnostics;
using Dsl.Generator.Shapes;
using Dsl.Generator.Shapes.Symbolic;

namespace Dsl.Generator.Layers;

/// <summary>The checks layer definitions share: layouts, widths, sizes that must stay positive, argument ranges.</summary>
public static class LayerRules
{
    public const int RelativeDivisorBase = 1_000_000;
    public const int InputWidthCode = -2_000_000;

    /// <summary>Null when the input has one of the accepted layouts; else DSL008 (wrong rank) or DSL021 (the other rank-3 layout).</summary>
    public static LayerResult? RequireLayout(LayerContext c, string kind, string hint, params Layout[] accepted)
    {
        if (accepted.Contains(c.Input.Layout))
        {
            return null;
        }

        var expected = string.Join(" or ", accepted.Select(Shape.Expected));
        var sameRank = accepted.Any(l => Shape.LayoutOfRank(c.Input.Rank, l == Layout.Signal) == l && (l is Layout.Signal or Layout.Sequence));
        if (sameRank && c.Input.Rank == 2)
        {
            var actual = (c.Input.Layout == Layout.Signal ? "a signal " : "a sequence ") + c.Input;
            return LayerResult.Fail(DiagnosticInfo.Create(DiagnosticDescriptors.LayoutMismatch, c.Location, c.Name, kind, expected, actual));
        }

        return LayerResult.Fail(DiagnosticInfo.Create(DiagnosticDescriptors.RankMismatch, c.Location, c.Name, kind, expected, c.Input.Describe(), hint));
    }

    /// <summary>A width (channels, features) that must be a fixed number because parameters depend on it.</summary>
    public static LayerResult? RequireFixed(LayerContext c, string kind, Dim value, string what, string fix, out long fixedValue)
    {
        if (value.IsConstant)
        {
            fixedValue = value.Value;
            return null;
        }

        fixedValue = 0;
        return LayerResult.Fail(DiagnosticInfo.Create(DiagnosticDescriptors.NeedsFixedSize, c.Location, c.Name, kind, what, c.Input.ToString(), value.ToString(), fix));
    }

    /// <summary>The input's width, which parameter counts depend on: a fixed number, else DSL019.</summary>
    public static LayerResult? InputWidth(LayerContext c, string kind, out long width) =>
        RequireFixed(c, kind, c.Input.Channels, c.Input.Layout is Layout.Image or Layout.Signal ? "number of input channels" : "number of input features",
            c.Input.Layout == Layout.Vector
                ? "its parameter count would change with it; reduce the named dimensions first, e.g. GlobalAvgPool instead of Flatten, or give the model a fixed size"
                : "its parameter count would change with it; give that dimension a fixed size",
            out width);

    /// <summary>
    /// A channel count as written (positive) or relative (<c>Channels.Same</c>, <c>Double</c>, <c>Half</c>,
    /// <c>Input</c>, …); DSL009 when a relative count does not come out whole.
    /// </summary>
    public static LayerResult? ResolveChannels(LayerContext c, string kind, string argument, long input, out long resolved)
    {
        var written = c.Arguments.Int(argument);
        resolved = 0;
        if (written > 0)
        {
            resolved = written;
            return null;
        }

        if (written == InputWidthCode)
        {
            if (!c.BodyInputWidth.IsConstant)
            {
                return LayerResult.Fail(DiagnosticInfo.Create(DiagnosticDescriptors.NeedsFixedSize, c.Arguments.Location(argument), c.Name, kind,
                    "width for Channels.Input", c.Input.ToString(), c.BodyInputWidth.ToString(), "the enclosing block's input width must be a fixed number"));
            }

            resolved = c.BodyInputWidth.Value;
            return null;
        }

        if (written <= -RelativeDivisorBase && written > -2 * RelativeDivisorBase)
        {
            var divisor = -written - RelativeDivisorBase;
            if (divisor >= 1 && input % divisor == 0)
            {
                resolved = input / divisor;
                return null;
            }

            return LayerResult.Fail(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidArgument, c.Arguments.Location(argument), c.Name, kind,
                $"{argument} = 1/{divisor} of the input's {input} is not a whole number; the input's width must divide by {divisor}"));
        }

        resolved = checked(-(long)written * input);
        return null;
    }

    /// <summary>
    /// Every listed axis of <paramref name="output"/> stays ≥ 1 for every allowed value (DSL007 otherwise, with the
    /// counterexample and the [Dim] that fixes it for named dimensions).
    /// </summary>
    public static LayerResult? RequirePositive(LayerContext c, string kind, Shape output, string fixedHint, params int[] axes)
    {
        foreach (var axis in axes)
        {
            var size = output[axis];
            if (size.IsConstant)
            {
                if (size.Value <= 0)
                {
                    return LayerResult.Fail(DiagnosticInfo.Create(DiagnosticDescriptors.SpatialSizeNotPositive, c.Location, c.Name, kind,
                        c.Input.ToString(), output.ToString(), fixedHint));
                }

                continue;
            }

            var refutation = DimDecisions.AtLeast(size, 1, c.Domain);
            if (refutation is not null)
            {
                var fix = refutation.Fix is null ? "use more padding or a smaller kernel or stride" : "add " + refutation.Fix;
                return LayerResult.Fail(DiagnosticInfo.Create(DiagnosticDescriptors.SpatialSizeNotPositive, c.Location, c.Name, kind,
                    c.Input.ToString(), output.ToString(), $"For {refutation.ExampleText} it is {refutation.Left}; {fix}.").WithDimFix(refutation.FixParts));
            }
        }

        return null;
    }

    public static DiagnosticInfo Invalid(LayerArguments args, string name, string kind, string argument, string message) =>
        DiagnosticInfo.Create(DiagnosticDescriptors.InvalidArgument, args.Location(argument), name, kind, message);

    public static IEnumerable<DiagnosticInfo> AtLeast(LayerArguments args, string name, string kind, string argument, int minimum, string what)
    {
        if (args.Real(argument) < minimum)
        {
            yield return Invalid(args, name, kind, argument, $"{argument} = {args.Real(argument)} is invalid: {what} must be at least {minimum}");
        }
    }

    /// <summary>A channel count: positive, or one of the relative counts of <c>Dsl.Channels</c>.</summary>
    public static IEnumerable<DiagnosticInfo> Channels(LayerArguments args, string name, string kind, string argument)
    {
        var written = args.Int(argument);
        var relative = written == InputWidthCode || (written < 0 && written > -RelativeDivisorBase)
            || (written <= -RelativeDivisorBase - 1 && written > -2 * RelativeDivisorBase);
        if (written == 0 || (written < 0 && !relative))
        {
            yield return Invalid(args, name, kind, argument,
                $"{argument} = {written} is invalid: give a positive count, or Channels.Same / Channels.Double for a count relative to the input");
        }
    }

    public static IEnumerable<DiagnosticInfo> Probability(LayerArguments args, string name, string kind, string argument, string what = "a dropout probability")
    {
        var p = args.Real(argument);
        if (p < 0 || p > 1 || double.IsNaN(p))
        {
            yield return Invalid(args, name, kind, argument, $"{argument} = {p} is invalid: {what} must be between 0 and 1");
        }
    }

    /// <summary><c>, name: value</c> unless it is the default.</summary>
    public static string Named(string name, long value, long @default) => value == @default ? "" : $", {name}: {value}";

    public static string NamedBool(string name, bool value) => value ? "" : $", {name}: false";

    public static string Real(double value) =>
        value.ToString("R", System.Globalization.CultureInfo.InvariantCulture) is var s && (s.Contains(".") || s.Contains("E")) ? s : s + ".0";
}
