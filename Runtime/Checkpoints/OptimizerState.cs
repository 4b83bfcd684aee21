using System;
using System.IO;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Dsl.Runtime.Checkpoints;

/// <summary>
/// An optimizer's state as bytes, through TorchSharp's <c>save_state_dict(BinaryWriter)</c> /
/// <c>load_state_dict(BinaryReader)</c>: per-parameter state (Adam: step, exp_avg, exp_avg_sq, …) and the
/// param-group options (learning rate, betas, weight decay, …) — loading therefore also restores the saved learning
/// rate. A learning-rate scheduler keeps its own state and is not included.
/// </summary>
public static class OptimizerState
{
    /// <summary>The optimizer's state.</summary>
    /// <exception cref="ArgumentException">The optimizer is not one of TorchSharp's built-in ones (OptimizerHelper).</exception>
    public static byte[] Save(optim.Optimizer optimizer)
    {
        var helper = Helper(optimizer);
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true))
            helper.save_state_dict(writer);
        return stream.ToArray();
    }

    /// <summary>
    /// Loads bytes made by <see cref="Save"/>, all or nothing: TorchSharp stops at the first problem after changing
    /// part of the state, so on failure the previous state is put back before the exception is thrown.
    /// </summary>
    /// <param name="optimizer">An optimizer of the same kind over parameters of the same shapes.</param>
    /// <param name="state">The bytes.</param>
    /// <param name="sourceName">Where they came from, for messages, e.g. "/runs/a/last.ckpt (section optimizer)".</param>
    /// <exception cref="CheckpointCorruptException">The bytes are truncated or have bytes left over.</exception>
    /// <exception cref="WeightsMismatchException">
    /// The state is from another kind of optimizer or from parameters of other shapes (TorchSharp does not say which parameter).
    /// </exception>
    public static void Load(optim.Optimizer optimizer, byte[] state, string sourceName = "the optimizer state")
    {
        ArgumentNullException.ThrowIfNull(state);
        var helper = Helper(optimizer);
        var previous = Save(optimizer);

        Exception? failure = null;
        long leftOver = 0;
        try
        {
            using var stream = new MemoryStream(state, writable: false);
            using var reader = new BinaryReader(stream);
            helper.load_state_dict(reader);
            leftOver = stream.Length - stream.Position;
        }
        catch (Exception e) when (e is EndOfStreamException or InvalidDataException or ArgumentException or FormatException or OverflowException)
        {
            failure = e;
        }
        if (failure is null && leftOver == 0)
            return;

        Restore(helper, previous);
        throw failure switch
        {
            null => new CheckpointCorruptException(sourceName, $"it has {leftOver} unexpected bytes after the optimizer state"),
            EndOfStreamException => new CheckpointCorruptException(sourceName, "the optimizer state in it is truncated", failure),
            OverflowException => new CheckpointCorruptException(sourceName, "the optimizer state in it is malformed (a length or count out of range)", failure),
            _ => new WeightsMismatchException(
                $"The optimizer state in {sourceName} does not fit this optimizer, nothing was loaded: {failure.Message.TrimEnd('.')} " +
                "(the optimizer's kind and its parameters' shapes must be those it was saved with).",
                [failure.Message],
                failure),
        };
    }

    private static void Restore(OptimizerHelper helper, byte[] previous)
    {
        using var stream = new MemoryStream(previous, writable: false);
        using var reader = new BinaryReader(stream);
        helper.load_state_dict(reader);
    }

    private static OptimizerHelper Helper(optim.Optimizer optimizer)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        return optimizer as OptimizerHelper ?? throw new ArgumentException(
            $"The optimizer {optimizer.GetType().Name} cannot save its state: only TorchSharp's built-in optimizers (OptimizerHelper) can.", nameof(optimizer));
    }
}
