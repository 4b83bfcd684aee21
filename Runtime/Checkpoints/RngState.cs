using System;
using System.Buffers.Binary;
using static TorchSharp.torch;

namespace Dsl.Runtime.Checkpoints;

/// <summary>
/// Checks a checkpoint's "rng" section before libtorch sees it. <c>set_rng_state</c> hands the bytes to
/// <c>CPUGeneratorImpl::set_state</c>, whose <c>c10::Error</c> on a wrong size or an invalid Mersenne-Twister state
/// TorchSharp does not catch: the process aborts (exit 134) instead of reporting the file. So the size must be the
/// generator's own (read from libtorch, not assumed), and in libtorch's layout (<c>CPUGeneratorImplState</c>, whose
/// legacy part begins uint64 the_initial_seed, int32 left at byte 8, int32 seeded at 12, uint64 next at 16) the fields
/// <c>mt19937::is_valid</c> checks: seeded, 0 &lt; left ≤ 624, next ≤ 624.
/// </summary>
internal static class RngState
{
    private const int StateWords = 624; // MERSENNE_STATE_N

    private static readonly Lazy<long> ExpectedSize = new(() =>
    {
        using var current = get_rng_state();
        return current.NumberOfElements;
    });

    /// <summary>Returns <paramref name="state"/> when libtorch will accept it; otherwise throws naming <paramref name="path"/>.</summary>
    /// <exception cref="CheckpointCorruptException">The state has the wrong size or is not a valid generator state.</exception>
    public static byte[] Check(byte[] state, string path)
    {
        ArgumentNullException.ThrowIfNull(state);
        var expected = ExpectedSize.Value;
        if (state.LongLength != expected)
            throw new CheckpointCorruptException(path,
                $"its section \"rng\" has {state.LongLength} bytes, but this libtorch's CPU generator state has {expected}");
        if (state.Length >= 24)
        {
            var left = BinaryPrimitives.ReadInt32LittleEndian(state.AsSpan(8));
            var seeded = BinaryPrimitives.ReadInt32LittleEndian(state.AsSpan(12));
            var next = (uint)BinaryPrimitives.ReadUInt64LittleEndian(state.AsSpan(16));
            if (seeded == 0 || left <= 0 || left > StateWords || next > StateWords)
                throw new CheckpointCorruptException(path,
                    $"its section \"rng\" is not a valid generator state (seeded {seeded}, left {left}, next {next})");
        }
        return state;
    }
}
