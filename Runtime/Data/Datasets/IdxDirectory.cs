using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;

namespace Dsl.Runtime.Data;

/// <summary>
/// A directory laid out like MNIST and Fashion-MNIST: train-images-idx3-ubyte, train-labels-idx1-ubyte,
/// t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte, each either plain or with a .gz suffix.
/// </summary>
public static class IdxDirectory
{
    /// <summary>The four file names, without the optional .gz suffix: train images, train labels, test images, test labels.</summary>
    public static IReadOnlyList<string> FileNames { get; } =
        new[] { "train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte" };

    /// <summary>Whether <paramref name="directory"/> holds all four files.</summary>
    /// <param name="directory">The directory to look in.</param>
    public static bool HasAllFiles(string directory) =>
        Directory.Exists(directory) && FileNames.All(name => Find(directory, name) is not null);

    /// <summary>Loads the four files of <paramref name="directory"/> and checks they fit together.</summary>
    /// <param name="directory">The directory.</param>
    /// <param name="classCount">Labels must lie in 0..classCount-1.</param>
    /// <exception cref="DirectoryNotFoundException">The directory does not exist.</exception>
    /// <exception cref="DataFileException">A file is missing or bad, or train and test images differ in size.</exception>
    public static DataSplit Load(string directory, int classCount)
    {
        string full = Path.GetFullPath(directory);
        if (!Directory.Exists(full))
        {
            throw new DirectoryNotFoundException($"The data directory {full} does not exist.");
        }

        string?[] paths = FileNames.Select(name => Find(full, name)).ToArray();
        string[] missing = FileNames.Where((_, i) => paths[i] is null).ToArray();
        if (missing.Length > 0)
        {
            throw new DataFileException(full,
                $"The data directory {full} lacks {string.Join(", ", missing)} (plain or .gz).");
        }

        return Combine(
            () => TensorDataset.FromIdx(paths[0]!, paths[1]!, classCount),
            () => TensorDataset.FromIdx(paths[2]!, paths[3]!, classCount),
            paths[0]!, paths[2]!, full);
    }

    /// <summary>Loads both sets, checks their images have one size, and names the source; frees what it loaded if anything fails.</summary>
    internal static DataSplit Combine(Func<TensorDataset> loadTrain, Func<TensorDataset> loadTest,
        string trainImagesName, string testImagesName, string where)
    {
        TensorDataset train = loadTrain();
        TensorDataset? test = null;
        try
        {
            test = loadTest();
            long[] trainShape = train.Inputs.shape[1..], testShape = test.Inputs.shape[1..];
            if (!trainShape.SequenceEqual(testShape))
            {
                throw new DataFileException(testImagesName,
                    $"{testImagesName} holds images of {string.Join(" × ", testShape)} but {trainImagesName} holds images of {string.Join(" × ", trainShape)}; they must agree.");
            }

            return new DataSplit(train, test, Describe(where, train, test));
        }
        catch
        {
            train.Dispose();
            test?.Dispose();
            throw;
        }
    }

    /// <summary>"where (60,000 train / 10,000 test)".</summary>
    internal static string Describe(string where, TensorDataset train, TensorDataset test) =>
        string.Create(CultureInfo.InvariantCulture, $"{where} ({train.Count:N0} train / {test.Count:N0} test)");

    private static string? Find(string directory, string name)
    {
        string plain = Path.Combine(directory, name);
        if (File.Exists(plain))
        {
            return plain;
        }

        string gzipped = plain + ".gz";
        return File.Exists(gzipped) ? gzipped : null;
    }
}
