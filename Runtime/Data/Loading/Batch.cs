using System;
using static TorchSharp.torch;

namespace Dsl.Runtime.Data;

/// <summary>One batch of an epoch, ready for the model. Owns its two tensors: <see cref="Dispose"/> frees them.</summary>
public sealed class Batch : IDisposable
{
    /// <summary>Wraps a batch; it takes ownership of both tensors.</summary>
    /// <param name="inputs">Inputs [B, ...].</param>
    /// <param name="labels">Labels [B].</param>
    /// <param name="index">The batch's position in its epoch, from 0.</param>
    public Batch(Tensor inputs, Tensor labels, int index)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(labels);
        Inputs = inputs;
        Labels = labels;
        Index = index;
    }

    /// <summary>Inputs [B, ...], normalised and augmented, on the epoch's device.</summary>
    public Tensor Inputs { get; }

    /// <summary>Labels [B] (int64), on the epoch's device.</summary>
    public Tensor Labels { get; }

    /// <summary>The batch's position in its epoch, from 0 (skipped batches count).</summary>
    public int Index { get; }

    /// <summary>The number of examples B (the last batch may be smaller).</summary>
    public long Size => Inputs.shape[0];

    /// <summary>Frees both tensors.</summary>
    public void Dispose()
    {
        Inputs.Dispose();
        Labels.Dispose();
    }
}
