using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace Dsl.Runtime.Data;

/// <summary>
/// Token-id sequences of different lengths, each with a class label or a sequence of target ids. Batches are padded to
/// their own longest sequence (<see cref="Batches"/>), with a padding mask; <see cref="ToTensorDataset"/> pads every
/// sequence to the longest one, for the trainer (target padding is the ignore index, so it counts in neither loss nor metrics).
/// </summary>
public sealed class SequenceDataset
{
    private readonly long[][] sequences;
    private readonly long[]? labels;
    private readonly long[][]? targets;

    private SequenceDataset(long[][] sequences, long[]? labels, long[][]? targets, long padId)
    {
        if (sequences.Length == 0)
        {
            throw new ArgumentException("a sequence dataset needs at least one sequence");
        }

        int empty = Array.FindIndex(sequences, s => s is null || s.Length == 0);
        if (empty >= 0)
        {
            throw new ArgumentException($"sequence {empty} is empty; every sequence needs at least one token");
        }

        this.sequences = sequences;
        this.labels = labels;
        this.targets = targets;
        PadId = padId;
    }

    /// <summary>Sequences with one class label each.</summary>
    /// <param name="sequences">The token ids of each sequence.</param>
    /// <param name="labels">One class index per sequence.</param>
    /// <param name="padId">The id that fills the positions after a sequence's end.</param>
    public static SequenceDataset WithLabels(IReadOnlyList<long[]> sequences, IReadOnlyList<long> labels, long padId = 0)
    {
        ArgumentNullException.ThrowIfNull(sequences);
        ArgumentNullException.ThrowIfNull(labels);
        if (sequences.Count != labels.Count)
        {
            throw new ArgumentException($"{sequences.Count} sequences but {labels.Count} labels; they must match one to one");
        }

        return new SequenceDataset(sequences.ToArray(), labels.ToArray(), null, padId);
    }

    /// <summary>Sequences with a target id per position (token classification).</summary>
    /// <param name="sequences">The input ids of each sequence.</param>
    /// <param name="targets">The target ids of each sequence, as long as its input.</param>
    /// <param name="padId">The id that fills inputs after a sequence's end.</param>
    public static SequenceDataset WithTargets(IReadOnlyList<long[]> sequences, IReadOnlyList<long[]> targets, long padId = 0)
    {
        ArgumentNullException.ThrowIfNull(sequences);
        ArgumentNullException.ThrowIfNull(targets);
        if (sequences.Count != targets.Count)
        {
            throw new ArgumentException($"{sequences.Count} sequences but {targets.Count} target sequences; they must match one to one");
        }

        for (int i = 0; i < sequences.Count; i++)
        {
            if (sequences[i].Length != targets[i].Length)
            {
                throw new ArgumentException($"sequence {i} has {sequences[i].Length} tokens but {targets[i].Length} targets; they must be as long");
            }
        }

        return new SequenceDataset(sequences.ToArray(), null, targets.ToArray(), padId);
    }

    /// <summary>The number of sequences.</summary>
    public int Count => sequences.Length;

    /// <summary>The id after a sequence's end.</summary>
    public long PadId { get; }

    /// <summary>The longest sequence's length.</summary>
    public int MaxLength => sequences.Max(s => s.Length);

    /// <summary>The batches of one pass, each padded to its longest sequence; shuffled by (<paramref name="seed"/>, <paramref name="epoch"/>) when asked.</summary>
    /// <param name="batchSize">Sequences per batch (the last may have fewer).</param>
    /// <param name="shuffle">Whether to visit the sequences in a random order.</param>
    /// <param name="seed">The seed of the order.</param>
    /// <param name="epoch">The epoch, mixed into the order's seed.</param>
    /// <param name="ignoreIndex">What fills target positions after a sequence's end.</param>
    public IEnumerable<SequenceBatch> Batches(int batchSize, bool shuffle = false, long seed = 0, int epoch = 0, long ignoreIndex = -100)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        int[] order = Enumerable.Range(0, Count).ToArray();
        if (shuffle)
        {
            new Random(unchecked((int)SeedMixer.Mix(seed, epoch, 0x5E9))).Shuffle(order);
        }

        for (int start = 0; start < Count; start += batchSize)
        {
            yield return Pad(order.Skip(start).Take(batchSize).ToArray(), null, ignoreIndex);
        }
    }

    /// <summary>Every sequence padded to <paramref name="length"/> (default: the longest), as inputs [N, T] and labels [N] or targets [N, T].</summary>
    /// <param name="length">The padded length; longer sequences are an error.</param>
    /// <param name="ignoreIndex">What fills target positions after a sequence's end.</param>
    public TensorDataset ToTensorDataset(int? length = null, long ignoreIndex = -100)
    {
        int t = length ?? MaxLength;
        int tooLong = Array.FindIndex(sequences, s => s.Length > t);
        if (tooLong >= 0)
        {
            throw new ArgumentException($"sequence {tooLong} has {sequences[tooLong].Length} tokens, more than the length {t}");
        }

        using SequenceBatch batch = Pad(Enumerable.Range(0, Count).ToArray(), t, ignoreIndex);
        using var scope = NewDisposeScope();
        return new TensorDataset(batch.Inputs.clone(), batch.Targets.clone());
    }

    private SequenceBatch Pad(int[] indices, int? length, long ignoreIndex)
    {
        int t = length ?? indices.Max(i => sequences[i].Length);
        var ids = new long[indices.Length * t];
        var mask = new bool[indices.Length * t];
        var lengths = new long[indices.Length];
        var target = targets is null ? null : new long[indices.Length * t];
        for (int row = 0; row < indices.Length; row++)
        {
            long[] sequence = sequences[indices[row]];
            lengths[row] = sequence.Length;
            for (int p = 0; p < t; p++)
            {
                bool inside = p < sequence.Length;
                ids[row * t + p] = inside ? sequence[p] : PadId;
                mask[row * t + p] = !inside;
                if (target is not null)
                {
                    target[row * t + p] = inside ? targets![indices[row]][p] : ignoreIndex;
                }
            }
        }

        Tensor targetTensor = target is not null
            ? torch.tensor(target, new long[] { indices.Length, t })
            : torch.tensor(indices.Select(i => labels![i]).ToArray(), new long[] { indices.Length });
        return new SequenceBatch(torch.tensor(ids, new long[] { indices.Length, t }), torch.tensor(mask, new long[] { indices.Length, t }),
            torch.tensor(lengths, new long[] { indices.Length }), targetTensor, indices);
    }
}

/// <summary>A batch of sequences padded to its longest one. Owns its tensors.</summary>
/// <param name="Inputs">Ids [B, T], <see cref="SequenceDataset.PadId"/> after each sequence's end.</param>
/// <param name="PaddingMask">[B, T] bool, true at padding (TorchSharp's convention for attention masks).</param>
/// <param name="Lengths">[B] the real lengths.</param>
/// <param name="Targets">Labels [B], or target ids [B, T] with the ignore index at padding.</param>
/// <param name="Indices">Which sequences of the dataset, in batch order.</param>
public sealed record SequenceBatch(Tensor Inputs, Tensor PaddingMask, Tensor Lengths, Tensor Targets, int[] Indices) : IDisposable
{
    /// <summary>Frees the tensors.</summary>
    public void Dispose()
    {
        Inputs.Dispose();
        PaddingMask.Dispose();
        Lengths.Dispose();
        Targets.Dispose();
    }
}
