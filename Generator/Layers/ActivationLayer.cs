using System.Collections.Generic;
using Dsl.Generator.Diagnostics;

namespace Dsl.Generator.Layers;

/// <summary>An element-wise function: any shape and layout in, the same out; no parameters, no multiply-accumulates.</summary>
public abstract class ActivationLayer : LayerDefinition
{
    public override string NamePrefix => Kind.ToLowerInvariant();

    public override LayerResult Infer(LayerContext c) => LayerResult.Ok(c.Input);

    public override TorchSharpField? TorchSharpModule(LayerInstance l) => null;

    public override string? PyTorchModule(LayerInstance l) => null;
}

/// <summary><c>[ReLU]</c>.</summary>
public sealed class ReLULayer : ActivationLayer
{
    public override string Kind => "ReLU";

    public override string TorchSharpForward(LayerInstance l, string x) => $"{Functional}.relu({x})";

    public override string PyTorchForward(LayerInstance l, string x) => $"F.relu({x})";

    public override string Onnx(LayerInstance l, OnnxBuilder g, string x) => g.Node("Relu", l.Field, new[] { x });
}

/// <summary><c>[GELU]</c>.</summary>
public sealed class GELULayer : ActivationLayer
{
    public override string Kind => "GELU";

    public override string TorchSharpForward(LayerInstance l, string x) => $"{Functional}.gelu({x})";

    public override string PyTorchForward(LayerInstance l, string x) => $"F.gelu({x})";

    /// <summary>Gelu is opset 20, so the exact form: x · ½ · (1 + erf(x / √2)).</summary>
    public override string Onnx(LayerInstance l, OnnxBuilder g, string x)
    {
        var scaled = g.Node("Div", l.Field + "_scaled", new[] { x, g.Floats(System.Math.Sqrt(2)) });
        var erf = g.Node("Erf", l.Field + "_erf", new[] { scaled });
        var shifted = g.Node("Add", l.Field + "_shifted", new[] { erf, g.Floats(1) });
        var product = g.Node("Mul", l.Field + "_product", new[] { x, shifted });
        return g.Node("Mul", l.Field, new[] { product, g.Floats(0.5) });
    }
}

/// <summary><c>[Sigmoid]</c>.</summary>
public sealed class SigmoidLayer : ActivationLayer
{
    public override string Kind => "Sigmoid";

    public override string TorchSharpForward(LayerInstance l, string x) => $"{Torch}.sigmoid({x})";

    public override string PyTorchForward(LayerInstance l, string x) => $"torch.sigmoid({x})";

    public override string Onnx(LayerInstance l, OnnxBuilder g, string x) => g.Node("Sigmoid", l.Field, new[] { x });
}

/// <summary><c>[Tanh]</c>.</summary>
public sealed class TanhLayer : ActivationLayer
{
    public override string Kind => "Tanh";

    public override string TorchSharpForward(LayerInstance l, string x) => $"{Torch}.tanh({x})";

    public override string PyTorchForward(LayerInstance l, string x) => $"torch.tanh({x})";

    public override string Onnx(LayerInstance l, OnnxBuilder g, string x) => g.Node("Tanh", l.Field, new[] { x });
}

/// <summary><c>[SiLU]</c>: x·σ(x).</summary>
public sealed class SiLULayer : ActivationLayer
{
    public override string Kind => "SiLU";

    public override string TorchSharpForward(LayerInstance l, string x) => $"{Functional}.silu({x})";

    public override string PyTorchForward(LayerInstance l, string x) => $"F.silu({x})";

    public override string Onnx(LayerInstance l, OnnxBuilder g, string x) =>
        g.Node("Mul", l.Field, new[] { x, g.Node("Sigmoid", l.Field + "_sigmoid", new[] { x }) });
}

/// <summary><c>[LeakyReLU(slope)]</c>.</summary>
public sealed class LeakyReLULayer : ActivationLayer
{
    public override string Kind => "LeakyReLU";

    public override IEnumerable<DiagnosticInfo> Validate(LayerArguments args, string name)
    {
        var slope = args.Real("Slope");
        if (double.IsNaN(slope) || double.IsInfinity(slope))
        {
            yield return LayerRules.Invalid(args, name, Kind, "Slope", $"Slope = {slope} is invalid: give a finite number such as 0.01");
        }
    }

    public override string TorchSharpForward(LayerInstance l, string x) => $"{Functional}.leaky_relu({x}, {LayerRules.Real(l.Arguments.Real("Slope"))})";

    public override string PyTorchForward(LayerInstance l, string x) => $"F.leaky_relu({x}, {PyTorchText.Real(l.Arguments.Real("Slope"))})";

    public override string Onnx(LayerInstance l, OnnxBuilder g, string x) =>
        g.Node("LeakyRelu", l.Field, new[] { x }, OnnxAttr.Float("alpha", l.Arguments.Real("Slope")));
}

/// <summary><c>[Softmax]</c> over the last dimension.</summary>
public sealed class SoftmaxLayer : ActivationLayer
{
    public override string Kind => "Softmax";

    public override string TorchSharpForward(LayerInstance l, string x) => $"{Functional}.softmax({x}, -1)";

    public override string PyTorchForward(LayerInstance l, string x) => $"F.softmax({x}, dim=-1)";

    public override string Onnx(LayerInstance l, OnnxBuilder g, string x) => g.Node("Softmax", l.Field, new[] { x }, OnnxAttr.Int("axis", -1));
}

/// <summary><c>[Dropout(p)]</c>: zeroes elements with probability p in training (a module, so train/eval switches it).</summary>
public sealed class DropoutLayer : LayerDefinition
{
    public override string Kind => "Dropout";

    public override string NamePrefix => "dropout";

    public override IEnumerable<DiagnosticInfo> Validate(LayerArguments args, string name) => LayerRules.Probability(args, name, Kind, "P");

    public override LayerResult Infer(LayerContext c) => LayerResult.Ok(c.Input);

    public override TorchSharpField? TorchSharpModule(LayerInstance l) => new("global::TorchSharp.Modules.Dropout", $"{Nn}.Dropout({LayerRules.Real(l.Arguments.Real("P"))})");

    public override string TorchSharpForward(LayerInstance l, string x) => $"this.{l.Field}.call({x})";

    public override string? PyTorchModule(LayerInstance l) => $"nn.Dropout({PyTorchText.Real(l.Arguments.Real("P"))})";

    public override string PyTorchForward(LayerInstance l, string x) => $"self.{l.Field}({x})";

    /// <summary>The identity: the export is the evaluation-mode network.</summary>
    public override string Onnx(LayerInstance l, OnnxBuilder g, string x) => g.Node("Identity", l.Field, new[] { x });
}
