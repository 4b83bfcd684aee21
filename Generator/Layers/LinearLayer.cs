using System.Collections.Generic;
using Dsl.Generator.Shapes;
using Dsl.Generator.Shapes.Symbolic;
using static Dsl.Generator.Layers.LayerRules;

namespace Dsl.Generator.Layers;

/// <summary><c>[Linear(out)]</c> on the last dimension of a vector or sequence: params in·out (+ out), MACs in·out per position.</summary>
public sealed class LinearLayer : LayerDefinition
{
    public override string Kind => "Linear";

    public override string NamePrefix => "fc";

    public override Layout? PreferredInputLayout => Layout.Sequence;

    public override IEnumerable<Diagnostics.DiagnosticInfo> Validate(LayerArguments args, string name) => Channels(args, name, Kind, "OutFeatures");

    public override LayerResult Infer(LayerContext c)
    {
        long inFeatures = 0, outFeatures = 0;
        var error = RequireLayout(c, Kind, c.Input.Rank == 3 ? "; add Flatten or GlobalAvgPool before it" : "", Layout.Vector, Layout.Sequence)
            ?? InputWidth(c, Kind, out inFeatures)
            ?? ResolveChannels(c, Kind, "OutFeatures", inFeatures, out outFeatures);
        if (error is not null)
        {
            return error;
        }

        var weights = checked(inFeatures * outFeatures);
        return LayerResult.Ok(c.Input.WithDim(c.Input.Rank - 1, Dim.Of(outFeatures)),
            weights + (c.Arguments.Bool("Bias") ? outFeatures : 0), c.Input.Positions * weights, inFeatures, outFeatures);
    }

    public override TorchSharpField? TorchSharpModule(LayerInstance l) =>
        new("global::TorchSharp.Modules.Linear", $"{Nn}.Linear({l.Result.InChannels}, {l.Result.OutChannels}{NamedBool("hasBias", l.Arguments.Bool("Bias"))})");

    public override string TorchSharpForward(LayerInstance l, string x) => $"this.{l.Field}.call({x})";

    public override string? PyTorchModule(LayerInstance l) =>
        $"nn.Linear({l.Result.InChannels}, {l.Result.OutChannels}{PyTorchText.NamedBool("bias", l.Arguments.Bool("Bias"))})";

    public override string PyTorchForward(LayerInstance l, string x) => $"self.{l.Field}({x})";

    public override string Onnx(LayerInstance l, OnnxBuilder g, string x) =>
        g.Linear(l.Field, x, l.Field + ".weight", l.Arguments.Bool("Bias") ? l.Field + ".bias" : null);
}
