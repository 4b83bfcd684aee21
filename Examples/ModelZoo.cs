using System;
using System.Collections.Generic;
using System.Linq;
using Dsl.Examples.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Dsl.Examples;

/// <summary>One example network: how to build it, its compile-time facts, and a sample input.</summary>
public sealed record ExampleModel(
    string Name,
    string Description,
    Func<nn.Module<Tensor, Tensor>> Create,
    string Summary,
    long ParameterCount,
    long[] InputShape,
    long[] OutputShape,
    bool TakesTokenIds = false,
    long[]? ExampleShape = null)
{
    /// <summary>A concrete input shape (no batch): <see cref="InputShape"/>, or an example size for models with named dimensions.</summary>
    public long[] SampleShape => ExampleShape ?? InputShape;

    /// <summary>A random batch of the model's input: images in N(0, 1), or token ids.</summary>
    public Tensor SampleInput(long batch) =>
        TakesTokenIds
            ? randint(0, 100, new[] { batch }.Concat(SampleShape).ToArray())
            : randn(new[] { batch }.Concat(SampleShape).ToArray());
}

/// <summary>The example models, by name.</summary>
public static class ModelZoo
{
    public static IReadOnlyList<ExampleModel> All { get; } = new[]
    {
        new ExampleModel(nameof(TinyResNet), "stem + two convolutions with one residual skip", () => new TinyResNet(),
            TinyResNet.Summary, TinyResNet.ParameterCount, TinyResNet.InputShape, TinyResNet.OutputShape),
        new ExampleModel(nameof(ResNet20), "ResNet-20 from BasicBlock and DownBlock", () => new ResNet20(),
            ResNet20.Summary, ResNet20.ParameterCount, ResNet20.InputShape, ResNet20.OutputShape),
        new ExampleModel(nameof(ResNet56), "ResNet-56 from the same blocks", () => new ResNet56(),
            ResNet56.Summary, ResNet56.ParameterCount, ResNet56.InputShape, ResNet56.OutputShape),
        new ExampleModel(nameof(Plain20), "ResNet-20 without its skips (the control for gradient flow)", () => new Plain20(),
            Plain20.Summary, Plain20.ParameterCount, Plain20.InputShape, Plain20.OutputShape),
        new ExampleModel(nameof(Plain56), "ResNet-56 without its skips", () => new Plain56(),
            Plain56.Summary, Plain56.ParameterCount, Plain56.InputShape, Plain56.OutputShape),
        new ExampleModel(nameof(UNet), "U-Net with Concat skips from encoder to decoder", () => new UNet(),
            UNet.Summary, UNet.ParameterCount, UNet.InputShape, UNet.OutputShape),
        new ExampleModel(nameof(TinyTransformer), "one pre-norm Transformer block (two residual adds)", () => new TinyTransformer(),
            TinyTransformer.Summary, TinyTransformer.ParameterCount, TinyTransformer.InputShape, TinyTransformer.OutputShape,
            TakesTokenIds: true),
        new ExampleModel(nameof(TextClassifier), "Transformer encoder classifier over token ids of any length up to 128", () => new TextClassifier(),
            TextClassifier.Summary, TextClassifier.ParameterCount, TextClassifier.InputShape, TextClassifier.OutputShape,
            TakesTokenIds: true, ExampleShape: new long[] { 40 }),
        new ExampleModel(nameof(UNetAnySize), "the U-Net for any image size that is a multiple of 4", () => new UNetAnySize(),
            UNetAnySize.Summary, UNetAnySize.ParameterCount, UNetAnySize.InputShape, UNetAnySize.OutputShape,
            ExampleShape: new long[] { 1, 32, 48 }),
        new ExampleModel(nameof(ResidualCnn1d), "1-D residual CNN over series of any length ≥ 16", () => new ResidualCnn1d(),
            ResidualCnn1d.Summary, ResidualCnn1d.ParameterCount, ResidualCnn1d.InputShape, ResidualCnn1d.OutputShape,
            ExampleShape: new long[] { 1, 96 }),
    };

    /// <summary>The model of that name (case-insensitive), or null.</summary>
    public static ExampleModel? Find(string name) =>
        All.FirstOrDefault(m => string.Equals(m.Name, name, StringComparison.OrdinalIgnoreCase));
}
