using System.Collections.Generic;
using Dsl.Generator.Diagnostics;
using Dsl.Generator.Parsing;

namespace Dsl.Generator.Graph;

/// <summary>
/// The checks of one [Skip]'s options on their own, before any shape is known: values in range, and combinations that
/// mean something. Scale and DropPath act on an Add's branch; Projection maps an Add's carry; Align lines up the sizes
/// of an Add or a Concat; a Multiply broadcasts and a Highway learns its own gate, so neither takes any of them.
/// </summary>
public static class SkipOptions
{
    /// <summary>A number as the user wrote it, whatever the build machine's culture.</summary>
    public static string Number(double value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Why a stochastic-depth rate (a [Skip]'s or a [Use]'s) is invalid, or null when 0 ≤ p &lt; 1.</summary>
    public static string? DropProbabilityProblem(string argument, double p) =>
        double.IsNaN(p) || p < 0 || p >= 1 ? $"{argument} = {Number(p)} is invalid: a drop probability must be at least 0 and below 1" : null;

    /// <summary>Whether the skip's options are valid; else the diagnostics are added.</summary>
    public static bool Check(SkipDeclaration skip, List<DiagnosticInfo> diagnostics)
    {
        var before = diagnostics.Count;
        var name = $"{skip.From} -> {skip.To}";
        void Invalid(string argument, string message) =>
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidArgument, skip.LocationOf(argument), name, "Skip", message));
        void Conflict(string argument, string option, string with, string why) =>
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.SkipOptionsConflict, skip.LocationOf(argument), skip.From, skip.To, option, with, why));

        if (skip.Mode is not (MergeMode.Add or MergeMode.Concat or MergeMode.Multiply or MergeMode.Highway))
        {
            Invalid("Mode", $"Mode = {(int)skip.Mode} is not a SkipMode; use SkipMode.Add, Concat, Multiply or Highway");
        }

        if (skip.Scale is not (MergeScale.None or MergeScale.Scalar or MergeScale.PerChannel))
        {
            Invalid("Scale", $"Scale = {(int)skip.Scale} is not a SkipScale; use SkipScale.Scalar or SkipScale.PerChannel");
        }

        if (skip.Align is not (MergeAlign.None or MergeAlign.Crop or MergeAlign.Pad))
        {
            Invalid("Align", $"Align = {(int)skip.Align} is not a SkipAlign; use SkipAlign.Crop or SkipAlign.Pad");
        }

        if (DropProbabilityProblem("DropPath", skip.DropPath) is { } dropPath)
        {
            Invalid("DropPath", dropPath);
        }

        if (double.IsInfinity(skip.ScaleInit))
        {
            Invalid("ScaleInit", $"ScaleInit = {Number(skip.ScaleInit)} is invalid: give a finite initial scale");
        }

        if (diagnostics.Count > before)
        {
            return false;
        }

        var mode = $"Mode = SkipMode.{skip.Mode}";
        if (skip.Mode != MergeMode.Add)
        {
            if (skip.Projection)
            {
                Conflict("Projection", "Projection", mode, skip.Mode == MergeMode.Highway
                    ? "a Highway skip carries 'from' unchanged and learns only its gate; make both shapes equal"
                    : "a projection maps the carried value onto an Add's shape; only Add takes one");
            }

            if (skip.Scale != MergeScale.None)
            {
                Conflict("Scale", $"Scale = SkipScale.{skip.Scale}", mode, "a learned scale weighs an Add's branch (from + s·to); only Add takes one");
            }

            if (skip.DropPath > 0)
            {
                Conflict("DropPath", "DropPath", mode, "stochastic depth drops an Add's branch and keeps its carry; only Add takes it");
            }

            if (skip.Align != MergeAlign.None && skip.Mode is MergeMode.Multiply or MergeMode.Highway)
            {
                Conflict("Align", $"Align = SkipAlign.{skip.Align}", mode,
                    skip.Mode == MergeMode.Multiply ? "a Multiply broadcasts size-1 dimensions; crop or pad applies to Add and Concat only" : "a Highway needs equal shapes; crop or pad applies to Add and Concat only");
            }
        }
        else if (skip.Projection && skip.Align != MergeAlign.None)
        {
            Conflict("Align", $"Align = SkipAlign.{skip.Align}", "Projection", "the projection's stride already maps the sizes; use one or the other");
        }

        if (skip.Name is not null && !skip.Projection && diagnostics.Count == before)
        {
            Conflict("Name", "Name", "no Projection", "Name names the projection's field; set Projection = true too, or remove Name");
        }

        if (skip.IsGiven("ScaleInit") && skip.Scale == MergeScale.None && diagnostics.Count == before)
        {
            Conflict("ScaleInit", "ScaleInit", "no Scale", "ScaleInit is the learned scale's initial value; set Scale = SkipScale.Scalar or SkipScale.PerChannel too");
        }

        return diagnostics.Count == before;
    }
}
