using System;
using System.IO;
using System.Linq;
using System.Reflection;
using Dsl.Datasets;
using Dsl.Runtime.Data;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Dsl.Runtime.Tests.Data;

// One class: the tests that read or set XDG_CACHE_HOME must not run at the same time.
public sealed class FashionMnistTests
{
    [Fact]
    public void Class_names_follow_the_label_order()
    {
        Assert.Equal(FashionMnist.ClassCount, FashionMnist.ClassNames.Length);
        Assert.Equal("T-shirt/top", FashionMnist.ClassNames[0]);
        Assert.Equal("Sneaker", FashionMnist.ClassNames[7]);
        Assert.Equal("Ankle boot", FashionMnist.ClassNames[9]);
    }

    [Fact]
    public void Embedded_subset_has_8000_and_2000_balanced_images_in_0_to_1()
    {
        using DataSplit split = FashionMnist.LoadEmbedded();

        Assert.Equal("embedded subset (8,000 train / 2,000 test)", split.Source);
        AssertBalanced(split.Train, perClass: 800);
        AssertBalanced(split.Test, perClass: 200);
    }

    [Fact]
    public void Embedded_licence_is_MIT_from_Zalando()
    {
        string license = FashionMnist.License;

        Assert.Contains("MIT", license);
        Assert.Contains("Copyright (c) 2017 Zalando SE", license);
    }

    [Fact]
    public void Embedded_subset_without_Dsl_Datasets_says_which_package_to_add_in_one_line()
    {
        var error = Assert.Throws<DataFileException>(() => FashionMnist.LoadEmbedded("Dsl.Datasets.NotThere"));

        Assert.Equal("Dsl.Datasets", error.FilePath);
        Assert.Equal(
            "The embedded Fashion-MNIST subset is in the Dsl.Datasets package, which this application does not reference: " +
            "`dotnet add package Dsl.Datasets`, or pass --data DIR with the Fashion-MNIST IDX files.",
            error.Message);
    }

    [Fact]
    public void Dsl_Runtime_neither_references_nor_carries_the_subset()
    {
        Assembly runtime = typeof(FashionMnist).Assembly;

        Assert.DoesNotContain(runtime.GetReferencedAssemblies(), name => name.Name == "Dsl.Datasets");
        Assert.DoesNotContain(runtime.GetManifestResourceNames(), name => name.Contains("ubyte", StringComparison.Ordinal));
    }

    [Fact]
    public void Dsl_Datasets_opens_each_of_its_files_and_rejects_others()
    {
        foreach (string file in FashionMnistSubset.FileNames)
        {
            using Stream stream = FashionMnistSubset.Open(file);
            Assert.True(stream.Length > 0, file);
        }

        var error = Assert.Throws<ArgumentException>(() => FashionMnistSubset.Open("train-images-idx3-ubyte"));
        Assert.Contains("train-images-idx3-ubyte.gz", error.Message);
    }

    [Fact]
    public void Load_without_a_directory_takes_the_first_complete_source()
    {
        using DataSplit split = FashionMnist.Load();

        if (IdxDirectory.HasAllFiles(FashionMnist.DebianDirectory))
        {
            Assert.Equal($"{FashionMnist.DebianDirectory} (60,000 train / 10,000 test)", split.Source);
            Assert.Equal(60000, split.Train.Count);
            Assert.Equal(10000, split.Test.Count);
        }
        else if (IdxDirectory.HasAllFiles(FashionMnist.UserCacheDirectory))
        {
            Assert.StartsWith(FashionMnist.UserCacheDirectory, split.Source);
        }
        else
        {
            Assert.Equal(8000, split.Train.Count);
            Assert.StartsWith("embedded subset", split.Source);
        }

        Assert.Equal(new long[] { 1, 28, 28 }, split.Train.Inputs.shape[1..]);
    }

    [Fact]
    public void User_cache_directory_follows_XDG_CACHE_HOME_when_it_is_absolute()
    {
        string? saved = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        try
        {
            Environment.SetEnvironmentVariable("XDG_CACHE_HOME", "/some/cache");
            Assert.Equal("/some/cache/dsl/fashion-mnist", FashionMnist.UserCacheDirectory);

            string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
            Environment.SetEnvironmentVariable("XDG_CACHE_HOME", "relative/cache");
            Assert.Equal(Path.Combine(home, ".cache/dsl/fashion-mnist"), FashionMnist.UserCacheDirectory);
            Environment.SetEnvironmentVariable("XDG_CACHE_HOME", null);
            Assert.Equal(Path.Combine(home, ".cache/dsl/fashion-mnist"), FashionMnist.UserCacheDirectory);
        }
        finally
        {
            Environment.SetEnvironmentVariable("XDG_CACHE_HOME", saved);
        }
    }

    [Fact]
    public void Load_from_a_directory_reads_plain_and_gzipped_files()
    {
        using var dir = new TempDirectory();
        WriteSmallSet(dir);

        using DataSplit split = FashionMnist.Load(dir.Path);

        Assert.Equal($"{dir.Path} (4 train / 2 test)", split.Source);
        Assert.Equal(new long[] { 0, 9, 3, 3 }, split.Train.Labels.data<long>().ToArray());
        Assert.Equal(new long[] { 2, 1, 3, 4 }, split.Test.Inputs.shape);
    }

    [Fact]
    public void Load_from_a_directory_missing_a_file_names_it_and_does_not_fall_back()
    {
        using var dir = new TempDirectory();
        WriteSmallSet(dir);
        File.Delete(Path.Combine(dir.Path, "t10k-labels-idx1-ubyte.gz"));

        var error = Assert.Throws<DataFileException>(() => FashionMnist.Load(dir.Path));

        Assert.Contains(dir.Path, error.Message);
        Assert.Contains("t10k-labels-idx1-ubyte", error.Message);
        Assert.DoesNotContain("train-images", error.Message);
    }

    [Fact]
    public void Load_from_a_directory_that_does_not_exist_names_it()
    {
        string missing = Path.Combine(Path.GetTempPath(), "dsl-data-tests-" + Guid.NewGuid().ToString("N"));

        var error = Assert.Throws<DirectoryNotFoundException>(() => FashionMnist.Load(missing));

        Assert.Contains(missing, error.Message);
    }

    [Fact]
    public void Load_rejects_a_label_of_10()
    {
        using var dir = new TempDirectory();
        WriteSmallSet(dir);
        string labels = dir.Write("t10k-labels-idx1-ubyte.gz", IdxBytes.Labels(1, 10));

        var error = Assert.Throws<DataFileException>(() => FashionMnist.Load(dir.Path));

        Assert.Equal(labels, error.FilePath);
        Assert.Contains("label 10 at index 1, outside the 10 classes 0..9", error.Message);
    }

    [Fact]
    public void Load_rejects_test_images_of_another_size_than_the_training_images()
    {
        using var dir = new TempDirectory();
        WriteSmallSet(dir);
        string testImages = dir.Write("t10k-images-idx3-ubyte", IdxBytes.Images(2, rows: 5, columns: 4));

        var error = Assert.Throws<DataFileException>(() => FashionMnist.Load(dir.Path));

        Assert.Equal(testImages, error.FilePath);
        Assert.Contains("1 × 5 × 4", error.Message);
        Assert.Contains("1 × 3 × 4", error.Message);
    }

    private static void WriteSmallSet(TempDirectory dir)
    {
        dir.Write("train-images-idx3-ubyte.gz", IdxBytes.Gzip(IdxBytes.Images(4)));
        dir.Write("train-labels-idx1-ubyte", IdxBytes.Labels(0, 9, 3, 3));
        dir.Write("t10k-images-idx3-ubyte", IdxBytes.Images(2));
        dir.Write("t10k-labels-idx1-ubyte.gz", IdxBytes.Gzip(IdxBytes.Labels(5, 1)));
    }

    private static void AssertBalanced(TensorDataset data, int perClass)
    {
        using var scope = torch.NewDisposeScope();
        Assert.Equal(perClass * FashionMnist.ClassCount, data.Count);
        Assert.Equal(new long[] { data.Count, 1, 28, 28 }, data.Inputs.shape);
        long[] counts = torch.bincount(data.Labels, minlength: FashionMnist.ClassCount).data<long>().ToArray();
        Assert.All(counts, count => Assert.Equal(perClass, count));
        Assert.Equal(0f, data.Inputs.min().item<float>());
        Assert.Equal(1f, data.Inputs.max().item<float>());
    }
}
