namespace Dsl.Runtime.Training;

/// <summary>Derives independent seeds from a run seed and a position (SplitMix64), so each epoch's randomness is reproducible on its own.</summary>
internal static class SeedMix
{
    public static long Combine(long seed, long salt)
    {
        unchecked
        {
            var z = (ulong)seed + 0x9E3779B97F4A7C15UL * ((ulong)salt + 1);
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return (long)((z ^ (z >> 31)) & 0x7FFF_FFFF_FFFF_FFFFUL); // torch seeds must be non-negative
        }
    }
}
