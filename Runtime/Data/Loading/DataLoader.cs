using System;
using System.Collections.Generic;
using TorchSharp;
using static TorchSharp.torch;

namespace Dsl.Runtime.Data;

/// <summary>
/// Cuts a <see cref="TensorDataset"/> into batches, shuffled or not, normalised and augmented, on a chosen device.
/// Each epoch's order is a pure function of (seed, epoch) and each batch's augmentation a pure function of
/// (seed, epoch, batch index), so a resumed run that skips the first batches sees exactly what an uninterrupted run would.
/// </summary>
public sealed class DataLoader
{
    // Tags that keep the order's random stream apart from the augmentation's.
    private const long OrderStream = 1;
    private const long AugmentationStream = 2;

    /// <summary>Creates a loader over <paramref name="data"/> (which it does not own).</summary>
    /// <param name="data">The examples.</param>
    /// <param name="batchSize">Examples per batch (the last batch may be smaller unless <paramref name="dropLast"/>).</param>
    /// <param name="shuffle">Whether each epoch visits the examples in a fresh random order.</param>
    /// <param name="normalization">Applied to every batch's inputs, after augmentation; null for none.</param>
    /// <param name="augmentation">Applied to every batch's inputs; null for none.</param>
    /// <param name="dropLast">Whether to leave out a last batch smaller than <paramref name="batchSize"/>.</param>
    public DataLoader(TensorDataset data, int batchSize, bool shuffle, Normalization? normalization = null,
        Augmentation? augmentation = null, bool dropLast = false)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        Data = data;
        BatchSize = batchSize;
        Shuffle = shuffle;
        Normalization = normalization;
        Augmentation = augmentation ?? Augmentation.None;
        DropLast = dropLast;
        long batches = dropLast ? data.Count / batchSize : (data.Count + batchSize - 1) / batchSize;
        BatchCount = checked((int)batches);
    }

    /// <summary>The examples.</summary>
    public TensorDataset Data { get; }

    /// <summary>The number of examples in <see cref="Data"/> (an epoch with <see cref="DropLast"/> may use fewer).</summary>
    public long Count => Data.Count;

    /// <summary>Examples per batch.</summary>
    public int BatchSize { get; }

    /// <summary>Batches per epoch.</summary>
    public int BatchCount { get; }

    /// <summary>Whether each epoch has its own random order.</summary>
    public bool Shuffle { get; }

    /// <summary>Whether a last, smaller batch is left out.</summary>
    public bool DropLast { get; }

    /// <summary>The normalisation applied to inputs, or null.</summary>
    public Normalization? Normalization { get; }

    /// <summary>The augmentation applied to inputs (<see cref="Data.Augmentation.None"/> when none).</summary>
    public Augmentation Augmentation { get; }

    /// <summary>The order in which epoch <paramref name="epoch"/> visits the examples: a permutation of 0..Count-1
    /// (the identity when not shuffling), a pure function of (seed, epoch).</summary>
    /// <param name="epoch">The epoch number.</param>
    /// <param name="seed">The run's seed.</param>
    public long[] Order(int epoch, long seed)
    {
        if (!Shuffle)
        {
            var identity = new long[Count];
            for (long i = 0; i < identity.LongLength; i++)
            {
                identity[i] = i;
            }

            return identity;
        }

        using var generator = new Generator(SeedMixer.Mix(seed, epoch, OrderStream), torch.CPU);
        using Tensor permutation = torch.randperm(Count, ScalarType.Int64, generator: generator);
        return permutation.data<long>().ToArray();
    }

    /// <summary>
    /// The batches of one epoch, from batch <paramref name="skipBatches"/> on, already augmented, normalised and on
    /// <paramref name="device"/> (on CUDA, copied from pinned host memory without blocking). Each yielded
    /// <see cref="Batch"/> belongs to the caller, who disposes it; nothing else is left behind.
    /// </summary>
    /// <param name="epoch">The epoch number (0 or more).</param>
    /// <param name="seed">The run's seed.</param>
    /// <param name="device">Where the batches go.</param>
    /// <param name="skipBatches">How many leading batches to leave out, as when resuming mid-epoch.</param>
    public IEnumerable<Batch> Epoch(int epoch, long seed, Device device, int skipBatches = 0)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentOutOfRangeException.ThrowIfNegative(epoch);
        ArgumentOutOfRangeException.ThrowIfNegative(skipBatches);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(skipBatches, BatchCount);
        return Batches(Order(epoch, seed), epoch, seed, device, skipBatches);
    }

    private IEnumerable<Batch> Batches(long[] order, int epoch, long seed, Device device, int skipBatches)
    {
        for (int index = skipBatches; index < BatchCount; index++)
        {
            // Built in a method of its own: a dispose scope must never stay open across a yield.
            yield return MakeBatch(order, index, epoch, seed, device);
        }
    }

    private Batch MakeBatch(long[] order, int index, int epoch, long seed, Device device)
    {
        using var scope = torch.NewDisposeScope();
        long start = (long)index * BatchSize;
        int size = (int)Math.Min(BatchSize, Count - start);
        Tensor indices = torch.tensor(order.AsSpan((int)start, size).ToArray());
        Tensor inputs = ToDevice(Data.Inputs.index_select(0, indices), device);
        Tensor labels = ToDevice(Data.Labels.index_select(0, indices), device);
        if (!Augmentation.IsNone)
        {
            using var generator = new Generator(SeedMixer.Mix(seed, epoch, AugmentationStream, index), torch.CPU);
            inputs = Augmentation.Apply(inputs, generator);
        }

        if (Normalization is not null)
        {
            inputs = Normalization.Apply(inputs);
        }

        // To the caller's scope if it has one, else detached: the Batch owns them either way.
        scope.MoveToOuter(inputs, labels);
        return new Batch(inputs, labels, index);
    }

    private static Tensor ToDevice(Tensor tensor, Device device)
    {
        if (device.type == DeviceType.CPU && tensor.device_type == DeviceType.CPU)
        {
            return tensor;
        }

        // Pinned (page-locked) host memory lets the copy to the GPU run asynchronously.
        if (device.type == DeviceType.CUDA && tensor.device_type == DeviceType.CPU)
        {
            return tensor.pin_memory().to(device, non_blocking: true);
        }

        return tensor.to(device);
    }
}
