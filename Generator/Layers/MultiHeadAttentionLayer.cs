using System.Collections.Generic;
using Dsl.Generator.Diagnostics;
using Dsl.Generator.Shapes;
using Dsl.Generator.Shapes.Symbolic;

namespace Dsl.Generator.Layers;

/// <summary>
/// <c>[MultiHeadAttention(heads)]</c>: self-attention over a sequence <c>[N, T, D]</c> of any length, optionally causal.
/// Params 4D² + 4D (torch.nn.MultiheadAttention's in_proj and out_proj, same state_dict names);
/// MACs 4·T·D² (the projections) + 2·T²·D (QKᵀ and the weighted sum of V).
/// The generated module computes attention with scaled_dot_product_attention, so no attention weights are
/// materialised for nobody to use.
/// </summary>
public sealed class MultiHeadAttentionLayer : LayerDefinition
{
    public override string Kind => "MultiHeadAttention";

    public override string NamePrefix => "attn";

    public override Layout? PreferredInputLayout => Layout.Sequence;

    public override IEnumerable<DiagnosticInfo> Validate(LayerArguments args, string name)
    {
        foreach (var d in LayerRules.AtLeast(args, name, Kind, "Heads", 1, "the number of heads"))
        {
            yield return d;
        }

        foreach (var d in LayerRules.Probability(args, name, Kind, "Dropout"))
        {
            yield return d;
        }
    }

    public override LayerResult Infer(LayerContext c)
    {
        long width = 0;
        var error = LayerRules.RequireLayout(c, Kind, "", Layout.Sequence) ?? LayerRules.InputWidth(c, Kind, out width);
        if (error is not null)
        {
            return error;
        }

        var heads = c.Arguments.Int("Heads");
        if (width % heads != 0)
        {
            return LayerResult.Fail(DiagnosticInfo.Create(DiagnosticDescriptors.HeadsDoNotDivide, c.Arguments.Location("Heads"),
                c.Name, heads.ToString(), width.ToString(), c.Input.ToString()));
        }

        var t = c.Input[0];
        var macs = (t * checked(4 * width * width)) + (t * t * (2 * width));
        return LayerResult.Ok(c.Input, checked((4 * width * width) + (4 * width)), macs, width, width);
    }

    public override TorchSharpField? TorchSharpModule(LayerInstance l)
    {
        var a = l.Arguments;
        return new("SelfAttention",
            $"new SelfAttention({l.Result.InChannels}, {a.Int("Heads")}, causal: {(a.Bool("Causal") ? "true" : "false")}, dropout: {LayerRules.Real(a.Real("Dropout"))})");
    }

    public override string TorchSharpForward(LayerInstance l, string x) => $"this.{l.Field}.call({x})";

    public override IEnumerable<(string Name, string Code)> TorchSharpHelpers(LayerInstance l)
    {
        yield return ("SelfAttention", $$"""
            /// <summary>
            /// Multi-head self-attention over [N, T, D] for any T, with torch.nn.MultiheadAttention's parameters and
            /// state_dict names (in_proj_weight, in_proj_bias, out_proj.weight, out_proj.bias) and initialisation.
            /// Attention runs through scaled_dot_product_attention: no attention weights are materialised.
            /// </summary>
            private sealed class SelfAttention : global::TorchSharp.torch.nn.Module<{{Torch}}.Tensor, {{Torch}}.Tensor>
            {
                private readonly global::TorchSharp.Modules.Parameter in_proj_weight;
                private readonly global::TorchSharp.Modules.Parameter in_proj_bias;
                private readonly global::TorchSharp.Modules.Linear out_proj;
                private readonly long _heads;
                private readonly bool _causal;
                private readonly double _dropout;

                public SelfAttention(long width, long heads, bool causal, double dropout) : base("MultiHeadAttention")
                {
                    _heads = heads;
                    _causal = causal;
                    _dropout = dropout;
                    in_proj_weight = new global::TorchSharp.Modules.Parameter({{Torch}}.empty(3 * width, width));
                    in_proj_bias = new global::TorchSharp.Modules.Parameter({{Torch}}.zeros(3 * width));
                    out_proj = {{Nn}}.Linear(width, width);
                    {{Nn}}.init.xavier_uniform_(in_proj_weight);
                    {{Nn}}.init.zeros_({{l.NotNull("out_proj.bias")}});
                    RegisterComponents();
                }

                public override {{Torch}}.Tensor forward({{Torch}}.Tensor x)
                {
                    using ({{Torch}}.NewDisposeScope())
                    {
                        long n = x.shape[0], t = x.shape[1], d = x.shape[2];
                        var qkv = {{Functional}}.linear(x, in_proj_weight, in_proj_bias).view(n, t, 3, _heads, d / _heads).permute(2, 0, 3, 1, 4);
                        var attended = {{Functional}}.scaled_dot_product_attention(qkv[0], qkv[1], qkv[2], p: training ? _dropout : 0.0, is_casual: _causal);
                        var merged = attended.transpose(1, 2).reshape(n, t, d);
                        return out_proj.call(merged).MoveToOuterDisposeScope();
                    }
                }
            }
            """);
    }

    public override string? PyTorchModule(LayerInstance l)
    {
        var a = l.Arguments;
        return $"SelfAttention({l.Result.InChannels}, {a.Int("Heads")}, causal={PyTorchText.Bool(a.Bool("Causal"))}, dropout={PyTorchText.Real(a.Real("Dropout"))})";
    }

    public override string PyTorchForward(LayerInstance l, string x) => $"self.{l.Field}({x})";

    /// <summary>The C# SelfAttention's twin; the attention is written out (torch 1.13 has no scaled_dot_product_attention), with its default scale 1/√(D/heads).</summary>
    public override IEnumerable<(string Name, string Code)> PyTorchHelpers(LayerInstance l)
    {
        yield return ("SelfAttention", """"
            class SelfAttention(nn.Module):
                """Multi-head self-attention over [N, T, D] for any T, with nn.MultiheadAttention's parameter names and initialisation."""

                def __init__(self, width, heads, causal, dropout):
                    super().__init__()
                    self.heads = heads
                    self.causal = causal
                    self.dropout = dropout
                    self.in_proj_weight = nn.Parameter(torch.empty(3 * width, width))
                    self.in_proj_bias = nn.Parameter(torch.zeros(3 * width))
                    self.out_proj = nn.Linear(width, width)
                    nn.init.xavier_uniform_(self.in_proj_weight)
                    nn.init.zeros_(self.out_proj.bias)

                def forward(self, x):
                    n, t, d = x.shape
                    qkv = F.linear(x, self.in_proj_weight, self.in_proj_bias).view(n, t, 3, self.heads, d // self.heads).permute(2, 0, 3, 1, 4)
                    q, k, v = qkv[0], qkv[1], qkv[2]
                    scores = torch.matmul(q, k.transpose(-2, -1)) / math.sqrt(d // self.heads)
                    if self.causal:
                        future = torch.ones(t, t, dtype=torch.bool, device=x.device).triu(1)
                        scores = scores.masked_fill(future, float("-inf"))
                    weights = F.dropout(torch.softmax(scores, dim=-1), p=self.dropout if self.training else 0.0)
                    attended = torch.matmul(weights, v)
                    return self.out_proj(attended.transpose(1, 2).reshape(n, t, d))
            """");
    }

    /// <summary>
    /// The generated SelfAttention's forward as ONNX nodes (opset 17 has no attention op): the joint projection, heads
    /// split out as [3, N, H, T, d] (q, k, v each kept with a leading axis of 1), softmax(q·kᵀ/√d (+ causal mask))·v,
    /// heads merged, the output projection. The causal mask adds −1e30 above the diagonal (exp gives exactly 0, as −∞ would).
    /// </summary>
    public override string Onnx(LayerInstance l, OnnxBuilder g, string x)
    {
        var a = l.Arguments;
        var width = l.Result.InChannels;
        long heads = a.Int("Heads"), headWidth = width / heads;
        var f = l.Field;
        var qkv = g.Linear(f + "_qkv", x, f + ".in_proj_weight", f + ".in_proj_bias");
        var split = g.Node("Reshape", f + "_heads", new[] { qkv, g.Ints(0, 0, 3, heads, headWidth) });
        var parts = g.Node("Transpose", f + "_parts", new[] { split }, OnnxAttr.Ints("perm", 2, 0, 3, 1, 4));
        var q = g.Node("Gather", f + "_q", new[] { parts, g.Ints(0) }, OnnxAttr.Int("axis", 0));
        var k = g.Node("Gather", f + "_k", new[] { parts, g.Ints(1) }, OnnxAttr.Int("axis", 0));
        var v = g.Node("Gather", f + "_v", new[] { parts, g.Ints(2) }, OnnxAttr.Int("axis", 0));
        var kt = g.Node("Transpose", f + "_kt", new[] { k }, OnnxAttr.Ints("perm", 0, 1, 2, 4, 3));
        var dots = g.Node("MatMul", f + "_dots", new[] { q, kt });
        var scores = g.Node("Mul", f + "_scores", new[] { dots, g.Floats(1 / System.Math.Sqrt(headWidth)) });
        if (a.Bool("Causal"))
        {
            var shape = g.Node("Shape", f + "_shape", new[] { x });
            var length = g.Node("Slice", f + "_length", new[] { shape, g.Ints(1), g.Ints(2) });
            var square = g.Node("Concat", f + "_square", new[] { length, length }, OnnxAttr.Int("axis", 0));
            var ones = g.Node("Expand", f + "_ones", new[] { g.Floats(1), square });
            var above = g.Node("Trilu", f + "_above", new[] { ones, g.Scalar(1) }, OnnxAttr.Int("upper", 1));
            var mask = g.Node("Mul", f + "_mask", new[] { above, g.Floats(-1e30) });
            scores = g.Node("Add", f + "_masked", new[] { scores, mask });
        }

        var weights = g.Node("Softmax", f + "_weights", new[] { scores }, OnnxAttr.Int("axis", -1));
        var attended = g.Node("MatMul", f + "_attended", new[] { weights, v });
        var positions = g.Node("Transpose", f + "_positions", new[] { attended }, OnnxAttr.Ints("perm", 1, 3, 0, 2, 4));
        var merged = g.Node("Reshape", f + "_merged", new[] { positions, g.Ints(0, 0, width) });
        return g.Linear(f, merged, f + ".out_proj.weight", f + ".out_proj.bias");
    }
}
