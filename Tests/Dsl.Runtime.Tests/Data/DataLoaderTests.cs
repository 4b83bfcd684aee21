using System;
using System.Collections.Generic;
using System.Linq;
using Dsl.Runtime.Data;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Dsl.Runtime.Tests.Data;

public sealed class DataLoaderTests
{
    /// <summary>Example i has label i and every input value equal to i, so batches can be traced back.</summary>
    private static TensorDataset Numbered(int count) =>
        new(torch.arange(count, ScalarType.Float32).view(count, 1, 1, 1).expand(count, 1, 4, 4).contiguous(),
            torch.arange(count, ScalarType.Int64));

    [Theory]
    [InlineData(10, 3, false, 4, 1)]
    [InlineData(10, 3, true, 3, 3)]
    [InlineData(9, 3, false, 3, 3)]
    [InlineData(2, 3, true, 0, 0)]
    public void Batch_count_and_last_batch_size_follow_dropLast(int count, int batchSize, bool dropLast, int batches, int lastSize)
    {
        using TensorDataset data = Numbered(count);
        var loader = new DataLoader(data, batchSize, shuffle: true, dropLast: dropLast);

        List<Batch> epoch = loader.Epoch(0, seed: 1, torch.CPU).ToList();

        Assert.Equal(batches, loader.BatchCount);
        Assert.Equal(batches, epoch.Count);
        Assert.Equal(Enumerable.Range(0, batches), epoch.Select(b => b.Index));
        if (batches > 0)
        {
            Assert.Equal(lastSize, epoch[^1].Size);
            Assert.All(epoch.SkipLast(1), b => Assert.Equal(batchSize, b.Size));
        }

        epoch.ForEach(b => b.Dispose());
    }

    [Fact]
    public void A_shuffled_epoch_visits_every_example_exactly_once_and_keeps_inputs_with_their_labels()
    {
        using TensorDataset data = Numbered(50);
        var loader = new DataLoader(data, batchSize: 8, shuffle: true);

        var seen = new List<long>();
        foreach (Batch batch in loader.Epoch(3, seed: 42, torch.CPU))
        {
            using (batch)
            {
                long[] labels = batch.Labels.data<long>().ToArray();
                float[] firstPixels = batch.Inputs[.., 0, 0, 0].data<float>().ToArray();
                Assert.Equal(labels.Select(l => (float)l), firstPixels);
                seen.AddRange(labels);
            }
        }

        Assert.Equal(Enumerable.Range(0, 50).Select(i => (long)i), seen.Order());
        Assert.NotEqual(Enumerable.Range(0, 50).Select(i => (long)i), seen);
    }

    [Fact]
    public void Without_shuffle_the_order_is_the_data_order()
    {
        using TensorDataset data = Numbered(7);
        var loader = new DataLoader(data, batchSize: 3, shuffle: false);

        Assert.Equal(Enumerable.Range(0, 7).Select(i => (long)i), LabelsOf(loader.Epoch(5, seed: 9, torch.CPU)));
    }

    [Fact]
    public void The_order_is_a_pure_function_of_seed_and_epoch()
    {
        using TensorDataset data = Numbered(100);
        var loader = new DataLoader(data, batchSize: 10, shuffle: true);

        long[] first = LabelsOf(loader.Epoch(2, seed: 7, torch.CPU));
        Assert.Equal(first, LabelsOf(loader.Epoch(2, seed: 7, torch.CPU)));
        Assert.Equal(first, LabelsOf(new DataLoader(data, batchSize: 10, shuffle: true).Epoch(2, seed: 7, torch.CPU)));
        Assert.NotEqual(first, LabelsOf(loader.Epoch(3, seed: 7, torch.CPU)));
        Assert.NotEqual(first, LabelsOf(loader.Epoch(2, seed: 8, torch.CPU)));
        Assert.Equal(first, loader.Order(2, seed: 7));
    }

    [Fact]
    public void Seeds_that_differ_only_in_their_high_bits_give_different_orders()
    {
        // libtorch's CPU generator keeps only a seed's low 32 bits; the loader must mix the high ones in first.
        using TensorDataset data = Numbered(100);
        var loader = new DataLoader(data, batchSize: 10, shuffle: true);

        Assert.NotEqual(loader.Order(0, seed: 1), loader.Order(0, seed: 1 + (1L << 32)));
    }

    [Fact]
    public void Skipping_batches_gives_the_tail_of_the_same_epoch_augmentation_included()
    {
        using TensorDataset data = Numbered(40);
        var loader = new DataLoader(data, batchSize: 6, shuffle: true, new Normalization(5, 2), new Augmentation(CropPadding: 1, HorizontalFlip: true));

        List<Batch> full = loader.Epoch(4, seed: 11, torch.CPU).ToList();
        List<Batch> resumed = loader.Epoch(4, seed: 11, torch.CPU, skipBatches: 3).ToList();

        Assert.Equal(full.Count - 3, resumed.Count);
        for (int i = 0; i < resumed.Count; i++)
        {
            Assert.Equal(full[i + 3].Index, resumed[i].Index);
            Assert.True(Tensors.Same(full[i + 3].Labels, resumed[i].Labels));
            Assert.True(Tensors.Same(full[i + 3].Inputs, resumed[i].Inputs));
        }

        Assert.Empty(loader.Epoch(4, seed: 11, torch.CPU, skipBatches: loader.BatchCount));
        Assert.Throws<ArgumentOutOfRangeException>(() => loader.Epoch(4, seed: 11, torch.CPU, skipBatches: loader.BatchCount + 1));
        full.Concat(resumed).ToList().ForEach(b => b.Dispose());
    }

    [Fact]
    public void Batches_are_augmented_then_normalised()
    {
        using TensorDataset data = Numbered(6);
        var normalization = new Normalization(mean: 1, std: 4);
        var loader = new DataLoader(data, batchSize: 6, shuffle: false, normalization, new Augmentation(CropPadding: 2));

        using Batch batch = loader.Epoch(0, seed: 0, torch.CPU).Single();

        // Padding zeros become (0 − 1) / 4 after normalisation, image values i become (i − 1) / 4.
        float[] values = batch.Inputs.data<float>().ToArray();
        Assert.Contains(-0.25f, values);
        Assert.All(values, v => Assert.Contains(v, new[] { -0.25f, 0f, 0.25f, 0.5f, 0.75f, 1f }));
        Assert.Equal(Enumerable.Range(0, 6).Select(i => (i - 1) / 4f), batch.Inputs.amax(new long[] { 1, 2, 3 }).data<float>().ToArray());
    }

    [Fact]
    public void An_epoch_leaves_no_tensor_behind_once_its_batches_are_disposed()
    {
        using TensorDataset data = Numbered(30);
        var loader = new DataLoader(data, batchSize: 4, shuffle: true, new Normalization(0.5, 0.25), new Augmentation(2, true));
        long before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;

        foreach (Batch batch in loader.Epoch(1, seed: 5, torch.CPU))
        {
            batch.Dispose();
        }

        Assert.Equal(before, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }

    [Fact]
    public void Batches_belong_to_the_callers_dispose_scope_when_there_is_one()
    {
        using TensorDataset data = Numbered(8);
        var loader = new DataLoader(data, batchSize: 4, shuffle: true);
        Batch batch;

        using (torch.NewDisposeScope())
        {
            batch = loader.Epoch(0, seed: 1, torch.CPU).First();
            Assert.False(batch.Inputs.IsInvalid);
        }

        Assert.True(batch.Inputs.IsInvalid);
        Assert.True(batch.Labels.IsInvalid);
        Assert.False(data.Inputs.IsInvalid);
    }

    private static long[] LabelsOf(IEnumerable<Batch> epoch)
    {
        var labels = new List<long>();
        foreach (Batch batch in epoch)
        {
            using (batch)
            {
                labels.AddRange(batch.Labels.data<long>().ToArray());
            }
        }

        return labels.ToArray();
    }
}
