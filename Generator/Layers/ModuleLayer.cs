using System.Collections.Generic;
using System.Linq;
using Dsl.Generator.Diagnostics;
using Dsl.Generator.Shapes;
using Dsl.Generator.Shapes.Symbolic;

namespace Dsl.Generator.Layers;

/// <summary>
/// <c>[Module&lt;TModule&gt;]</c>: the user's own <c>Module&lt;Tensor, Tensor&gt;</c> as one layer. Its output shape is the
/// input's, or the input's with <c>Channels</c> changed, or <c>Shape</c>; the generated code checks it at the first
/// call. Its parameters are unknown at compile time (counted as such in the summary).
/// </summary>
public sealed class ModuleLayer : LayerDefinition
{
    public override string Kind => "Module";

    public override string AttributeName => "ModuleAttribute`1";

    public override string NamePrefix => "module";

    public override IEnumerable<DiagnosticInfo> Validate(LayerArguments args, string name) =>
        LayerRules.AtLeast(args, name, Kind, "Channels", 0, "the output channels");

    public override LayerResult Infer(LayerContext c)
    {
        var type = c.Declaration.TypeArgument;
        if (type is null)
        {
            return LayerResult.Fail(DiagnosticInfo.Create(DiagnosticDescriptors.NotAModule, c.Location, "?", "its type could not be read"));
        }

        var problem = !type.IsTorchModule
            ? "it must be a non-abstract, non-generic class deriving from TorchSharp's Module<Tensor, Tensor>"
            : !type.HasParameterlessConstructor && !type.HasChannelsConstructor
                ? "it needs a public parameterless constructor, or a public constructor that takes the input channels as a long"
                : null;
        if (problem is not null)
        {
            return LayerResult.Fail(DiagnosticInfo.Create(DiagnosticDescriptors.NotAModule, c.Location, type.Name, problem));
        }

        var input = c.Input;
        var inChannels = input.Channels.IsConstant ? input.Channels.Value : 0;
        if (type.HasChannelsConstructor && !type.HasParameterlessConstructor && !input.Channels.IsConstant)
        {
            return LayerRules.InputWidth(c, Kind, out _)!;
        }

        var a = c.Arguments;
        var output = input;
        if (a.Items("Shape") is { } items)
        {
            if (items.Count == 0 || items.Any(i => i.Name is null && i.Value <= 0))
            {
                return LayerResult.Fail(LayerRules.Invalid(a, c.Name, Kind, "Shape", "Shape must list one example's output dimensions (no batch): positive numbers or names of the model's dimensions"));
            }

            if (items.FirstOrDefault(i => i.Name is not null && !c.DimensionNames.Contains(i.Name)) is { } unknown)
            {
                return LayerResult.Fail(LayerRules.Invalid(a, c.Name, Kind, "Shape",
                    $"'{unknown.Name}' is not a named dimension of the model; its named dimensions are {(c.DimensionNames.Count == 0 ? "none" : string.Join(", ", c.DimensionNames.OrderBy(n => n, System.StringComparer.Ordinal)))}"));
            }

            var dims = items.Select(i => i.Name is null ? Dim.Of(i.Value) : c.Domain.Named(i.Name)).ToArray();
            var layout = dims.Length == input.Rank ? input.Layout : Shape.LayoutOfRank(dims.Length, signal: false);
            output = new Shape(layout, dims);
        }
        else if (a.Int("Channels") > 0)
        {
            output = input.WithDim(input.ChannelAxis, Dim.Of(a.Int("Channels")));
        }

        var outChannels = output.Channels.IsConstant ? output.Channels.Value : 0;
        return LayerResult.Unknown(output, inChannels, outChannels);
    }

    public override TorchSharpField? TorchSharpModule(LayerInstance l)
    {
        var type = l.Declaration.TypeArgument!;
        // The channels constructor when the input width is a fixed number; else the parameterless one (Infer made sure one fits).
        return new(type.FullName, type.HasChannelsConstructor && l.Input.Channels.IsConstant ? $"new {type.FullName}({l.Result.InChannels}L)" : $"new {type.FullName}()");
    }

    /// <summary>The call, checked once against the declared output shape (fixed dimensions, and rank).</summary>
    public override string TorchSharpForward(LayerInstance l, string x)
    {
        var expected = string.Join(", ", l.Output.Dims.Select(d => d.IsConstant ? d.Value : -1));
        return $"CheckedCall(this.{l.Field}, {x}, ref this.{l.Field}_checked, \"{l.Field}\", new long[] {{ {expected} }})";
    }

    public override IEnumerable<string> TorchSharpStateFields(LayerInstance l) => new[] { $"private bool {l.Field}_checked;" };

    public override IEnumerable<(string Name, string Code)> TorchSharpHelpers(LayerInstance l)
    {
        yield return ("CheckedCall", $$"""
            /// <summary>Calls a user's module; at the first call, checks its output against the declared shape (-1: any size).</summary>
            private static {{Torch}}.Tensor CheckedCall(global::TorchSharp.torch.nn.Module<{{Torch}}.Tensor, {{Torch}}.Tensor> module, {{Torch}}.Tensor x, ref bool done, string layer, long[] expected)
            {
                var y = module.call(x);
                if (!done)
                {
                    var ok = y.dim() == expected.Length + 1;
                    for (var i = 0; ok && i < expected.Length; i++)
                    {
                        ok = expected[i] < 0 || y.shape[i + 1] == expected[i];
                    }

                    if (!ok)
                    {
                        var shape = string.Join(", ", y.shape);
                        y.Dispose();
                        throw new global::System.ArgumentException($"Layer '{layer}' ({module.GetType().Name}) returned [{shape}], but its declaration says [N, {string.Join(", ", global::System.Linq.Enumerable.Select(expected, e => e < 0 ? "*" : e.ToString()))}]; set Channels or Shape on its [Module<...>] to what it returns.");
                    }

                    done = true;
                }

                return y;
            }
            """);
    }

    /// <summary>A user's TorchSharp module has no Python form: a placeholder that raises when the model is built, naming the type.</summary>
    public override string? PyTorchModule(LayerInstance l) => $"UserModule({PyTorchText.Literal(l.Declaration.TypeArgument!.FullName)})";

    public override string PyTorchForward(LayerInstance l, string x) => $"self.{l.Field}({x})";

    public override IEnumerable<(string Name, string Code)> PyTorchHelpers(LayerInstance l)
    {
        yield return ("UserModule", """"
            class UserModule(nn.Module):
                """A [Module<T>] layer: the user's own TorchSharp module, which has no PyTorch form. Replace it with an nn.Module that computes the same."""

                def __init__(self, type_name):
                    super().__init__()
                    raise NotImplementedError(
                        type_name + " is a user's TorchSharp module ([Module<...>]) and cannot be exported; "
                        "replace UserModule(...) in this file with an nn.Module that computes the same, with the same state_dict keys.")
            """");
    }

    /// <summary>A user's TorchSharp module is opaque to the generator: no ONNX form.</summary>
    public override string Onnx(LayerInstance l, OnnxBuilder g, string x) =>
        throw new OnnxNotExportableException(
            $"layer '{g.Display(l.Field)}' is a [Module<{l.Declaration.TypeArgument?.Name ?? "?"}>] (a user's TorchSharp module), which has no ONNX form; replace it with DSL layers to export");
}
