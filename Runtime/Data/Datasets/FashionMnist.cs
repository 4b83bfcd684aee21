using System;
using System.IO;
using System.Reflection;

namespace Dsl.Runtime.Data;

/// <summary>
/// Fashion-MNIST (Zalando SE, MIT licence): 28 × 28 grayscale images of 10 kinds of clothing.
/// Finds the full data set on disk, or falls back to a balanced subset built into this assembly.
/// </summary>
public static class FashionMnist
{
    /// <summary>The number of classes.</summary>
    public const int ClassCount = 10;

    /// <summary>Where Debian's dataset-fashion-mnist package installs the four files.</summary>
    public const string DebianDirectory = "/usr/share/datasets/fashion-mnist";

    private const string ResourcePrefix = "Dsl.Runtime.Data.Embedded.";

    /// <summary>The class names, indexed by label.</summary>
    public static readonly string[] ClassNames =
        { "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot" };

    /// <summary>The per-user place for the four files: $XDG_CACHE_HOME/dsl/fashion-mnist, else ~/.cache/dsl/fashion-mnist.</summary>
    public static string UserCacheDirectory
    {
        get
        {
            // The XDG spec says a relative XDG_CACHE_HOME is invalid and must be ignored.
            string? xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
            string cache = !string.IsNullOrEmpty(xdg) && Path.IsPathRooted(xdg)
                ? xdg
                : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
            return Path.Combine(cache, "dsl", "fashion-mnist");
        }
    }

    /// <summary>The MIT licence of Fashion-MNIST, as shipped with the embedded subset.</summary>
    public static string License
    {
        get
        {
            using Stream stream = OpenResource("LICENSE");
            using var reader = new StreamReader(stream);
            return reader.ReadToEnd();
        }
    }

    /// <summary>
    /// Loads Fashion-MNIST. With a <paramref name="dataDirectory"/>, from there only (never falling back).
    /// Without, from the first of <see cref="DebianDirectory"/> and <see cref="UserCacheDirectory"/> that holds all four
    /// files, else from the embedded subset.
    /// </summary>
    /// <param name="dataDirectory">A directory holding the four IDX files (each plain or .gz), or null to search.</param>
    /// <exception cref="DirectoryNotFoundException">The given directory does not exist.</exception>
    /// <exception cref="DataFileException">A file is missing or bad.</exception>
    public static DataSplit Load(string? dataDirectory = null)
    {
        if (dataDirectory is not null)
        {
            return IdxDirectory.Load(dataDirectory, ClassCount);
        }

        foreach (string directory in new[] { DebianDirectory, UserCacheDirectory })
        {
            if (IdxDirectory.HasAllFiles(directory))
            {
                return IdxDirectory.Load(directory, ClassCount);
            }
        }

        return LoadEmbedded();
    }

    /// <summary>Loads the embedded subset: 8,000 training and 2,000 test images, equally many per class
    /// (see Runtime/Data/Embedded/README.md).</summary>
    public static DataSplit LoadEmbedded() =>
        IdxDirectory.Combine(
            () => LoadResourcePair(IdxDirectory.FileNames[0], IdxDirectory.FileNames[1]),
            () => LoadResourcePair(IdxDirectory.FileNames[2], IdxDirectory.FileNames[3]),
            ResourceName(IdxDirectory.FileNames[0]), ResourceName(IdxDirectory.FileNames[2]),
            "embedded subset");

    private static TensorDataset LoadResourcePair(string imagesFile, string labelsFile)
    {
        IdxImages images;
        using (Stream stream = OpenResource(imagesFile + ".gz"))
        {
            images = IdxReader.ReadImages(stream, ResourceName(imagesFile));
        }

        byte[] labels;
        using (Stream stream = OpenResource(labelsFile + ".gz"))
        {
            labels = IdxReader.ReadLabels(stream, ResourceName(labelsFile));
        }

        return TensorDataset.FromIdx(images, labels, ResourceName(imagesFile), ResourceName(labelsFile), ClassCount);
    }

    private static string ResourceName(string idxFile) => ResourcePrefix + idxFile + ".gz";

    private static Stream OpenResource(string file)
    {
        string name = ResourcePrefix + file;
        Assembly assembly = typeof(FashionMnist).Assembly;
        return assembly.GetManifestResourceStream(name)
            ?? throw new DataFileException(name, $"The embedded resource {name} is missing from {assembly.GetName().Name}.dll.");
    }
}
