using System;
using System.IO;
using System.Reflection;

namespace Dsl.Runtime.Data;

/// <summary>
/// Fashion-MNIST (Zalando SE, MIT licence): 28 × 28 grayscale images of 10 kinds of clothing.
/// Finds the full data set on disk, or falls back to a balanced subset in the Dsl.Datasets package.
/// </summary>
public static class FashionMnist
{
    /// <summary>The number of classes.</summary>
    public const int ClassCount = 10;

    /// <summary>Where Debian's dataset-fashion-mnist package installs the four files.</summary>
    public const string DebianDirectory = "/usr/share/datasets/fashion-mnist";

    /// <summary>The assembly (and package) that holds the subset, found by name so this one does not carry it.</summary>
    internal const string SubsetAssembly = "Dsl.Datasets";

    // Dsl.Datasets.FashionMnistSubset.ResourcePrefix; kept in step by hand, since this assembly does not reference that one.
    private const string ResourcePrefix = "Dsl.Datasets.FashionMnist.";

    /// <summary>The message when <see cref="SubsetAssembly"/> is not in the application.</summary>
    internal const string SubsetMissingMessage =
        "The embedded Fashion-MNIST subset is in the Dsl.Datasets package, which this application does not reference: " +
        "`dotnet add package Dsl.Datasets`, or pass --data DIR with the Fashion-MNIST IDX files.";

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

    /// <summary>The MIT licence of Fashion-MNIST, as shipped with the embedded subset (in Dsl.Datasets).</summary>
    /// <exception cref="DataFileException">The application does not reference the Dsl.Datasets package.</exception>
    public static string License
    {
        get
        {
            using Stream stream = OpenResource(FindSubset(SubsetAssembly), "LICENSE");
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
    /// (see Runtime/Datasets/FashionMnist/README.md). It is in the Dsl.Datasets package, found by name: the
    /// application references that package, and no code needs to use it.</summary>
    /// <exception cref="DataFileException">The application does not reference the Dsl.Datasets package.</exception>
    public static DataSplit LoadEmbedded() => LoadEmbedded(SubsetAssembly);

    /// <summary><see cref="LoadEmbedded()"/> from the assembly named <paramref name="assemblyName"/> (tests name one that is absent).</summary>
    internal static DataSplit LoadEmbedded(string assemblyName)
    {
        Assembly subset = FindSubset(assemblyName);
        return IdxDirectory.Combine(
            () => LoadResourcePair(subset, IdxDirectory.FileNames[0], IdxDirectory.FileNames[1]),
            () => LoadResourcePair(subset, IdxDirectory.FileNames[2], IdxDirectory.FileNames[3]),
            ResourceName(IdxDirectory.FileNames[0]), ResourceName(IdxDirectory.FileNames[2]),
            "embedded subset");
    }

    /// <summary>Writes the embedded subset's four IDX files, gzipped as they are embedded (<see cref="IdxDirectory.FileNames"/> + ".gz"),
    /// to <paramref name="directory"/> (created if missing), so tools outside .NET (the exported train_ddp.py) read the same data.</summary>
    /// <returns>The paths written.</returns>
    /// <exception cref="DataFileException">The application does not reference the Dsl.Datasets package.</exception>
    public static string[] WriteEmbedded(string directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        Assembly subset = FindSubset(SubsetAssembly);
        Directory.CreateDirectory(directory);
        var written = new string[IdxDirectory.FileNames.Count];
        for (int i = 0; i < written.Length; i++)
        {
            string file = IdxDirectory.FileNames[i] + ".gz";
            written[i] = Path.Combine(directory, file);
            using Stream source = OpenResource(subset, file);
            using FileStream target = File.Create(written[i]);
            source.CopyTo(target);
        }

        return written;
    }

    // By name, not by reference: the subset is in the application's deps.json whenever it references Dsl.Datasets.
    private static Assembly FindSubset(string assemblyName)
    {
        try
        {
            return Assembly.Load(new AssemblyName(assemblyName));
        }
        catch (FileNotFoundException)
        {
            throw new DataFileException(SubsetAssembly, SubsetMissingMessage);
        }
    }

    private static TensorDataset LoadResourcePair(Assembly subset, string imagesFile, string labelsFile)
    {
        IdxImages images;
        using (Stream stream = OpenResource(subset, imagesFile + ".gz"))
        {
            images = IdxReader.ReadImages(stream, ResourceName(imagesFile));
        }

        byte[] labels;
        using (Stream stream = OpenResource(subset, labelsFile + ".gz"))
        {
            labels = IdxReader.ReadLabels(stream, ResourceName(labelsFile));
        }

        return TensorDataset.FromIdx(images, labels, ResourceName(imagesFile), ResourceName(labelsFile), ClassCount);
    }

    private static string ResourceName(string idxFile) => ResourcePrefix + idxFile + ".gz";

    private static Stream OpenResource(Assembly assembly, string file)
    {
        string name = ResourcePrefix + file;
        return assembly.GetManifestResourceStream(name)
            ?? throw new DataFileException(name, $"The embedded resource {name} is missing from {assembly.GetName().Name}.dll.");
    }
}
