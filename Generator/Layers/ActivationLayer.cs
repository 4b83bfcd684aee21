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
}

/// <summary><c>[GELU]</c>.</summary>
public sealed class GELULayer : ActivationLayer
{
    public override string Kind => "GELU";

    public override string TorchSharpForward(LayerInstance l, string x) => $"{Functional}.gelu({x})";

    public override string PyTorchForward(LayerInstance l, string x) => $"F.gelu({x})";
}

/// <summary><c>[Sigmoid]</c>.</summary>
public sealed class SigmoidLayer : ActivationLayer
{
    public override string Kind => "Sigmoid";

    public override string TorchSharpForward(LayerInstance l, string x) => $"{Torch}.sigmoid({x})";

    public override string PyTorchForward(LayerInstance l, string x) => $"torch.sigmoid({x})";
}

/// <summary><c>[Tanh]</c>.</summary>
public sealed class TanhLayer : ActivationLayer
{
    public override string Kind => "Tanh";

    public override string TorchSharpForward(LayerInstance l, string x) => $"{Torch}.tanh({x})";

    public override string PyTorchForward(LayerInstance l, string x) => $"torch.tanh({x})";
}

/// <summary><c>[SiLU]</c>: x·σ(x).</summary>
public sealed class SiLULayer : ActivationLayer
{
    public override string Kind => "SiLU";

    public override string TorchSharpForward(LayerInstance l, string x) => $"{Functional}.silu({x})";

    public override string PyTorchForward(LayerInstance l, string x) => $"F.silu({x})";
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
}

/// <summary><c>[Softmax]</c> over the last dimension.</summary>
public sealed class SoftmaxLayer : ActivationLayer
{
    public override string Kind => "Softmax";

    public override string TorchSharpForward(LayerInstance l, string x) => $"{Functional}.softmax({x}, -1)";

    public override string PyTorchForward(LayerInstance l, string x) => $"F.softmax({x}, dim=-1)";
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
}
