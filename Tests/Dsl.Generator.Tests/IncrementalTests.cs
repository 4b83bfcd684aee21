using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Dsl.Generator.Parsing;
using Dsl.Generator.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;
using Xunit.Sdk;

namespace Dsl.Generator.Tests;

/// <summary>
/// Incrementality: after an edit, only the models it touches are rebuilt. Reruns use the driver of the first run, and
/// the per-output reasons of the tracked steps (<see cref="TrackingNames"/>) show what was recomputed:
/// <see cref="IncrementalStepRunReason.Modified"/> for a changed output; <see cref="IncrementalStepRunReason.Cached"/>
/// (not rerun) or <see cref="IncrementalStepRunReason.Unchanged"/> (rerun, equal result) for the others.
/// </summary>
public class IncrementalTests
{
    private const string Alpha = """
        using Dsl;

        namespace Sample;

        [Model(20)]
        [Linear(16), ReLU]
        [Linear(10)]
        public partial class Alpha
        {
        }
        """;

    private const string Beta = """
        using Dsl;

        namespace Sample;

        [Model(1, 8, 8)]
        [Conv2d(4, 3, Padding = 1), ReLU, GlobalAvgPool]
        [Linear(3)]
        public partial class Beta
        {
        }
        """;

    private const string Gamma = """
        using Dsl;

        namespace Sample;

        [Model(6, 12)]
        [LayerNorm, Linear(12, Name = "mix")]
        [Skip("input", "mix")]
        public partial class Gamma
        {
        }
        """;

    private const string AlphaHint = "Sample.Alpha.g.cs";
    private const string BetaHint = "Sample.Beta.g.cs";
    private const string GammaHint = "Sample.Gamma.g.cs";

    private static readonly IncrementalStepRunReason[] CachedOrUnchanged =
        { IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged };

    [Fact]
    public void The_three_models_generate_cleanly()
    {
        var run = GeneratorHarness.Run(Alpha, Beta, Gamma);

        run.AssertNoDiagnostics();
        Assert.Equal(new[] { AlphaHint, BetaHint, GammaHint }, run.ModelSources.Keys);
        Assert.Equal(new[] { AlphaHint, BetaHint, GammaHint }, ReasonsByHint(run.Result, TrackingNames.ModelOutputs).Keys.OrderBy(k => k, StringComparer.Ordinal));
        Assert.All(ReasonsByHint(run.Result, TrackingNames.ModelOutputs).Values, r => Assert.Equal(IncrementalStepRunReason.New, r));
    }

    [Fact]
    public void Editing_one_models_attributes_rebuilds_that_model_only()
    {
        var first = GeneratorHarness.Run(Alpha, Beta, Gamma);
        first.AssertNoDiagnostics();
        var edited = Beta.Replace("[Linear(3)]", "[Linear(5)]", StringComparison.Ordinal);
        Assert.NotEqual(Beta, edited);

        var second = first.Rerun(GeneratorHarness.ReplaceSource(first.InputCompilation, GeneratorHarness.SourcePath(1), edited));

        second.AssertNoDiagnostics();
        AssertReasons(second.Result, TrackingNames.ModelDeclarations, BetaHint, IncrementalStepRunReason.Modified);
        AssertReasons(second.Result, TrackingNames.ModelDeclarations, AlphaHint, CachedOrUnchanged);
        AssertReasons(second.Result, TrackingNames.ModelDeclarations, GammaHint, CachedOrUnchanged);
        AssertReasons(second.Result, TrackingNames.ModelOutputs, BetaHint, IncrementalStepRunReason.Modified);
        AssertReasons(second.Result, TrackingNames.ModelOutputs, AlphaHint, CachedOrUnchanged);
        AssertReasons(second.Result, TrackingNames.ModelOutputs, GammaHint, CachedOrUnchanged);

        Assert.Contains("OutputShape => new long[] { 5 };", second.GeneratedSources[BetaHint], StringComparison.Ordinal);
        Assert.Contains("OutputShape => new long[] { 3 };", first.GeneratedSources[BetaHint], StringComparison.Ordinal);
        Assert.Equal(first.GeneratedSources[AlphaHint], second.GeneratedSources[AlphaHint]);
        Assert.Equal(first.GeneratedSources[GammaHint], second.GeneratedSources[GammaHint]);
    }

    [Fact]
    public void An_unrelated_new_file_rebuilds_nothing()
    {
        var first = GeneratorHarness.Run(Alpha, Beta, Gamma, MlpBlock);
        first.AssertNoDiagnostics();

        var second = first.Rerun(GeneratorHarness.AddSource(first.InputCompilation, """
            namespace Sample;

            public class Plain
            {
                public int Value { get; set; }
            }
            """));

        second.AssertNoDiagnostics();
        GeneratorHarness.AssertStepReasons(second.Result, TrackingNames.ModelDeclarations, CachedOrUnchanged);
        GeneratorHarness.AssertStepReasons(second.Result, TrackingNames.ModelOutputs, CachedOrUnchanged);
        GeneratorHarness.AssertStepReasons(second.Result, TrackingNames.BlockDeclarations, CachedOrUnchanged);
        GeneratorHarness.AssertStepReasons(second.Result, TrackingNames.BlockDiagnostics, CachedOrUnchanged);
        Assert.Equal(first.GeneratedSources, second.GeneratedSources);
    }

    [Fact]
    public void An_edit_inside_a_method_body_rebuilds_nothing()
    {
        const string withMethod = """
            namespace Sample;

            public static class Helpers
            {
                public static int Twice(int x) => x * 2;
            }
            """;
        var first = GeneratorHarness.Run(Alpha, Beta, withMethod);

        var second = first.Rerun(GeneratorHarness.ReplaceSource(
            first.InputCompilation, GeneratorHarness.SourcePath(2), withMethod.Replace("x * 2", "x + x", StringComparison.Ordinal)));

        second.AssertNoDiagnostics();
        GeneratorHarness.AssertStepReasons(second.Result, TrackingNames.ModelDeclarations, CachedOrUnchanged);
        GeneratorHarness.AssertStepReasons(second.Result, TrackingNames.ModelOutputs, CachedOrUnchanged);
    }

    [Fact]
    public void A_comment_that_moves_a_models_attributes_changes_its_declaration_but_not_its_output()
    {
        // The declaration holds source locations (for diagnostics), so it changes; the generated code does not.
        var first = GeneratorHarness.Run(Alpha, Beta, Gamma);

        var second = first.Rerun(GeneratorHarness.ReplaceSource(
            first.InputCompilation, GeneratorHarness.SourcePath(0), "// a new first line\n" + Alpha));

        second.AssertNoDiagnostics();
        AssertReasons(second.Result, TrackingNames.ModelDeclarations, AlphaHint, IncrementalStepRunReason.Modified);
        AssertReasons(second.Result, TrackingNames.ModelOutputs, AlphaHint, IncrementalStepRunReason.Unchanged);
        AssertReasons(second.Result, TrackingNames.ModelOutputs, BetaHint, CachedOrUnchanged);
        AssertReasons(second.Result, TrackingNames.ModelOutputs, GammaHint, CachedOrUnchanged);
        Assert.Equal(first.GeneratedSources, second.GeneratedSources);
    }

    private const string MlpBlock = """
        using Dsl;

        namespace Sample;

        [Block]
        [Linear(Channels.Same), ReLU]
        public partial class Mlp
        {
        }
        """;

    private const string ConvBlock = """
        using Dsl;

        namespace Sample;

        [Block]
        [Conv2d(Channels.Same, 3, Padding = 1), BatchNorm2d(Name = "bn")]
        [Skip("input", "bn")]
        public partial class Residual
        {
        }
        """;

    private const string UsesMlp = """
        using Dsl;

        namespace Sample;

        [Model(8)]
        [Use<Mlp>(Repeat = 2)]
        [Linear(2)]
        public partial class UsesMlp
        {
        }
        """;

    private const string UsesResidual = """
        using Dsl;

        namespace Sample;

        [Model(3, 6, 6)]
        [Use<Residual>]
        [GlobalAvgPool, Linear(2)]
        public partial class UsesResidual
        {
        }
        """;

    [Fact]
    public void Editing_a_block_rebuilds_the_models_that_use_it_only()
    {
        // Model0.cs: the block Mlp; Model1.cs: the block Residual; Model2.cs uses Mlp; Model3.cs uses Residual; Model4.cs: Alpha.
        var first = GeneratorHarness.Run(MlpBlock, ConvBlock, UsesMlp, UsesResidual, Alpha);
        first.AssertNoDiagnostics();
        var edited = MlpBlock.Replace("[Linear(Channels.Same), ReLU]", "[Linear(Channels.Double), ReLU]", StringComparison.Ordinal);
        Assert.NotEqual(MlpBlock, edited);

        var second = first.Rerun(GeneratorHarness.ReplaceSource(first.InputCompilation, GeneratorHarness.SourcePath(0), edited));

        second.AssertNoDiagnostics();
        AssertReasons(second.Result, TrackingNames.ModelDeclarations, "Sample.UsesMlp.g.cs", IncrementalStepRunReason.Modified);
        AssertReasons(second.Result, TrackingNames.ModelOutputs, "Sample.UsesMlp.g.cs", IncrementalStepRunReason.Modified);
        AssertReasons(second.Result, TrackingNames.ModelDeclarations, "Sample.UsesResidual.g.cs", CachedOrUnchanged);
        AssertReasons(second.Result, TrackingNames.ModelOutputs, "Sample.UsesResidual.g.cs", CachedOrUnchanged);
        AssertReasons(second.Result, TrackingNames.ModelOutputs, AlphaHint, CachedOrUnchanged);

        // Mlp doubles its width at each use now: 8 → 16 → 32.
        Assert.Contains("(\n                new Mlp_8(),\n                new Mlp_16());", second.GeneratedSources["Sample.UsesMlp.g.cs"], StringComparison.Ordinal);
        Assert.Contains("(\n                new Mlp_8(),\n                new Mlp_8());", first.GeneratedSources["Sample.UsesMlp.g.cs"], StringComparison.Ordinal);
        Assert.Equal(first.GeneratedSources["Sample.UsesResidual.g.cs"], second.GeneratedSources["Sample.UsesResidual.g.cs"]);
        Assert.Equal(first.GeneratedSources[AlphaHint], second.GeneratedSources[AlphaHint]);
    }

    [Fact]
    public void Editing_a_block_in_the_file_of_a_model_that_does_not_use_it_rebuilds_only_its_users()
    {
        // Model0.cs holds the model UsesResidual and the block Mlp (which only UsesMlp, in Model1.cs, uses).
        var first = GeneratorHarness.Run(UsesResidual + "\n" + MlpBlock.Replace("using Dsl;\n\nnamespace Sample;\n", "", StringComparison.Ordinal), UsesMlp, ConvBlock);
        first.AssertNoDiagnostics();
        var edited = first.InputCompilation.SyntaxTrees[0].ToString()
            .Replace("[Linear(Channels.Same), ReLU]", "[Linear(Channels.Same), GELU]", StringComparison.Ordinal);

        var second = first.Rerun(GeneratorHarness.ReplaceSource(first.InputCompilation, GeneratorHarness.SourcePath(0), edited));

        second.AssertNoDiagnostics();
        AssertReasons(second.Result, TrackingNames.ModelOutputs, "Sample.UsesMlp.g.cs", IncrementalStepRunReason.Modified);
        // The model shares the edited file, but its own declaration (locations included) is unchanged.
        AssertReasons(second.Result, TrackingNames.ModelDeclarations, "Sample.UsesResidual.g.cs", CachedOrUnchanged);
        AssertReasons(second.Result, TrackingNames.ModelOutputs, "Sample.UsesResidual.g.cs", CachedOrUnchanged);
        Assert.Contains("functional.gelu(", second.GeneratedSources["Sample.UsesMlp.g.cs"], StringComparison.Ordinal);
        Assert.Equal(first.GeneratedSources["Sample.UsesResidual.g.cs"], second.GeneratedSources["Sample.UsesResidual.g.cs"]);
    }

    [Fact]
    public void No_tracked_step_holds_compilations_symbols_syntax_or_locations()
    {
        var first = GeneratorHarness.Run(MlpBlock, ConvBlock, UsesMlp, UsesResidual, Alpha, Beta, Gamma);
        first.AssertNoDiagnostics();
        // Every named step ran; the walk below also covers result_ForAttributeWithMetadataName (the parsers' raw results).
        Assert.Equal(
            new[] { TrackingNames.BlockDeclarations, TrackingNames.BlockDiagnostics, TrackingNames.DocumentationUrl, TrackingNames.ModelDeclarations, TrackingNames.ModelOutputs, TrackingNames.NullableAnnotations }
                .OrderBy(n => n, StringComparer.Ordinal),
            GeneratorHarness.DeclaredTrackingNames());
        Assert.Subset(
            GeneratorHarness.TrackedStepNames(first.Result).ToHashSet(StringComparer.Ordinal),
            GeneratorHarness.DeclaredTrackingNames().ToHashSet(StringComparer.Ordinal));

        GeneratorHarness.AssertNoForbiddenTypes(first.Result);
        GeneratorHarness.AssertNoForbiddenTypes(
            first.Result,
            TrackingNames.ModelDeclarations,
            TrackingNames.ModelOutputs,
            TrackingNames.BlockDeclarations,
            TrackingNames.BlockDiagnostics,
            TrackingNames.NullableAnnotations);

        // After an edit too (modified outputs are new values).
        var second = first.Rerun(GeneratorHarness.ReplaceSource(
            first.InputCompilation, GeneratorHarness.SourcePath(0), MlpBlock.Replace("ReLU", "Tanh", StringComparison.Ordinal)));
        GeneratorHarness.AssertNoForbiddenTypes(second.Result);
    }

    [Fact]
    public void A_model_with_errors_holds_no_roslyn_objects_either()
    {
        // Diagnostics travel as DiagnosticInfo (plain data), not as Diagnostic or Location.
        var run = GeneratorHarness.Run(
            Alpha.Replace("[Linear(10)]", "[Conv2d(4, 3)]", StringComparison.Ordinal),
            ConvBlock.Replace("[Skip(\"input\", \"bn\")]", "[Skip(\"inptu\", \"bn\")]", StringComparison.Ordinal));

        Assert.NotEmpty(run.GeneratorDiagnostics);
        GeneratorHarness.AssertNoForbiddenTypes(run.Result);
    }

    [Fact]
    public void Rerunning_on_a_clone_of_the_compilation_reuses_everything()
    {
        var first = GeneratorHarness.Run(MlpBlock, ConvBlock, UsesMlp, UsesResidual, Alpha, Beta, Gamma);
        first.AssertNoDiagnostics();

        var second = first.Rerun(first.InputCompilation.Clone());

        second.AssertNoDiagnostics();
        GeneratorHarness.AssertStepReasons(second.Result, TrackingNames.ModelDeclarations, IncrementalStepRunReason.Cached);
        GeneratorHarness.AssertStepReasons(second.Result, TrackingNames.ModelOutputs, IncrementalStepRunReason.Cached);
        GeneratorHarness.AssertStepReasons(second.Result, TrackingNames.BlockDeclarations, IncrementalStepRunReason.Cached);
        GeneratorHarness.AssertStepReasons(second.Result, TrackingNames.BlockDiagnostics, IncrementalStepRunReason.Cached);
        GeneratorHarness.AssertStepReasons(second.Result, TrackingNames.DocumentationUrl, IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged);
        GeneratorHarness.AssertStepReasons(second.Result, TrackingNames.NullableAnnotations, IncrementalStepRunReason.Cached);
        Assert.Equal(5, GeneratorHarness.StepReasons(second.Result, TrackingNames.ModelOutputs).Count);
        Assert.Equal(2, GeneratorHarness.StepReasons(second.Result, TrackingNames.BlockDiagnostics).Count);
        Assert.Equal(first.GeneratedSources, second.GeneratedSources);
    }

    [Fact]
    public void Rerunning_on_the_same_compilation_reuses_everything()
    {
        var first = GeneratorHarness.Run(Alpha, Beta, Gamma);

        var second = first.Rerun(first.InputCompilation);

        GeneratorHarness.AssertStepReasons(second.Result, TrackingNames.ModelDeclarations, IncrementalStepRunReason.Cached);
        GeneratorHarness.AssertStepReasons(second.Result, TrackingNames.ModelOutputs, IncrementalStepRunReason.Cached);
        Assert.Equal(first.GeneratedSources, second.GeneratedSources);
    }

    [Fact]
    public void A_language_version_change_rebuilds_the_models_only_when_it_changes_the_nullable_annotations()
    {
        var first = GeneratorHarness.Run(Alpha, Beta, Gamma);
        Assert.All(first.GeneratedSources.Values, s => Assert.Contains("#nullable enable", s, StringComparison.Ordinal));

        // C# 9 still has annotations: the same code, nothing rebuilt.
        var second = RunAt(first, LanguageVersion.CSharp9);
        GeneratorHarness.AssertStepReasons(second.Result, TrackingNames.NullableAnnotations, IncrementalStepRunReason.Unchanged);
        GeneratorHarness.AssertStepReasons(second.Result, TrackingNames.ModelOutputs, CachedOrUnchanged);
        Assert.Equal(first.GeneratedSources, second.GeneratedSources);

        // C# 7.3 (netstandard2.0's default) has none: every model is rebuilt without them.
        var third = RunAt(second, LanguageVersion.CSharp7_3);
        GeneratorHarness.AssertStepReasons(third.Result, TrackingNames.NullableAnnotations, IncrementalStepRunReason.Modified);
        GeneratorHarness.AssertStepReasons(third.Result, TrackingNames.ModelOutputs, IncrementalStepRunReason.Modified);
        Assert.Equal(first.GeneratedSources.Keys, third.GeneratedSources.Keys);
        Assert.All(third.GeneratedSources.Values, s => Assert.DoesNotContain("#nullable", s, StringComparison.Ordinal));
    }

    // ---- Helpers ----

    /// <summary>Reruns a run's driver with every tree, and the driver's parse options, at another language version.</summary>
    private static GeneratorRun RunAt(GeneratorRun previous, LanguageVersion version)
    {
        var options = GeneratorHarness.ParseOptions.WithLanguageVersion(version);
        // All at once: a compilation's trees must share one language version.
        var trees = previous.InputCompilation.SyntaxTrees.Select(t => CSharpSyntaxTree.ParseText(t.GetText(), options, t.FilePath)).ToList();
        var compilation = previous.InputCompilation.RemoveAllSyntaxTrees().AddSyntaxTrees(trees);

        return GeneratorHarness.Run(previous.Driver.WithUpdatedParseOptions(options), compilation);
    }

    /// <summary>
    /// The reason of each output of a tracked step, keyed by the model's hint name (<see cref="GeneratorOutput.HintName"/>
    /// or <see cref="ModelDeclaration.HintName"/>). Fails if a model has no output or several.
    /// </summary>
    private static Dictionary<string, IncrementalStepRunReason> ReasonsByHint(GeneratorDriverRunResult result, string trackingName)
    {
        var reasons = new Dictionary<string, IncrementalStepRunReason>(StringComparer.Ordinal);
        var steps = result.Results
            .SelectMany(r => r.TrackedSteps.TryGetValue(trackingName, out var s) ? s : ImmutableArray<IncrementalGeneratorRunStep>.Empty)
            .ToList();
        if (steps.Count == 0)
        {
            throw new XunitException($"No tracked step \"{trackingName}\".\n" + GeneratorHarness.DescribeSteps(result));
        }

        foreach (var step in steps)
        {
            foreach (var (value, reason) in step.Outputs)
            {
                var hint = value switch
                {
                    GeneratorOutput output => output.HintName ?? throw new XunitException($"An output of \"{trackingName}\" has no hint name (a model with errors?): {value}"),
                    ModelDeclaration declaration => declaration.HintName,
                    _ => throw new XunitException($"Unexpected output of \"{trackingName}\": {value?.GetType().FullName}"),
                };
                if (!reasons.TryAdd(hint, reason))
                {
                    throw new XunitException($"Two outputs of \"{trackingName}\" belong to {hint}.\n" + GeneratorHarness.DescribeSteps(result));
                }
            }
        }

        return reasons;
    }

    private static void AssertReasons(GeneratorDriverRunResult result, string trackingName, string hintName, params IncrementalStepRunReason[] allowed)
    {
        var reasons = ReasonsByHint(result, trackingName);
        if (!reasons.TryGetValue(hintName, out var reason))
        {
            throw new XunitException(
                $"Step \"{trackingName}\" has no output for {hintName}; it has {string.Join(", ", reasons.Keys)}.\n" + GeneratorHarness.DescribeSteps(result));
        }

        if (Array.IndexOf(allowed, reason) < 0)
        {
            throw new XunitException(
                $"Step \"{trackingName}\" output for {hintName} is {reason}, expected {string.Join(" or ", allowed)}.\n" +
                GeneratorHarness.DescribeSteps(result));
        }
    }
}
