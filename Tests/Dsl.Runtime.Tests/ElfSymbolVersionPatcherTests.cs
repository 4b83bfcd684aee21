using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Dsl.Runtime.Build;
using TorchSharp;
using Xunit;

namespace Dsl.Runtime.Tests;

/// <summary>
/// Runtime/build/ElfSymbolVersionPatcher.cs (linked in) and its use by Runtime/build/Dsl.Runtime.targets.
/// The checks on libLibTorchSharp.so run on Linux x64 only, where TorchSharp-cpu ships it; elsewhere they pass without checking.
/// </summary>
public sealed class ElfSymbolVersionPatcherTests : IDisposable
{
    private readonly string _scratch = Path.Combine(Path.GetTempPath(), "dsl-elf-tests-" + Guid.NewGuid().ToString("N"));

    public ElfSymbolVersionPatcherTests()
    {
        Directory.CreateDirectory(_scratch);
    }

    public void Dispose()
    {
        Directory.Delete(_scratch, recursive: true);
    }

    private static bool OnLinuxX64 =>
        RuntimeInformation.IsOSPlatform(OSPlatform.Linux) && RuntimeInformation.OSArchitecture == Architecture.X64;

    /// <summary>libLibTorchSharp.so as the build left it in this test's output directory.</summary>
    private static string OutputLibrary =>
        Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");

    /// <summary>The package's own libLibTorchSharp.so in the NuGet cache: only ever read.</summary>
    private static string PristineLibrary()
    {
        string? root = typeof(ElfSymbolVersionPatcherTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "Dsl.NuGetPackageRoot").Value;
        Assert.False(string.IsNullOrEmpty(root), "NuGetPackageRoot was not recorded at build time");
        Version version = typeof(torch).Assembly.GetName().Version!;
        string path = Path.Combine(root, "torchsharp", $"{version.Major}.{version.Minor}.{version.Build}",
            "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        Assert.True(File.Exists(path), $"the TorchSharp package's libLibTorchSharp.so is not at {path}");
        return path;
    }

    private static string Sha256(string path) => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path)));

    private string CopyOfPristine(string name = "libLibTorchSharp.so")
    {
        string copy = Path.Combine(_scratch, name);
        File.Copy(PristineLibrary(), copy);
        return copy;
    }

    private static ElfVersionRequirement Glibcxx3432(string path) =>
        Assert.Single(ElfSymbolVersionPatcher.ReadVersionRequirements(path), r => r.Name == ElfSymbolVersionPatcher.Glibcxx3432);

    [Fact]
    public void TheBuildLeftTheOutputCopyWeakWhereTheHostLacksGlibcxx3432()
    {
        if (!OnLinuxX64)
        {
            return;
        }

        Assert.True(File.Exists(OutputLibrary), $"no libLibTorchSharp.so at {OutputLibrary}");
        ElfVersionRequirement requirement = Glibcxx3432(OutputLibrary);
        Assert.Equal("libstdc++.so.6", requirement.Library);
        if (!ElfSymbolVersionPatcher.HostLibStdCxxProvides(ElfSymbolVersionPatcher.Glibcxx3432))
        {
            Assert.True(requirement.IsWeak, $"{OutputLibrary}: {requirement} should have been marked weak by Dsl.Runtime.targets");
        }
    }

    [Fact]
    public void ThePackageCopyInTheNuGetCacheIsUntouched()
    {
        if (!OnLinuxX64)
        {
            return;
        }

        ElfVersionRequirement requirement = Glibcxx3432(PristineLibrary());
        Assert.False(requirement.IsWeak, $"{PristineLibrary()} was modified: {requirement}");
    }

    [Fact]
    public void PatchingFlipsExactlyTheWeakFlagOfGlibcxx3432AndIsIdempotent()
    {
        if (!OnLinuxX64)
        {
            return;
        }

        string pristineHash = Sha256(PristineLibrary());
        string copy = CopyOfPristine();
        byte[] before = File.ReadAllBytes(copy);
        List<ElfVersionRequirement> requirementsBefore = ElfSymbolVersionPatcher.ReadVersionRequirements(copy);
        ElfVersionRequirement target = Glibcxx3432(copy);
        Assert.False(target.IsWeak);

        List<ElfVersionRequirement> changed = ElfSymbolVersionPatcher.MarkVersionsWeak(copy, new[] { ElfSymbolVersionPatcher.Glibcxx3432 });

        ElfVersionRequirement single = Assert.Single(changed);
        Assert.Equal(ElfSymbolVersionPatcher.Glibcxx3432, single.Name);
        byte[] after = File.ReadAllBytes(copy);
        Assert.Equal(before.Length, after.Length);
        int[] differences = Enumerable.Range(0, before.Length).Where(i => before[i] != after[i]).ToArray();
        Assert.Equal(new[] { (int)target.FlagsOffset }, differences);
        Assert.Equal(target.Flags | ElfSymbolVersionPatcher.VerFlagWeak, after[target.FlagsOffset] | (after[target.FlagsOffset + 1] << 8));

        // Every other entry reads as before; this one is now weak.
        List<ElfVersionRequirement> requirementsAfter = ElfSymbolVersionPatcher.ReadVersionRequirements(copy);
        Assert.Equal(requirementsBefore.Count, requirementsAfter.Count);
        for (int i = 0; i < requirementsBefore.Count; i++)
        {
            Assert.Equal(requirementsBefore[i].Name, requirementsAfter[i].Name);
            Assert.Equal(requirementsBefore[i].Library, requirementsAfter[i].Library);
            Assert.Equal(requirementsBefore[i].VersionIndex, requirementsAfter[i].VersionIndex);
            Assert.Equal(requirementsBefore[i].IsWeak || requirementsBefore[i].Name == ElfSymbolVersionPatcher.Glibcxx3432, requirementsAfter[i].IsWeak);
        }

        // A second run changes nothing and does not write the file.
        DateTime written = File.GetLastWriteTimeUtc(copy);
        Assert.Empty(ElfSymbolVersionPatcher.MarkVersionsWeak(copy, new[] { ElfSymbolVersionPatcher.Glibcxx3432 }));
        Assert.Equal(after, File.ReadAllBytes(copy));
        Assert.Equal(written, File.GetLastWriteTimeUtc(copy));

        Assert.Equal(pristineHash, Sha256(PristineLibrary()));
    }

    [Fact]
    public void PatchingKeepsTheLastWriteTimeSoTheIncrementalCopySkipsTheFile()
    {
        if (!OnLinuxX64)
        {
            return;
        }

        string copy = CopyOfPristine();
        DateTime stamp = new DateTime(2020, 1, 2, 3, 4, 5, DateTimeKind.Utc);
        File.SetLastWriteTimeUtc(copy, stamp);

        Assert.Single(ElfSymbolVersionPatcher.MarkVersionsWeak(copy, new[] { ElfSymbolVersionPatcher.Glibcxx3432 }));

        Assert.Equal(stamp, File.GetLastWriteTimeUtc(copy));
        Assert.True(Glibcxx3432(copy).IsWeak);
    }

    [Fact]
    public void PatchingThroughALinkReplacesTheLinkAndLeavesItsTargetAlone()
    {
        if (!OnLinuxX64)
        {
            return;
        }

        // Stands for an output file linked to the NuGet cache (e.g. CreateHardLinksForCopyLocalIfPossible).
        string shared = CopyOfPristine("shared.so");
        string sharedHash = Sha256(shared);
        string link = Path.Combine(_scratch, "libLibTorchSharp.so");
        File.CreateSymbolicLink(link, shared);

        Assert.Single(ElfSymbolVersionPatcher.MarkVersionsWeak(link, new[] { ElfSymbolVersionPatcher.Glibcxx3432 }));

        Assert.Null(new FileInfo(link).LinkTarget);
        Assert.True(Glibcxx3432(link).IsWeak);
        Assert.Equal(sharedHash, Sha256(shared));
        Assert.False(Glibcxx3432(shared).IsWeak);
    }

    [Fact]
    public void AbsentVersionsChangeNothing()
    {
        if (!OnLinuxX64)
        {
            return;
        }

        string copy = CopyOfPristine();
        byte[] before = File.ReadAllBytes(copy);

        Assert.Empty(ElfSymbolVersionPatcher.MarkVersionsWeak(copy, new[] { "GLIBCXX_9.9.99" }));
        Assert.Equal(before, File.ReadAllBytes(copy));
    }

    [Fact]
    public void ANonElfFileGivesAnErrorNamingTheFile()
    {
        string path = Path.Combine(_scratch, "not-elf.so");
        File.WriteAllText(path, "this is not a shared library, just some text long enough for an ELF header......");

        ElfFormatException error = Assert.Throws<ElfFormatException>(
            () => ElfSymbolVersionPatcher.MarkVersionsWeak(path, new[] { ElfSymbolVersionPatcher.Glibcxx3432 }));

        Assert.Equal(path, error.FilePath);
        Assert.Contains(path, error.Message);
        Assert.Contains("not an ELF file", error.Message);
    }

    [Fact]
    public void AnEmptyFileGivesAnErrorNamingTheFile()
    {
        string path = Path.Combine(_scratch, "empty.so");
        File.WriteAllBytes(path, Array.Empty<byte>());

        ElfFormatException error = Assert.Throws<ElfFormatException>(() => ElfSymbolVersionPatcher.ReadVersionRequirements(path));

        Assert.Equal(path, error.FilePath);
        Assert.StartsWith(path + ": ", error.Message);
    }

    [Fact]
    public void AnElf32FileIsRejectedByName()
    {
        string path = Path.Combine(_scratch, "elf32.so");
        byte[] header = new byte[64];
        header[0] = 0x7f;
        header[1] = (byte)'E';
        header[2] = (byte)'L';
        header[3] = (byte)'F';
        header[4] = 1; // ELFCLASS32
        header[5] = 1;
        File.WriteAllBytes(path, header);

        ElfFormatException error = Assert.Throws<ElfFormatException>(() => ElfSymbolVersionPatcher.ReadVersionRequirements(path));

        Assert.Contains(path, error.Message);
        Assert.Contains("ELF64", error.Message);
    }

    [Theory]
    [InlineData(10)]
    [InlineData(64)]
    [InlineData(4096)]
    [InlineData(1_000_000)]
    public void ATruncatedLibraryGivesAnErrorNamingTheFile(int keptBytes)
    {
        if (!OnLinuxX64)
        {
            return;
        }

        string path = Path.Combine(_scratch, "truncated.so");
        byte[] whole = File.ReadAllBytes(PristineLibrary());
        File.WriteAllBytes(path, whole.AsSpan(0, keptBytes).ToArray());

        ElfFormatException error = Assert.Throws<ElfFormatException>(
            () => ElfSymbolVersionPatcher.MarkVersionsWeak(path, new[] { ElfSymbolVersionPatcher.Glibcxx3432 }));

        Assert.Equal(path, error.FilePath);
        Assert.Contains(path, error.Message);
        Assert.Contains("truncated", error.Message);
        Assert.Equal(keptBytes, new FileInfo(path).Length);
    }

    [Fact]
    public void TheHostCheckFindsLibStdCxxVersionsAsWholeStrings()
    {
        if (!RuntimeInformation.IsOSPlatform(OSPlatform.Linux))
        {
            return;
        }

        string? library = ElfSymbolVersionPatcher.FindHostLibStdCxx();
        if (library == null)
        {
            Assert.False(ElfSymbolVersionPatcher.HostLibStdCxxProvides(ElfSymbolVersionPatcher.Glibcxx3432));
            return;
        }

        Assert.True(ElfSymbolVersionPatcher.LibraryProvides(library, "GLIBCXX_3.4"));
        Assert.True(ElfSymbolVersionPatcher.LibraryProvides(library, "GLIBCXX_3.4.21"));
        Assert.False(ElfSymbolVersionPatcher.LibraryProvides(library, "GLIBCXX_9.9.99"));
        // The tail of a name is not a name.
        Assert.False(ElfSymbolVersionPatcher.LibraryProvides(library, "LIBCXX_3.4.21"));
    }

    [Fact]
    public void TheHostCheckReadsAWholeNulTerminatedName()
    {
        string path = Path.Combine(_scratch, "fake-libstdc++.so.6");
        File.WriteAllBytes(path, System.Text.Encoding.ASCII.GetBytes("\0GLIBCXX_3.4.30\0XGLIBCXX_3.4.31\0GLIBCXX_3.4.32suffix\0"));

        Assert.True(ElfSymbolVersionPatcher.LibraryProvides(path, "GLIBCXX_3.4.30"));
        Assert.False(ElfSymbolVersionPatcher.LibraryProvides(path, "GLIBCXX_3.4.31"));
        Assert.False(ElfSymbolVersionPatcher.LibraryProvides(path, "GLIBCXX_3.4.32"));
        Assert.False(ElfSymbolVersionPatcher.LibraryProvides(path, "GLIBCXX_3.4.3"));
    }
}
