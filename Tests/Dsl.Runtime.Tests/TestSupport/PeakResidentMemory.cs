using System;
using System.Globalization;
using System.IO;
using System.Linq;

namespace Dsl.Runtime.Tests;

/// <summary>
/// The process's resident memory from /proc/self/status (Linux): the peak (VmHWM, reset by writing 5 to
/// /proc/self/clear_refs) and the current resident set (VmRSS), the measures that include libtorch's native
/// allocations. Null off Linux. Shared with the memory benchmark (Benchmarks/MemoryBenchmark.cs).
/// </summary>
internal static class PeakResidentMemory
{
    /// <summary>Resets the peak when the kernel allows, and returns it (bytes), or null off Linux.</summary>
    public static long? Reset()
    {
        TryReset();
        return Read();
    }

    /// <summary>
    /// Resets the peak to the current resident set; false off Linux or where the kernel refuses, and the peak then
    /// still counts from the process's start (a measurement that needs the reset says so instead of going on).
    /// </summary>
    public static bool TryReset()
    {
        if (!OperatingSystem.IsLinux())
            return false;
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>The peak resident set since the process started or the last <see cref="Reset"/> (bytes).</summary>
    public static long? Read() => Field("VmHWM");

    /// <summary>The resident set now (bytes).</summary>
    public static long? Current() => Field("VmRSS");

    public static string GrowthSince(long? start) =>
        start is { } s && Read() is { } now ? $"{(now - s) / (1 << 20):N0} MiB (peak {now / (1 << 20):N0} MiB)" : "not measured";

    private static long? Field(string name)
    {
        if (!OperatingSystem.IsLinux())
            return null;
        var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith(name + ":", StringComparison.Ordinal));
        return line is null ? null : long.Parse(line[(name.Length + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
    }
}
