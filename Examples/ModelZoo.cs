using System;
using System.Linq;
using Dsl.Examples.Models;

namespace Dsl.Examples;

/// <summary>
/// The example models as catalogue entries, kept by hand until the generator emits the catalogue
/// (<see cref="ModelCatalogAttribute"/>); then this file goes and Program.cs becomes <c>DslApp.Run(args)</c>.
/// </summary>
public static class ModelZoo
{
    public static ModelCatalogEntry[] Models { get; } =
    {
        Entry(nameof(Plain20), "ResNet-20's layers without a single skip", () => new Plain20(), Plain20.InputShape, Plain20.OutputShape, Plain20.OutputShapeFor, Plain20.Summary, Plain20.ParameterCount),
        Entry(nameof(Plain56), "ResNet-56's layers without skips", () => new Plain56(), Plain56.InputShape, Plain56.OutputShape, Plain56.OutputShapeFor, Plain56.Summary, Plain56.ParameterCount),
        Entry(nameof(ResidualCnn1d), "1-D residual CNN over series of any length ≥ 16", () => new ResidualCnn1d(), ResidualCnn1d.InputShape, ResidualCnn1d.OutputShape, ResidualCnn1d.OutputShapeFor, ResidualCnn1d.Summary, ResidualCnn1d.ParameterCount),
        Entry(nameof(ResNet20), "ResNet-20 (He et al., 2016, CIFAR variant) for 28×28 grey images", () => new ResNet20(), ResNet20.InputShape, ResNet20.OutputShape, ResNet20.OutputShapeFor, ResNet20.Summary, ResNet20.ParameterCount),
        Entry(nameof(ResNet56), "ResNet-56: the same blocks, n = 9", () => new ResNet56(), ResNet56.InputShape, ResNet56.OutputShape, ResNet56.OutputShapeFor, ResNet56.Summary, ResNet56.ParameterCount),
        Entry(nameof(TextClassifier), "Transformer encoder classifier over token ids of any length up to 128", () => new TextClassifier(), TextClassifier.InputShape, TextClassifier.OutputShape, TextClassifier.OutputShapeFor, TextClassifier.Summary, TextClassifier.ParameterCount, tokens: true),
        Entry(nameof(TinyResNet), "The smallest residual network: a stem, two convolutions, and one skip around them", () => new TinyResNet(), TinyResNet.InputShape, TinyResNet.OutputShape, TinyResNet.OutputShapeFor, TinyResNet.Summary, TinyResNet.ParameterCount),
        Entry(nameof(TinyTransformer), "One pre-norm Transformer encoder block over 16 token ids", () => new TinyTransformer(), TinyTransformer.InputShape, TinyTransformer.OutputShape, TinyTransformer.OutputShapeFor, TinyTransformer.Summary, TinyTransformer.ParameterCount, tokens: true),
        Entry(nameof(UNet), "U-Net with Concat skips from encoder to decoder", () => new UNet(), UNet.InputShape, UNet.OutputShape, UNet.OutputShapeFor, UNet.Summary, UNet.ParameterCount),
        Entry(nameof(UNetAnySize), "The U-Net for any image size that is a multiple of 4", () => new UNetAnySize(), UNetAnySize.InputShape, UNetAnySize.OutputShape, UNetAnySize.OutputShapeFor, UNetAnySize.Summary, UNetAnySize.ParameterCount),
    };

    /// <summary>The model of that name (case-insensitive), or null.</summary>
    public static ModelCatalogEntry? Find(string name) =>
        Models.FirstOrDefault(m => string.Equals(m.Name, name, StringComparison.OrdinalIgnoreCase));

    private static ModelCatalogEntry Entry(string name, string description, Func<object> create, long[] input, long[] output,
        Func<long[], long[]> outputShapeFor, string summary, long parameters, bool tokens = false) =>
        new(name, "Dsl.Examples.Models." + name, description, input, output, tokens, parameters, -1, summary, summary,
            $"digraph {name} {{ input -> {name} -> output; }}", outputShapeFor, create);
}
