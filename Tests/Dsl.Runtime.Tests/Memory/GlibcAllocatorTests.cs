using System;
using System.IO;
using System.Linq;
using Dsl.Runtime.Memory;
using Xunit;

namespace Dsl.Runtime.Tests.Memory;

public class GlibcAllocatorTests
{
    [Fact]
    public void Glibc_takes_the_fixed_thresholds_and_other_systems_are_left_alone()
    {
        var glibc = OperatingSystem.IsLinux() && File.Exists("/proc/self/maps") &&
                    File.ReadLines("/proc/self/maps").Any(l => l.Contains("libc.so.6", StringComparison.Ordinal));

        Assert.Equal(glibc, GlibcAllocator.UseFixedThresholds());
        Assert.Equal(glibc, GlibcAllocator.UseFixedThresholds()); // again: same answer
    }
}
