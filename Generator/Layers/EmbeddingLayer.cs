using System.Collections.Generic;
using System.Linq;
using Dsl.Generator.Diagnostics;
using Dsl.Generator.Shapes;
using Dsl.Generator.Shapes.Symbolic;

namespace Dsl.Generator.Layers;

/// <summary><c>[Embedding(vocab, dim)]</c>: token ids <c>[N, T]</c> → a sequence <c>[N, T, dim]</c>; params V·D, no multiply-accumulates (a lookup).</summary>
public sealed class EmbeddingLayer : LayerDefinition
{
    public override string Kind => "Embedding";

    public override string NamePrefix => "embed";

    public override IEnumerable<DiagnosticInfo> Validate(LayerArguments args, string name) =>
        LayerRules.AtLeast(args, name, Kind, "VocabularySize", 1, "the vocabulary size")
            .Concat(LayerRules.AtLeast(args, name, Kind, "Dim", 1, "the embedding width"));

    public override LayerResult Infer(LayerContext c)
    {
        var error = LayerRules.RequireLayout(c, Kind, "; Embedding must be the first layer of a model whose input shape is [Model(T)] or [Model(\"T\")]", Layout.Vector);
        if (error is not null)
        {
            return error;
        }

        var dim = c.Arguments.Int("Dim");
        return LayerResult.Ok(new Shape(Layout.Sequence, c.Input[0], Dim.Of(dim)), checked((long)c.Arguments.Int("VocabularySize") * dim), null, 0, dim);
    }

    public override TorchSharpField? TorchSharpModule(LayerInstance l) =>
        new("global::TorchSharp.Modules.Embedding", $"{Nn}.Embedding({l.Arguments.Int("VocabularySize")}, {l.Arguments.Int("Dim")})");

    public override string TorchSharpForward(LayerInstance l, string x) => $"this.{l.Field}.call({x})";

    public override string? PyTorchModule(LayerInstance l) => $"nn.Embedding({l.Arguments.Int("VocabularySize")}, {l.Arguments.Int("Dim")})";

    public override string PyTorchForward(LayerInstance l, string x) => $"self.{l.Field}({x})";

    public override string Onnx(LayerInstance l, OnnxBuilder g, string x) =>
        g.Node("Gather", l.Field, new[] { g.Weight(l.Field + ".weight"), x }, OnnxAttr.Int("axis", 0));
}

/// <summary>
/// <c>[PositionalEmbedding(maxLength)]</c>: adds a learned vector per position to a sequence <c>[N, T, D]</c>
/// (its weight is <c>[maxLength, D]</c>, as an Embedding's); needs T ≤ maxLength for every allowed T. Params maxLength·D.
/// </summary>
public sealed class PositionalEmbeddingLayer : LayerDefinition
{
    public override string Kind => "PositionalEmbedding";

    public override string NamePrefix => "pos";

    public override Layout? PreferredInputLayout => Layout.Sequence;

    public override IEnumerable<DiagnosticInfo> Validate(LayerArguments args, string name) =>
        LayerRules.AtLeast(args, name, Kind, "MaxLength", 1, "the maximum length");

    public override LayerResult Infer(LayerContext c)
    {
        long width = 0;
        var error = LayerRules.RequireLayout(c, Kind, "", Layout.Sequence) ?? LayerRules.InputWidth(c, Kind, out width);
        if (error is not null)
        {
            return error;
        }

        var maxLength = c.Arguments.Int("MaxLength");
        var length = c.Input[0];
        var tooLong = length.IsConstant ? null : DimDecisions.AtMost(length, maxLength, c.Domain);
        if (length.IsConstant ? length.Value > maxLength : tooLong is not null)
        {
            var fix = length.IsConstant
                ? $"give it MaxLength = {length.Value} or more"
                : tooLong!.Fix is { } dimFix
                    ? $"add {dimFix}"
                    : $"constrain the sequence length to at most {maxLength} with [Dim]";
            return LayerResult.Fail(DiagnosticInfo.Create(DiagnosticDescriptors.SequenceTooLong, c.Location, c.Name, Kind, maxLength.ToString(), length.ToString(), fix)
                .WithDimFix(tooLong?.FixParts));
        }

        return LayerResult.Ok(c.Input, checked(maxLength * width), null, width, width);
    }

    public override TorchSharpField? TorchSharpModule(LayerInstance l) =>
        new("global::TorchSharp.Modules.Embedding", $"{Nn}.Embedding({l.Arguments.Int("MaxLength")}, {l.Result.InChannels})");

    public override string TorchSharpForward(LayerInstance l, string x) => $"AddPositions(this.{l.Field}, {x})";

    public override IEnumerable<(string Name, string Code)> TorchSharpHelpers(LayerInstance l)
    {
        yield return ("AddPositions", $$"""
            /// <summary>Adds the first T rows of a positional embedding's weight to a sequence [N, T, D], freeing the temporary view.</summary>
            private static {{Torch}}.Tensor AddPositions(global::TorchSharp.Modules.Embedding positions, {{Torch}}.Tensor x)
            {
                using ({{Torch}}.NewDisposeScope())
                {
                    var rows = {{l.NotNull("positions.weight")}}.narrow(0, 0, x.shape[1]);
                    return x.add(rows).MoveToOuterDisposeScope();
                }
            }
            """);
    }

    public override string? PyTorchModule(LayerInstance l) => $"nn.Embedding({l.Arguments.Int("MaxLength")}, {l.Result.InChannels})";

    /// <summary>The first T rows of the position table added to [N, T, D], as AddPositions does.</summary>
    public override string PyTorchForward(LayerInstance l, string x) => $"{x} + self.{l.Field}.weight[: {x}.shape[1]]";

    /// <summary>The weight's first T rows (T read from the input's shape, so any allowed length runs), added.</summary>
    public override string Onnx(LayerInstance l, OnnxBuilder g, string x)
    {
        var shape = g.Node("Shape", l.Field + "_shape", new[] { x });
        var length = g.Node("Slice", l.Field + "_length", new[] { shape, g.Ints(1), g.Ints(2) });
        var rows = g.Node("Slice", l.Field + "_rows", new[] { g.Weight(l.Field + ".weight"), g.Ints(0), length, g.Ints(0) });
        return g.Node("Add", l.Field, new[] { x, rows });
    }
}
