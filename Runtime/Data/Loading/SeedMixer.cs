namespace Dsl.Runtime.Data;

/// <summary>
/// Derives generator seeds from (seed, epoch, batch …) so that each is a pure function of its parts.
/// SplitMix64 steps spread every input bit over the result; this matters because libtorch's CPU generator
/// keeps only the low 32 bits of a seed.
/// </summary>
internal static class SeedMixer
{
    /// <summary>Mixes the parts in order into one 64-bit seed.</summary>
    public static ulong Mix(params long[] parts)
    {
        ulong state = 0x9E3779B97F4A7C15UL;
        foreach (long part in parts)
        {
            state = SplitMix64(state ^ (ulong)part);
        }

        return state;
    }

    private static ulong SplitMix64(ulong x)
    {
        x += 0x9E3779B97F4A7C15UL;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        return x ^ (x >> 31);
    }
}
