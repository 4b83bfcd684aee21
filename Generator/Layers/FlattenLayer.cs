using Dsl.Generator.Shapes;

namespace Dsl.Generator.Layers;

/// <summary><c>[Flatten]</c>: every dimension after the batch into one, <c>[N, d1, d2, …] → [N, d1·d2·…]</c>.</summary>
public sealed class FlattenLayer : LayerDefinition
{
    public override string Kind => "Flatten";

    public override string NamePrefix => "flatten";

    public override LayerResult Infer(LayerContext c) => LayerResult.Ok(new Shape(Layout.Vector, c.Input.Elements));

    public override TorchSharpField? TorchSharpModule(LayerInstance l) => null;

    public override string TorchSharpForward(LayerInstance l, string x) => $"{x}.flatten(1)";

    public override string? PyTorchModule(LayerInstance l) => null;

    public override string PyTorchForward(LayerInstance l, string x) => $"{x}.flatten(1)";

    public override string Onnx(LayerInstance l, OnnxBuilder g, string x) => g.Node("Flatten", l.Field, new[] { x }, OnnxAttr.Int("axis", 1));
}

/// <summary><c>[Transpose]</c>: swaps the last two dimensions and the layout, sequence <c>[N, T, D]</c> ↔ signal <c>[N, D, T]</c>.</summary>
public sealed class TransposeLayer : LayerDefinition
{
    public override string Kind => "Transpose";

    public override string NamePrefix => "transpose";

    public override bool SwapsLayout => true;

    public override LayerResult Infer(LayerContext c)
    {
        var error = LayerRules.RequireLayout(c, Kind, "", Layout.Sequence, Layout.Signal);
        if (error is not null)
        {
            return error;
        }

        return LayerResult.Ok(new Shape(c.Input.Layout == Layout.Sequence ? Layout.Signal : Layout.Sequence, c.Input[1], c.Input[0]));
    }

    public override TorchSharpField? TorchSharpModule(LayerInstance l) => null;

    public override string TorchSharpForward(LayerInstance l, string x) => $"{x}.transpose(1, 2)";

    public override string? PyTorchModule(LayerInstance l) => null;

    public override string PyTorchForward(LayerInstance l, string x) => $"{x}.transpose(1, 2)";

    public override string Onnx(LayerInstance l, OnnxBuilder g, string x) => g.Node("Transpose", l.Field, new[] { x }, OnnxAttr.Ints("perm", 0, 2, 1));
}

/// <summary><c>[Upsample(scale)]</c>: nearest-neighbour, <c>[N, C, H, W] → [N, C, s·H, s·W]</c>.</summary>
public sealed class UpsampleLayer : LayerDefinition
{
    public override string Kind => "Upsample";

    public override string NamePrefix => "up";

    public override System.Collections.Generic.IEnumerable<Diagnostics.DiagnosticInfo> Validate(LayerArguments args, string name) =>
        LayerRules.AtLeast(args, name, Kind, "Scale", 1, "the scale factor");

    public override LayerResult Infer(LayerContext c)
    {
        var error = LayerRules.RequireLayout(c, Kind, "", Layout.Image);
        if (error is not null)
        {
            return error;
        }

        var s = c.Arguments.Int("Scale");
        return LayerResult.Ok(new Shape(Layout.Image, c.Input[0], c.Input[1] * s, c.Input[2] * s));
    }

    public override TorchSharpField? TorchSharpModule(LayerInstance l) => null;

    public override string TorchSharpForward(LayerInstance l, string x)
    {
        var s = l.Arguments.Int("Scale");
        return $"{Functional}.interpolate({x}, scale_factor: new double[] {{ {s}, {s} }}, mode: global::TorchSharp.torch.InterpolationMode.Nearest)";
    }

    public override string? PyTorchModule(LayerInstance l) => null;

    public override string PyTorchForward(LayerInstance l, string x)
    {
        var s = l.Arguments.Int("Scale");
        return $"F.interpolate({x}, scale_factor=({s}.0, {s}.0), mode=\"nearest\")";
    }

    /// <summary>Resize with integer scales; asymmetric coordinates with floor rounding are PyTorch's nearest mode.</summary>
    public override string Onnx(LayerInstance l, OnnxBuilder g, string x)
    {
        var s = l.Arguments.Int("Scale");
        return g.Node("Resize", l.Field, new[] { x, "", g.Floats(1, 1, s, s) }, OnnxAttr.String("mode", "nearest"),
            OnnxAttr.String("coordinate_transformation_mode", "asymmetric"), OnnxAttr.String("nearest_mode", "floor"));
    }
}
