using System;
using System.Globalization;
using System.IO;
using System.Linq;
using Dsl.Runtime.Data;
using Dsl.Runtime.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Dsl.Runtime.App;

/// <summary>A task's training and test sets, where they came from, and the recipe defaults that fit them.</summary>
internal sealed record TaskData(TrainingTask Task, TensorDataset Train, TensorDataset Test, string Source, string Examples,
    Normalization? Normalization, Augmentation Augmentation) : IDisposable
{
    public void Dispose()
    {
        Train.Dispose();
        Test.Dispose();
    }
}

/// <summary>
/// Picks the data for a model from its shapes and the options: Fashion-MNIST for image models (classification, or
/// denoising as regression), synthetic token sequences for token-id models, a time series (synthetic, or a file of
/// numbers) for signal models. A model whose shapes do not fit the data is a one-line usage error.
/// </summary>
internal static class TrainingData
{
    /// <summary>Mean and standard deviation of the 60,000 Fashion-MNIST training images (pixels scaled to 0..1): fixed,
    /// so weights evaluate the same whichever subset trained them.</summary>
    public static Normalization FashionMnistStatistics { get; } = new(0.2860, 0.3530);

    /// <summary>The augmentation <c>train</c> uses for Fashion-MNIST classification: a crop of the image padded by 2, a left-right flip.</summary>
    public static Augmentation FashionMnistAugmentation { get; } = new(CropPadding: 2, HorizontalFlip: true);

    private static readonly long[] FashionImage = { 1, 28, 28 };

    /// <summary>Whether <c>train</c> would classify Fashion-MNIST with this model (1×28×28 images in, at least 10 scores out).</summary>
    public static bool ClassifiesFashionMnist(ModelCatalogEntry entry)
    {
        if (entry.TakesTokenIds || entry.InputShape.Length != 3 || !ModelFacts.Accepts(entry, FashionImage))
        {
            return false;
        }

        var output = entry.OutputShapeFor(FashionImage);
        return output.Length == 1 && output[0] >= FashionMnist.ClassCount;
    }

    /// <summary>The task a model's shapes suggest when <c>--task</c> is not given.</summary>
    public static TrainingTask DefaultTask(ModelCatalogEntry entry)
    {
        if (entry.TakesTokenIds)
        {
            return entry.OutputShape.Length == 2 ? TrainingTask.TokenClassification : TrainingTask.Classification;
        }

        if (entry.InputShape.Length == 3 && entry.OutputShape.Length == 1)
        {
            return TrainingTask.Classification;
        }

        return TrainingTask.Regression; // image-to-image (denoising) and signal-to-values (forecasting)
    }

    public static TaskData Load(ModelCatalogEntry entry, nn.Module<Tensor, Tensor> model, TrainingTask task, string? data, long seed, int? window, int? limit)
    {
        var loaded = entry.TakesTokenIds ? Tokens(entry, model, task, data, seed)
            : entry.InputShape.Length == 3 ? Images(entry, task, data)
            : entry.InputShape.Length == 2 ? Series(entry, task, data, seed, window)
            : throw new UsageException($"{entry.Name} takes {ModelFacts.Shape(entry.InputShape)}; the tool has data for images [C, H, W], signals [C, L] and token ids only");
        if (limit is not { } n)
        {
            return loaded;
        }

        using (loaded)
        {
            return loaded with
            {
                Train = loaded.Train.Subset(0, Math.Min(n, loaded.Train.Count)),
                Test = loaded.Test.Subset(0, Math.Min(n, loaded.Test.Count)),
                Source = loaded.Source + string.Create(CultureInfo.InvariantCulture, $", limited to the first {Math.Min(n, loaded.Train.Count):N0} / {Math.Min(n, loaded.Test.Count):N0}"),
            };
        }
    }

    private static TaskData Images(ModelCatalogEntry entry, TrainingTask task, string? data)
    {
        var fits = entry.InputShape.Length == 3 && ModelFacts.Accepts(entry, FashionImage);
        var output = fits ? entry.OutputShapeFor(FashionImage) : entry.OutputShape;
        switch (task)
        {
            case TrainingTask.Classification when fits && output.Length == 1 && output[0] >= FashionMnist.ClassCount:
            {
                var split = LoadFashion(data);
                return new TaskData(task, split.Train, split.Test, split.Source, "images", FashionMnistStatistics,
                    FashionMnistAugmentation);
            }

            case TrainingTask.Classification:
                throw new UsageException($"{entry.Name} maps {ModelFacts.Shape(entry.InputShape)} to {ModelFacts.Shape(entry.OutputShape)}, not 1×28×28 images to 10 classes, " +
                    $"so it cannot classify Fashion-MNIST{(output.SequenceEqual(FashionImage) ? "; it maps images to images: --task regression denoises them" : "")}");

            case TrainingTask.Regression when fits && output.SequenceEqual(FashionImage):
            {
                // Denoising: the input is the image with Gaussian noise (σ = 0.3, seeded), the target the clean image.
                using var split = LoadFashion(data);
                return new TaskData(task, Noisy(split.Train, 1), Noisy(split.Test, 2), split.Source + ", with noise σ = 0.3 to remove", "images",
                    null, Augmentation.None);
            }

            case TrainingTask.Regression:
                throw new UsageException($"{entry.Name} maps {ModelFacts.Shape(entry.InputShape)} to {ModelFacts.Shape(entry.OutputShape)}; " +
                    "regression on images is denoising, which needs a model from 1×28×28 images to 1×28×28 images");

            default:
                throw new UsageException($"{entry.Name} takes images, not token ids: token classification needs a model from token ids [T] to logits [T, V]");
        }
    }

    private static DataSplit LoadFashion(string? spec) =>
        string.Equals(spec, "embedded", StringComparison.OrdinalIgnoreCase) ? FashionMnist.LoadEmbedded() : FashionMnist.Load(spec);

    private static TensorDataset Noisy(TensorDataset clean, long stream)
    {
        using var scope = NewDisposeScope();
        using var generator = new torch.Generator((ulong)(1234 + stream), CPU);
        var noise = randn(clean.Inputs.shape, generator: generator) * 0.3f;
        return new TensorDataset(clean.Inputs + noise, clean.Inputs.clone());
    }

    private static TaskData Tokens(ModelCatalogEntry entry, nn.Module<Tensor, Tensor> model, TrainingTask task, string? data, long seed)
    {
        if (data is not null && !string.Equals(data, "synthetic", StringComparison.OrdinalIgnoreCase))
        {
            throw new UsageException($"{entry.Name} takes token ids; the tool's token data is --data synthetic (for your own data, use the Trainer from code)");
        }

        var input = ModelFacts.ConcreteInput(entry, 32);
        var length = input[0];
        var output = entry.OutputShapeFor(input);
        var vocabulary = ModelFacts.Vocabulary(model);
        switch (task)
        {
            case TrainingTask.Classification when output.Length == 1 && output[0] >= 2:
            {
                // Majority vote: each token id belongs to class id mod C; the label is the class most of the sequence's tokens belong to.
                var classes = output[0];
                return new TaskData(task, Majority(4000, length, vocabulary, classes, seed, 1), Majority(1000, length, vocabulary, classes, seed, 2),
                    string.Create(CultureInfo.InvariantCulture, $"synthetic: {length}-token sequences over {vocabulary} ids, labelled by the majority of id mod {classes}"),
                    "sequences", null, Augmentation.None);
            }

            case TrainingTask.TokenClassification when output.Length == 2 && output[0] == length:
            {
                var v = output[1];
                return new TaskData(task, Mapped(4000, length, vocabulary, v, seed, 1), Mapped(1000, length, vocabulary, v, seed, 2),
                    string.Create(CultureInfo.InvariantCulture, $"synthetic: {length}-token sequences over {vocabulary} ids, each position's target (3·id + 1) mod {v}"),
                    "sequences", null, Augmentation.None);
            }

            default:
                throw new UsageException($"{entry.Name} maps token ids {ModelFacts.Shape(entry.InputShape)} to {ModelFacts.Shape(entry.OutputShape)}, which does not fit {Describe(task)} " +
                    "(classification needs [classes] out, token classification [T, V])");
        }
    }

    private static string Describe(TrainingTask task) => task switch
    {
        TrainingTask.Classification => "classification",
        TrainingTask.TokenClassification => "token classification",
        _ => "regression",
    };

    private static TensorDataset Majority(long count, long length, long vocabulary, long classes, long seed, long stream)
    {
        using var scope = NewDisposeScope();
        using var generator = new torch.Generator(SeedMixer.Mix(seed, stream, 0x70C) >> 1, CPU);
        var ids = randint(0, vocabulary, new[] { count, length }, generator: generator);
        var votes = nn.functional.one_hot(ids.remainder(classes), classes).sum(1); // [N, C]
        return new TensorDataset(ids, votes.argmax(1));
    }

    private static TensorDataset Mapped(long count, long length, long vocabulary, long v, long seed, long stream)
    {
        using var scope = NewDisposeScope();
        using var generator = new torch.Generator(SeedMixer.Mix(seed, stream, 0x70D) >> 1, CPU);
        var ids = randint(0, vocabulary, new[] { count, length }, generator: generator);
        return new TensorDataset(ids, (ids * 3 + 1).remainder(v));
    }

    private static TaskData Series(ModelCatalogEntry entry, TrainingTask task, string? data, long seed, int? window)
    {
        if (task != TrainingTask.Regression)
        {
            throw new UsageException($"{entry.Name} takes signals {ModelFacts.Shape(entry.InputShape)}; the tool trains signal models on forecasting (--task regression)");
        }

        var channels = entry.InputShape[0];
        var length = entry.InputShape[1] != -1 ? entry.InputShape[1] : window ?? 64;
        var input = new[] { channels, length };
        if (!ModelFacts.Accepts(entry, input))
        {
            throw new UsageException($"{entry.Name} does not take a window of {length} values; give --window a length it accepts");
        }

        var output = entry.OutputShapeFor(input);
        if (channels != 1 || output.Length != 1)
        {
            throw new UsageException($"{entry.Name} maps {ModelFacts.Shape(input)} to {ModelFacts.Shape(output)}; forecasting needs one channel in [1, L] and a horizon out [H]");
        }

        var horizon = (int)output[0];
        float[] values;
        string source;
        if (data is null || string.Equals(data, "synthetic", StringComparison.OrdinalIgnoreCase))
        {
            // Two sines and noise: periodic enough to forecast, noisy enough that the loss does not reach 0.
            var random = new Random(unchecked((int)SeedMixer.Mix(seed, 0x5E4)));
            values = Enumerable.Range(0, 6000).Select(t =>
                (float)(Math.Sin(2 * Math.PI * t / 50) + 0.5 * Math.Sin(2 * Math.PI * t / 17) + 0.1 * (random.NextDouble() * 2 - 1))).ToArray();
            source = "synthetic: 6,000 values of two sines (periods 50 and 17) with uniform noise ±0.1";
        }
        else
        {
            values = ReadNumbers(data);
            source = string.Create(CultureInfo.InvariantCulture, $"{Path.GetFullPath(data)} ({values.Length:N0} values)");
        }

        // The last fifth of the series is the test set: a forecaster is tested on the future, never on shuffled neighbours.
        var cut = (int)(values.Length * 0.8);
        if (cut < length + horizon || values.Length - cut < length + horizon)
        {
            throw new DataFileException(data ?? "synthetic", $"the series has {values.Length} values, too few for windows of {length} + {horizon} in both its training and test parts");
        }

        return new TaskData(task, TimeSeriesWindows.Create(values[..cut], (int)length, horizon),
            TimeSeriesWindows.Create(values[cut..], (int)length, horizon), source + string.Create(CultureInfo.InvariantCulture, $"; windows of {length}, horizon {horizon}"),
            "windows", null, Augmentation.None);
    }

    // One number per line, or the last field of comma-separated lines; a header line that is not a number is skipped.
    private static float[] ReadNumbers(string path)
    {
        var full = Path.GetFullPath(path);
        if (!File.Exists(full))
        {
            throw new FileNotFoundException($"the series file {full} does not exist", full);
        }

        Dsl.Runtime.IO.RegularFile.Require(full, reason => new DataFileException(full, $"{full}: {reason}."));

        var values = new System.Collections.Generic.List<float>();
        var lines = File.ReadAllLines(full);
        for (var i = 0; i < lines.Length; i++)
        {
            var field = lines[i].Split(',').Last().Trim();
            if (field.Length == 0)
            {
                continue;
            }

            if (!float.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !float.IsFinite(value))
            {
                if (i == 0)
                {
                    continue;
                }

                throw new DataFileException(full, $"{full} line {i + 1}: '{field}' is not a number");
            }

            values.Add(value);
        }

        return values.ToArray();
    }
}
