using System.Collections.Generic;
using System.Linq;
using System.Runtime.CompilerServices;
using Dsl.Generator.Common;
using Dsl.Generator.Graph;

namespace Dsl.Generator.Emit;

/// <summary>
/// BatchNorm folded into the convolution before it, for inference: the generated <c>fuse()</c>. In evaluation a
/// BatchNorm is a per-channel affine map, y = (x − μ)·γ/√(σ² + ε) + β, so after a convolution it can be moved into
/// the convolution's weights and bias, and the forward pass skips it (<c>ForwardFused</c>). Only the generator knows
/// which pairs qualify: the BatchNorm directly follows the convolution, and nothing else reads the convolution's raw
/// output (no skip starts at it, none merges into it).
/// </summary>
public static class BatchNormFolding
{
    public const string FuseMethod = "fuse";
    public const string FusedForward = "ForwardFused";
    public const string FusedFlag = "_fused";
    public const string Helper = "FoldBatchNorm";

    // Each body is asked once: a block used many times has one specialisation per input shape, asked for by every
    // use and repetition, by its parent's fuse() and by its own class.
    private static readonly ConditionalWeakTable<PlannedBody, HashSet<string>> Folded = new();
    private static readonly ConditionalWeakTable<PlannedBody, StrongBox<bool>> Fusing = new();

    /// <summary>The BatchNorm layers of a body that <c>fuse()</c> folds into the convolution before them.</summary>
    public static HashSet<string> FoldedNorms(PlannedBody body) => Folded.GetValue(body, FindFoldedNorms);

    private static HashSet<string> FindFoldedNorms(PlannedBody body)
    {
        var skipSources = new HashSet<string>(body.Layers.SelectMany(l => l.Merges).Select(m => m.From), System.StringComparer.Ordinal);
        var folded = new HashSet<string>(System.StringComparer.Ordinal);
        for (var i = 1; i < body.Layers.Count; i++)
        {
            var before = body.Layers[i - 1];
            if (body.Layers[i].Definition is { FoldsIntoLayerBefore: true } && before.Definition is { AbsorbsFollowingNorm: true }
                && before.Merges.Count == 0 && !skipSources.Contains(before.Name))
            {
                folded.Add(body.Layers[i].Name);
            }
        }

        return folded;
    }

    /// <summary>Whether a body gets <c>fuse()</c>: it folds a BatchNorm itself (its <see cref="FoldedNorms"/>), or one of its blocks does.</summary>
    public static bool Fuses(PlannedBody body) =>
        Fusing.GetValue(body, b => new StrongBox<bool>(FoldedNorms(b).Count > 0 || b.Layers.Any(l => l.Blocks.Any(block => Fuses(block.Body))))).Value;

    /// <summary>Writes the flag, <c>fuse()</c> and the helper it calls; the caller writes <c>ForwardFused</c> when the body folds a BatchNorm itself.</summary>
    public static void WriteFuse(CodeWriter w, string className, PlannedBody body, bool isModel, IDictionary<string, string> helpers, bool nullable)
    {
        var folded = FoldedNorms(body);
        w.Line();
        w.Line($"private bool {FusedFlag};");
        w.Line();
        w.Line(isModel
            ? "/// <summary>For inference: folds each BatchNorm that directly follows a convolution into that convolution's weights and bias (its running statistics and affine map), so that forward skips it. The outputs stay those of the unfused network up to float rounding. Call it in evaluation mode, after loading the weights; a fused network cannot go back to training (forward then throws), and its state_dict holds the folded weights (and a bias for each such convolution). Calling it again does nothing.</summary>"
            : "/// <summary>Folds this block's BatchNorms into the convolutions before them, and those of its own blocks (see the network's <c>fuse()</c>).</summary>");
        w.Open($"public void {FuseMethod}()");
        if (isModel)
        {
            w.Open("if (this.training)");
            w.Line($"throw new global::System.InvalidOperationException({CSharpText.Literal($"{className}.fuse() folds the BatchNorms' running statistics into the convolutions, which is for inference: call eval() first.")});");
            w.Close();
            w.Line();
        }

        w.Open($"if ({FusedFlag})");
        w.Line("return;");
        w.Close();
        w.Line();
        for (var i = 1; i < body.Layers.Count; i++)
        {
            if (folded.Contains(body.Layers[i].Name))
            {
                w.Line($"{Helper}(this.{ModelEmitter.Id(body.Layers[i - 1].Name)}, this.{ModelEmitter.Id(body.Layers[i].Name)});");
            }
        }

        foreach (var layer in body.Layers)
        {
            for (var r = 0; r < layer.Blocks.Count; r++)
            {
                if (Fuses(layer.Blocks[r].Body))
                {
                    w.Line(layer.Blocks.Count == 1
                        ? $"this.{ModelEmitter.Id(layer.Name)}.{FuseMethod}();"
                        : $"(({layer.Blocks[r].ClassName})this.{ModelEmitter.Id(layer.Name)}[{r}]).{FuseMethod}();");
                }
            }
        }

        w.Line($"{FusedFlag} = true;");
        w.Close();
        if (folded.Count > 0)
        {
            helpers[Helper] = HelperCode(nullable);
        }
    }

    /// <summary>Every generated network has <c>fuse()</c>, so inference code can call it on any; this one has nothing to fold.</summary>
    public static void WriteNothingToFuse(CodeWriter w)
    {
        w.Line();
        w.Line("/// <summary>For inference: folds each BatchNorm that directly follows a convolution into it. This network has none, so it does nothing.</summary>");
        w.Open($"public void {FuseMethod}()");
        w.Close();
    }

    /// <summary>The first lines of a forward pass of a class with <c>fuse()</c>: refuse training once fused, and take the fused path.</summary>
    public static void WriteForwardSwitch(CodeWriter w, string className, bool isModel, bool hasFusedForward)
    {
        if (isModel)
        {
            w.Open($"if ({FusedFlag} && this.training)");
            w.Line($"throw new global::System.InvalidOperationException({CSharpText.Literal($"{className} was fused for inference (fuse()): its BatchNorms are folded into the convolutions, so it cannot train; train an unfused network and fuse a copy for inference.")});");
            w.Close();
            w.Line();
        }

        if (hasFusedForward)
        {
            w.Open($"if ({FusedFlag})");
            w.Line($"return {FusedForward}(input);");
            w.Close();
            w.Line();
        }
    }

    // C# 7.3 where the consumer's C# is (no property patterns); null-forgiving operators only where it has annotations.
    private static string HelperCode(bool nullable)
    {
        var bang = nullable ? "!" : "";
        return $$"""
        /// <summary>
        /// Folds an evaluation-mode BatchNorm into the convolution before it: with s = γ / √(σ² + ε) per output channel,
        /// the weight becomes w·s and the bias (b − μ)·s + β (a bias is added where the convolution had none).
        /// </summary>
        private static void FoldBatchNorm(global::TorchSharp.Modules.Convolution conv, global::TorchSharp.Modules.NormBase norm)
        {
            using (global::TorchSharp.torch.no_grad())
            {
                var weight = conv.weight{{bang}};
                var shape = new long[weight.dim()];
                shape[0] = -1;
                for (var i = 1; i < shape.Length; i++)
                {
                    shape[i] = 1;
                }

                using (var scale = norm.running_var{{bang}}.add(norm.eps).rsqrt_())
                {
                    if (!(norm.weight is null))
                    {
                        scale.mul_(norm.weight);
                    }

                    using (var perChannel = scale.view(shape))
                    {
                        weight.mul_(perChannel);
                    }

                    var bias = conv.bias is null ? norm.running_mean{{bang}}.neg() : conv.bias.sub_(norm.running_mean{{bang}});
                    bias.mul_(scale);
                    if (!(norm.bias is null))
                    {
                        bias.add_(norm.bias);
                    }

                    if (conv.bias is null)
                    {
                        conv.bias = global::TorchSharp.torch.nn.Parameter(bias, weight.requires_grad);
                    }
                }
            }
        }
        """;
    }
}
