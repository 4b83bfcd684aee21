using System;
using System.Collections.Generic;
using System.IO;

namespace Dsl.Datasets;

/// <summary>
/// A balanced subset of Fashion-MNIST (Zalando SE, MIT licence): 8,000 training and 2,000 test images, 28 × 28
/// grayscale, 10 classes with equally many images each, as the four gzipped IDX files of the original plus its licence.
/// Dsl.Runtime's <c>FashionMnist.LoadEmbedded()</c> reads them; this class is for reading them without Dsl.Runtime.
/// </summary>
public static class FashionMnistSubset
{
    /// <summary>The prefix of the manifest resource names: a file's resource is this prefix + its file name.</summary>
    public const string ResourcePrefix = "Dsl.Datasets.FashionMnist.";

    /// <summary>The embedded files: the training images and labels, the test images and labels (IDX, gzipped), the licence.</summary>
    public static IReadOnlyList<string> FileNames { get; } = new[]
    {
        "train-images-idx3-ubyte.gz",
        "train-labels-idx1-ubyte.gz",
        "t10k-images-idx3-ubyte.gz",
        "t10k-labels-idx1-ubyte.gz",
        "LICENSE",
    };

    /// <summary>Opens one of <see cref="FileNames"/> for reading; the caller disposes the stream.</summary>
    /// <param name="fileName">A name from <see cref="FileNames"/>, e.g. <c>train-images-idx3-ubyte.gz</c>.</param>
    /// <exception cref="ArgumentException"><paramref name="fileName"/> is not one of <see cref="FileNames"/>.</exception>
    public static Stream Open(string fileName)
    {
        if (fileName is null)
        {
            throw new ArgumentNullException(nameof(fileName));
        }

        string resource = ResourcePrefix + fileName;
        return typeof(FashionMnistSubset).Assembly.GetManifestResourceStream(resource)
            ?? throw new ArgumentException(
                $"'{fileName}' is not a file of the Fashion-MNIST subset; the files are {string.Join(", ", FileNames)}", nameof(fileName));
    }
}
