using System.Collections.Generic;
using System.Linq;
using Dsl.Generator.Shapes;
using Dsl.Generator.Shapes.Symbolic;

namespace Dsl.Generator.Layers;

/// <summary>
/// Batch normalisation over channels: params 2C (weight, bias; running statistics are buffers), MACs one per element
/// (the affine γ·x̂ + β).
/// </summary>
public abstract class BatchNormLayer : LayerDefinition
{
    protected abstract Layout[] Accepted { get; }

    public override string NamePrefix => "bn";

    public override bool FoldsIntoLayerBefore => true;

    public override LayerResult Infer(LayerContext c)
    {
        long channels = 0;
        var error = LayerRules.RequireLayout(c, Kind, "", Accepted) ?? LayerRules.InputWidth(c, Kind, out channels);
        if (error is not null)
        {
            return error;
        }

        return LayerResult.Ok(c.Input, 2 * channels, c.Input.Elements, channels, channels);
    }

    public override TorchSharpField? TorchSharpModule(LayerInstance l) => new($"global::TorchSharp.Modules.{Kind}", $"{Nn}.{Kind}({l.Result.InChannels})");

    public override string TorchSharpForward(LayerInstance l, string x) => $"this.{l.Field}.call({x})";

    public override string? PyTorchModule(LayerInstance l) => $"nn.{Kind}({l.Result.InChannels})";

    public override string PyTorchForward(LayerInstance l, string x) => $"self.{l.Field}({x})";

    /// <summary>BatchNormalization with the running statistics as initializers: ONNX's inference form (training_mode 0).</summary>
    public override string Onnx(LayerInstance l, OnnxBuilder g, string x) =>
        g.Node("BatchNormalization", l.Field,
            new[] { x, g.Weight(l.Field + ".weight"), g.Weight(l.Field + ".bias"), g.Weight(l.Field + ".running_mean"), g.Weight(l.Field + ".running_var") },
            OnnxAttr.Float("epsilon", 1e-5));
}

/// <summary><c>[BatchNorm2d]</c> over an image.</summary>
public sealed class BatchNorm2dLayer : BatchNormLayer
{
    public override string Kind => "BatchNorm2d";

    protected override Layout[] Accepted => new[] { Layout.Image };
}

/// <summary><c>[BatchNorm1d]</c> over a signal <c>[N, C, L]</c> (or features <c>[N, C]</c>).</summary>
public sealed class BatchNorm1dLayer : BatchNormLayer
{
    public override string Kind => "BatchNorm1d";

    public override Layout? PreferredInputLayout => Layout.Signal;

    protected override Layout[] Accepted => new[] { Layout.Signal, Layout.Vector };
}

/// <summary><c>[LayerNorm]</c> over the last dimension of a vector or sequence: params 2D, MACs one per element.</summary>
public sealed class LayerNormLayer : LayerDefinition
{
    public override string Kind => "LayerNorm";

    public override string NamePrefix => "ln";

    public override Layout? PreferredInputLayout => Layout.Sequence;

    public override LayerResult Infer(LayerContext c)
    {
        long width = 0;
        var error = LayerRules.RequireLayout(c, Kind, "", Layout.Vector, Layout.Sequence) ?? LayerRules.InputWidth(c, Kind, out width);
        return error ?? LayerResult.Ok(c.Input, 2 * width, c.Input.Elements, width, width);
    }

    public override TorchSharpField? TorchSharpModule(LayerInstance l) => new("global::TorchSharp.Modules.LayerNorm", $"{Nn}.LayerNorm({l.Result.InChannels})");

    public override string TorchSharpForward(LayerInstance l, string x) => $"this.{l.Field}.call({x})";

    public override string? PyTorchModule(LayerInstance l) => $"nn.LayerNorm({l.Result.InChannels})";

    public override string PyTorchForward(LayerInstance l, string x) => $"self.{l.Field}({x})";

    public override string Onnx(LayerInstance l, OnnxBuilder g, string x) =>
        g.Node("LayerNormalization", l.Field, new[] { x, g.Weight(l.Field + ".weight"), g.Weight(l.Field + ".bias") },
            OnnxAttr.Int("axis", -1), OnnxAttr.Float("epsilon", 1e-5));
}

/// <summary><c>[GroupNorm(groups)]</c> over the channels of an image or signal: params 2C, MACs one per element.</summary>
public sealed class GroupNormLayer : LayerDefinition
{
    public override string Kind => "GroupNorm";

    public override string NamePrefix => "gn";

    public override Layout? PreferredInputLayout => Layout.Signal;

    public override IEnumerable<Diagnostics.DiagnosticInfo> Validate(LayerArguments args, string name) =>
        LayerRules.AtLeast(args, name, Kind, "Groups", 1, "the number of groups");

    public override LayerResult Infer(LayerContext c)
    {
        long channels = 0;
        var error = LayerRules.RequireLayout(c, Kind, "", Layout.Image, Layout.Signal) ?? LayerRules.InputWidth(c, Kind, out channels);
        if (error is not null)
        {
            return error;
        }

        var groups = c.Arguments.Int("Groups");
        if (channels % groups != 0)
        {
            return LayerResult.Fail(LayerRules.Invalid(c.Arguments, c.Name, Kind, "Groups",
                $"Groups = {groups} must divide the input's {channels} channels"));
        }

        return LayerResult.Ok(c.Input, 2 * channels, c.Input.Elements, channels, channels);
    }

    /// <summary>Through <c>WithAffineIdentity</c>: TorchSharp 0.107 leaves GroupNorm's weight and bias uninitialised (torch.empty).</summary>
    public override TorchSharpField? TorchSharpModule(LayerInstance l) =>
        new("global::TorchSharp.Modules.GroupNorm", $"WithAffineIdentity({Nn}.GroupNorm({l.Arguments.Int("Groups")}, {l.Result.InChannels}))");

    public override string TorchSharpForward(LayerInstance l, string x) => $"this.{l.Field}.call({x})";

    public override IEnumerable<(string Name, string Code)> TorchSharpHelpers(LayerInstance l)
    {
        yield return ("WithAffineIdentity", $$"""
            /// <summary>PyTorch's GroupNorm initialisation (weight 1, bias 0), which TorchSharp 0.107's constructor leaves out.</summary>
            private static global::TorchSharp.Modules.GroupNorm WithAffineIdentity(global::TorchSharp.Modules.GroupNorm norm)
            {
                {{Nn}}.init.ones_({{l.NotNull("norm.weight")}});
                {{Nn}}.init.zeros_({{l.NotNull("norm.bias")}});
                return norm;
            }
            """);
    }

    public override string? PyTorchModule(LayerInstance l) => $"nn.GroupNorm({l.Arguments.Int("Groups")}, {l.Result.InChannels})";

    public override string PyTorchForward(LayerInstance l, string x) => $"self.{l.Field}({x})";

    /// <summary>
    /// GroupNormalization is opset 18, so: the groups as instances ([N, G, rest]) through InstanceNormalization, back to
    /// the input's shape, then the per-channel affine.
    /// </summary>
    public override string Onnx(LayerInstance l, OnnxBuilder g, string x)
    {
        var groups = l.Arguments.Int("Groups");
        var channels = l.Result.InChannels;
        var shape = g.Node("Shape", l.Field + "_shape", new[] { x });
        var grouped = g.Node("Reshape", l.Field + "_grouped", new[] { x, g.Ints(0, groups, -1) });
        var unit = Enumerable.Repeat(1.0, groups).ToArray();
        var normalised = g.Node("InstanceNormalization", l.Field + "_normalised",
            new[] { grouped, g.Floats(unit), g.Floats(new double[groups]) }, OnnxAttr.Float("epsilon", 1e-5));
        var restored = g.Node("Reshape", l.Field + "_restored", new[] { normalised, shape });
        var perChannel = l.Input.Layout == Layout.Image ? g.Ints(channels, 1, 1) : g.Ints(channels, 1);
        var weight = g.Node("Reshape", l.Field + "_weight", new[] { g.Weight(l.Field + ".weight"), perChannel });
        var bias = g.Node("Reshape", l.Field + "_bias", new[] { g.Weight(l.Field + ".bias"), perChannel });
        var scaled = g.Node("Mul", l.Field + "_scaled", new[] { restored, weight });
        return g.Node("Add", l.Field, new[] { scaled, bias });
    }
}
