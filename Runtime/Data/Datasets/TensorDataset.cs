using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace Dsl.Runtime.Data;

/// <summary>
/// Examples held as two CPU tensors: inputs (images as float32 [N, 1, H, W] scaled to 0..1, token ids as int64 [N, T], ...)
/// and labels or targets (class indices int64 [N], token ids [N, T], float targets of the output's shape).
/// Owns its tensors: they are taken out of any dispose scope and freed by <see cref="Dispose"/>.
/// </summary>
public sealed class TensorDataset : IDisposable
{
    /// <summary>Wraps two tensors whose first dimensions agree; the dataset takes ownership of both.</summary>
    /// <param name="inputs">The inputs, first dimension = example.</param>
    /// <param name="labels">The labels, first dimension = example.</param>
    /// <exception cref="ArgumentException">The tensors are scalars or their first dimensions differ.</exception>
    public TensorDataset(Tensor inputs, Tensor labels)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(labels);
        if (inputs.Dimensions == 0 || labels.Dimensions == 0)
        {
            throw new ArgumentException("Inputs and labels need a first dimension that counts the examples; a scalar was given.");
        }

        if (inputs.shape[0] != labels.shape[0])
        {
            throw new ArgumentException($"Inputs hold {inputs.shape[0]} examples but labels hold {labels.shape[0]}; they must agree.");
        }

        // Long-lived data must not vanish when a caller's per-step dispose scope closes.
        Inputs = inputs.DetachFromDisposeScope();
        Labels = labels.DetachFromDisposeScope();
    }

    /// <summary>The inputs, [N, ...].</summary>
    public Tensor Inputs { get; }

    /// <summary>The labels, [N].</summary>
    public Tensor Labels { get; }

    /// <summary>The number of examples N.</summary>
    public long Count => Inputs.shape[0];

    /// <summary>Reads an IDX images file and an IDX labels file (plain or gzipped).</summary>
    /// <param name="imagesPath">The images file (magic 0x00000803).</param>
    /// <param name="labelsPath">The labels file (magic 0x00000801).</param>
    /// <exception cref="DataFileException">A file is bad, or the two counts differ (the message names both files).</exception>
    public static TensorDataset FromIdx(string imagesPath, string labelsPath) =>
        FromIdx(imagesPath, labelsPath, classCount: 256);

    /// <summary>Reads an IDX images file and an IDX labels file and checks every label is below <paramref name="classCount"/>.</summary>
    /// <param name="imagesPath">The images file (magic 0x00000803).</param>
    /// <param name="labelsPath">The labels file (magic 0x00000801).</param>
    /// <param name="classCount">Labels must lie in 0..classCount-1 (at most 256, as labels are bytes).</param>
    /// <exception cref="DataFileException">A file is bad, the counts differ, or a label is out of range.</exception>
    public static TensorDataset FromIdx(string imagesPath, string labelsPath, int classCount)
    {
        // Both headers first: a count mismatch (or an impossible size) is reported before any data is read.
        int images = IdxReader.ReadDeclaredCount(imagesPath, IdxReader.ImagesMagic);
        int labels = IdxReader.ReadDeclaredCount(labelsPath, IdxReader.LabelsMagic);
        if (images != labels)
        {
            string imagesName = Path.GetFullPath(imagesPath), labelsName = Path.GetFullPath(labelsPath);
            throw new DataFileException(labelsName,
                $"{labelsName} holds {labels} labels but {imagesName} holds {images} images; they must match one to one.");
        }

        return FromIdx(IdxReader.ReadImages(imagesPath), IdxReader.ReadLabels(labelsPath),
            Path.GetFullPath(imagesPath), Path.GetFullPath(labelsPath), classCount);
    }

    /// <summary>Builds a dataset from IDX contents already read, checking they belong together.</summary>
    /// <param name="images">The images.</param>
    /// <param name="labels">One label per image.</param>
    /// <param name="imagesName">The images file's path or resource name, for error messages.</param>
    /// <param name="labelsName">The labels file's path or resource name, for error messages.</param>
    /// <param name="classCount">Labels must lie in 0..classCount-1 (at most 256).</param>
    /// <exception cref="DataFileException">The counts differ or a label is out of range.</exception>
    public static TensorDataset FromIdx(IdxImages images, byte[] labels, string imagesName, string labelsName, int classCount)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentOutOfRangeException.ThrowIfLessThan(classCount, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(classCount, 256);
        if (labels.Length != images.Count)
        {
            throw new DataFileException(labelsName,
                $"{labelsName} holds {labels.Length} labels but {imagesName} holds {images.Count} images; they must match one to one.");
        }

        int bad = Array.FindIndex(labels, label => label >= classCount);
        if (bad >= 0)
        {
            throw new DataFileException(labelsName,
                $"{labelsName} has label {labels[bad]} at index {bad}, outside the {classCount} classes 0..{classCount - 1}.");
        }

        using var scope = torch.NewDisposeScope();
        Tensor bytes = torch.tensor(images.Pixels, new long[] { images.Count, 1, images.Rows, images.Columns });
        Tensor inputs = bytes.to(ScalarType.Float32).div_(255f);
        Tensor labelTensor = torch.tensor(labels, new long[] { labels.Length }).to(ScalarType.Int64);
        return new TensorDataset(inputs, labelTensor);
    }

    /// <summary>A copy of the examples <paramref name="start"/> .. <paramref name="start"/> + <paramref name="count"/> - 1.</summary>
    /// <param name="start">The first example.</param>
    /// <param name="count">How many examples.</param>
    public TensorDataset Subset(long start, long count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (start + count > Count)
        {
            throw new ArgumentOutOfRangeException(nameof(count), $"Examples {start}..{start + count - 1} lie outside the {Count} examples of this dataset.");
        }

        using var scope = torch.NewDisposeScope();
        return new TensorDataset(Inputs.narrow(0, start, count).clone(), Labels.narrow(0, start, count).clone());
    }

    /// <summary>A copy of the examples at <paramref name="indices"/>, in that order.</summary>
    public TensorDataset Select(long[] indices)
    {
        ArgumentNullException.ThrowIfNull(indices);
        using var scope = torch.NewDisposeScope();
        Tensor index = torch.tensor(indices, ScalarType.Int64);
        return new TensorDataset(Inputs.index_select(0, index), Labels.index_select(0, index));
    }

    /// <summary>
    /// Splits off a validation set of about <paramref name="fraction"/> of the examples, chosen by
    /// <paramref name="seed"/>: per class when the labels are class indices [N] (each class keeps its share, at least one
    /// example of every class with two or more), at random otherwise. Both parts keep the original order; this set is unchanged.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The fraction is not in (0, 1), or leaves either part empty.</exception>
    public (TensorDataset Train, TensorDataset Validation) SplitValidation(double fraction, long seed)
    {
        if (!(fraction > 0 && fraction < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(fraction), fraction, "the validation fraction must lie strictly between 0 and 1");
        }

        var random = new Random(unchecked((int)SeedMixer.Mix(seed, 0x5917)));
        var validation = new List<long>();
        bool byClass = Labels.Dimensions == 1 && !Labels.is_floating_point();
        IEnumerable<List<long>> groups;
        if (byClass)
        {
            long[] labels;
            using (var scope = torch.NewDisposeScope())
            {
                labels = Labels.to(ScalarType.Int64).data<long>().ToArray();
            }

            groups = Enumerable.Range(0, labels.Length).GroupBy(i => labels[i]).OrderBy(g => g.Key).Select(g => g.Select(i => (long)i).ToList());
        }
        else
        {
            groups = new[] { Enumerable.Range(0, checked((int)Count)).Select(i => (long)i).ToList() };
        }

        foreach (List<long> group in groups)
        {
            long[] shuffled = group.ToArray();
            random.Shuffle(shuffled);
            int take = (int)Math.Round(fraction * shuffled.Length);
            if (take == 0 && shuffled.Length >= 2 && byClass)
            {
                take = 1;
            }

            validation.AddRange(shuffled.Take(take));
        }

        var chosen = validation.ToHashSet();
        long[] trainIndices = Enumerable.Range(0, checked((int)Count)).Select(i => (long)i).Where(i => !chosen.Contains(i)).ToArray();
        long[] validationIndices = validation.Order().ToArray();
        if (trainIndices.Length == 0 || validationIndices.Length == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(fraction), fraction,
                $"a validation fraction of {fraction} of {Count} examples leaves {trainIndices.Length} for training and {validationIndices.Length} for validation; both need some");
        }

        return (Select(trainIndices), Select(validationIndices));
    }

    /// <summary>Frees both tensors.</summary>
    public void Dispose()
    {
        Inputs.Dispose();
        Labels.Dispose();
    }
}
