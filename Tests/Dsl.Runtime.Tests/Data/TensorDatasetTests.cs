using System;
using Dsl.Runtime.Data;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Dsl.Runtime.Tests.Data;

public sealed class TensorDatasetTests
{
    [Fact]
    public void FromIdx_gives_float_images_in_0_to_1_and_int64_labels()
    {
        using var dir = new TempDirectory();
        string images = dir.Write("images", IdxBytes.Images(2, 3, 4, (n, r, c) => n == 1 && r == 2 && c == 3 ? (byte)255 : (byte)(n * 10 + c)));
        string labels = dir.Write("labels.gz", IdxBytes.Gzip(IdxBytes.Labels(7, 200)));

        using TensorDataset data = TensorDataset.FromIdx(images, labels);

        Assert.Equal(2, data.Count);
        Assert.Equal(new long[] { 2, 1, 3, 4 }, data.Inputs.shape);
        Assert.Equal(ScalarType.Float32, data.Inputs.dtype);
        Assert.Equal(ScalarType.Int64, data.Labels.dtype);
        Assert.Equal(new long[] { 7, 200 }, data.Labels.data<long>().ToArray());
        Assert.Equal(1f, data.Inputs[1, 0, 2, 3].item<float>());
        Assert.Equal(12f / 255f, data.Inputs[1, 0, 0, 2].item<float>(), 6);
        Assert.Equal(0f, data.Inputs[0, 0, 0, 0].item<float>());
    }

    [Fact]
    public void FromIdx_with_label_and_image_counts_that_differ_names_both_files()
    {
        using var dir = new TempDirectory();
        string images = dir.Write("images", IdxBytes.Images(3));
        string labels = dir.Write("labels", IdxBytes.Labels(1, 2));

        var error = Assert.Throws<DataFileException>(() => TensorDataset.FromIdx(images, labels));

        Assert.Contains(images, error.Message);
        Assert.Contains(labels, error.Message);
        Assert.Contains("2 labels", error.Message);
        Assert.Contains("3 images", error.Message);
    }

    [Fact]
    public void FromIdx_with_a_class_count_rejects_a_label_outside_it()
    {
        using var dir = new TempDirectory();
        string images = dir.Write("images", IdxBytes.Images(3));
        string labels = dir.Write("labels", IdxBytes.Labels(1, 10, 2));

        var error = Assert.Throws<DataFileException>(() => TensorDataset.FromIdx(images, labels, classCount: 10));

        Assert.Equal(labels, error.FilePath);
        Assert.Contains("label 10 at index 1", error.Message);
    }

    [Fact]
    public void Constructor_rejects_tensors_whose_first_dimensions_differ()
    {
        using Tensor inputs = torch.zeros(4, 1, 2, 2);
        using Tensor labels = torch.zeros(3, ScalarType.Int64);

        var error = Assert.Throws<ArgumentException>(() => new TensorDataset(inputs, labels));

        Assert.Contains("4", error.Message);
        Assert.Contains("3", error.Message);
    }

    [Fact]
    public void Tensors_outlive_the_dispose_scope_they_were_made_in()
    {
        TensorDataset data;
        using (torch.NewDisposeScope())
        {
            data = new TensorDataset(torch.ones(2, 1, 2, 2), torch.zeros(2, ScalarType.Int64));
        }

        using (data)
        {
            Assert.Equal(8f, data.Inputs.sum().item<float>());
        }

        Assert.True(data.Inputs.IsInvalid);
    }

    [Fact]
    public void Subset_is_a_copy_of_the_chosen_range()
    {
        using var data = new TensorDataset(torch.arange(5f).view(5, 1, 1, 1), torch.arange(5L));

        using TensorDataset subset = data.Subset(1, 3);
        subset.Inputs.fill_(-1f);

        Assert.Equal(3, subset.Count);
        Assert.Equal(new long[] { 1, 2, 3 }, subset.Labels.data<long>().ToArray());
        Assert.Equal(new float[] { 0, 1, 2, 3, 4 }, data.Inputs.data<float>().ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => data.Subset(3, 3));
    }
}
