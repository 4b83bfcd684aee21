using System;
using System.Linq;
using Dsl.Runtime.Data;
using Xunit;
using static TorchSharp.torch;

namespace Dsl.Runtime.Tests.Data;

public sealed class SequenceAndSeriesTests
{
    private static readonly long[][] Sequences = { new long[] { 5, 6, 7 }, new long[] { 8 }, new long[] { 1, 2, 3, 4, 5 }, new long[] { 9, 9 } };

    [Fact]
    public void Each_batch_is_padded_to_its_own_longest_sequence_with_a_padding_mask()
    {
        var data = SequenceDataset.WithLabels(Sequences, new long[] { 0, 1, 2, 3 }, padId: 0);

        var batches = data.Batches(batchSize: 2).ToList();

        Assert.Equal(new long[] { 2, 3 }, batches[0].Inputs.shape);   // longest of (3, 1)
        Assert.Equal(new long[] { 2, 5 }, batches[1].Inputs.shape);   // longest of (5, 2)
        Assert.Equal(new long[] { 5, 6, 7, 8, 0, 0 }, batches[0].Inputs.data<long>().ToArray());
        Assert.Equal(new[] { false, false, false, false, true, true }, batches[0].PaddingMask.data<bool>().ToArray());
        Assert.Equal(new long[] { 3, 1 }, batches[0].Lengths.data<long>().ToArray());
        Assert.Equal(new long[] { 2, 3 }, batches[1].Targets.data<long>().ToArray());
        batches.ForEach(b => b.Dispose());
    }

    [Fact]
    public void Targets_are_padded_with_the_ignore_index_and_shuffling_is_seeded()
    {
        var targets = Sequences.Select(s => s.Select(t => t + 1).ToArray()).ToArray();
        var data = SequenceDataset.WithTargets(Sequences, targets);

        using var all = data.ToTensorDataset(ignoreIndex: -100);
        var order1 = data.Batches(2, shuffle: true, seed: 3, epoch: 1).SelectMany(b => { using (b) return b.Indices; }).ToArray();
        var order2 = data.Batches(2, shuffle: true, seed: 3, epoch: 1).SelectMany(b => { using (b) return b.Indices; }).ToArray();

        Assert.Equal(new long[] { 4, 5 }, all.Inputs.shape);
        Assert.Equal(new long[] { 9, -100, -100, -100, -100 }, all.Labels[1].data<long>().ToArray());
        Assert.Equal(order1, order2);
        Assert.Equal(new[] { 0, 1, 2, 3 }, order1.Order());
        Assert.Throws<ArgumentException>(() => SequenceDataset.WithTargets(Sequences, targets.Take(3).ToArray()));
        Assert.Throws<ArgumentException>(() => data.ToTensorDataset(length: 4));
    }

    [Fact]
    public void A_series_becomes_windows_and_the_values_that_follow_them()
    {
        var series = Enumerable.Range(0, 10).Select(i => (float)i).ToArray();

        using var windows = TimeSeriesWindows.Create(series, window: 4, horizon: 2, stride: 2);

        Assert.Equal(new long[] { 3, 1, 4 }, windows.Inputs.shape);  // starts 0, 2, 4: [N, C, window]
        Assert.Equal(new long[] { 3, 2 }, windows.Labels.shape);     // [N, horizon]
        Assert.Equal(new float[] { 2, 3, 4, 5 }, windows.Inputs[1].flatten().data<float>().ToArray());
        Assert.Equal(new float[] { 8, 9 }, windows.Labels[2].data<float>().ToArray());
        Assert.Throws<ArgumentException>(() => TimeSeriesWindows.Create(series, 9, 2));
    }

    [Fact]
    public void Several_channels_keep_their_channel_axis()
    {
        using var series = arange(0, 20, dtype: float32).view(10, 2); // [L, C]: channel 0 even, channel 1 odd

        using var windows = TimeSeriesWindows.Create(series, window: 3, horizon: 1);

        Assert.Equal(new long[] { 7, 2, 3 }, windows.Inputs.shape);
        Assert.Equal(new long[] { 7, 2, 1 }, windows.Labels.shape);
        Assert.Equal(new float[] { 1, 3, 5 }, windows.Inputs[0][1].data<float>().ToArray());
        Assert.Equal(new float[] { 6, 7 }, windows.Labels[0].flatten().data<float>().ToArray());
    }

    [Fact]
    public void The_validation_split_is_stratified_disjoint_and_seeded()
    {
        using var labels = cat(new[] { zeros(80, ScalarType.Int64), ones(20, ScalarType.Int64) });
        using var data = new TensorDataset(arange(100, dtype: float32).view(100, 1), labels.clone());

        var (train, validation) = data.SplitValidation(0.1, seed: 5);
        var (train2, validation2) = data.SplitValidation(0.1, seed: 5);
        var (_, other) = data.SplitValidation(0.1, seed: 6);
        using (train) using (validation) using (train2) using (validation2) using (other)
        {
            var validationIds = validation.Inputs.flatten().data<float>().ToArray();
            var trainIds = train.Inputs.flatten().data<float>().ToArray();
            Assert.Equal(10, validationIds.Length);
            Assert.Equal(2, validation.Labels.sum().item<long>());                   // 10 % of each class
            Assert.Empty(validationIds.Intersect(trainIds));
            Assert.Equal(100, validationIds.Length + trainIds.Length);
            Assert.Equal(validationIds, validation2.Inputs.flatten().data<float>().ToArray());
            Assert.NotEqual(validationIds, other.Inputs.flatten().data<float>().ToArray());
        }
    }
}
