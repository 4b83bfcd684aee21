// Marks GNU symbol-version requirements of an ELF64 shared library as weak.
//
// Why: TorchSharp's libLibTorchSharp.so asks for GLIBCXX_3.4.32 (only for std::ios_base_library_init(), which no
// relocation uses). Debian 12's libstdc++ stops at GLIBCXX_3.4.30, so dlopen fails. With VER_FLG_WEAK set on that
// requirement, the dynamic loader accepts a libstdc++ without it.
//
// This one file is compiled twice:
//   * by MSBuild's RoslynCodeTaskFactory (Runtime/build/Dsl.Runtime.targets, Code Source=this file). That compiler
//     targets netstandard reference assemblies and defines no symbols, so the code keeps to the netstandard2.0 API
//     and to plain C# (block namespaces, no records); the MSBuild task at the end is included there.
//   * as a linked source file of Tests/Dsl.Runtime.Tests, which defines DSL_ELF_PATCHER_NO_MSBUILD_TASK so that the
//     MSBuild task (and its Microsoft.Build references) is left out and only the dependency-free part remains.
// It is not part of Dsl.Runtime.dll (Runtime/Dsl.Runtime.csproj removes build/** from Compile).
#nullable enable

using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.InteropServices;
using System.Text;

namespace Dsl.Runtime.Build
{
    /// <summary>One Vernaux entry of <c>.gnu.version_r</c>: a version that the file needs from a library.</summary>
    internal sealed class ElfVersionRequirement
    {
        public ElfVersionRequirement(string library, string name, ushort flags, ushort versionIndex, long flagsOffset)
        {
            Library = library;
            Name = name;
            Flags = flags;
            VersionIndex = versionIndex;
            FlagsOffset = flagsOffset;
        }

        /// <summary>The needed library (vn_file), e.g. <c>libstdc++.so.6</c>.</summary>
        public string Library { get; }

        /// <summary>The version name (vna_name), e.g. <c>GLIBCXX_3.4.32</c>.</summary>
        public string Name { get; }

        /// <summary>vna_flags.</summary>
        public ushort Flags { get; }

        /// <summary>vna_other: the index that .gnu.version uses for this version.</summary>
        public ushort VersionIndex { get; }

        /// <summary>Offset of vna_flags in the file.</summary>
        public long FlagsOffset { get; }

        public bool IsWeak
        {
            get { return (Flags & ElfSymbolVersionPatcher.VerFlagWeak) != 0; }
        }

        public override string ToString()
        {
            return Library + ": " + Name + " flags=0x" + Flags.ToString("x") + " index=" + VersionIndex;
        }
    }

    /// <summary>The file is not an ELF64 little-endian file, or it is truncated or malformed. The message starts with the file's path.</summary>
    internal sealed class ElfFormatException : IOException
    {
        public ElfFormatException(string filePath, string problem)
            : base(filePath + ": " + problem)
        {
            FilePath = filePath;
        }

        public string FilePath { get; }
    }

    /// <summary>Reads and patches the version requirements (<c>.gnu.version_r</c>) of ELF64 little-endian files.</summary>
    internal static class ElfSymbolVersionPatcher
    {
        /// <summary>VER_FLG_WEAK: a missing version is not fatal for the dynamic loader.</summary>
        public const ushort VerFlagWeak = 0x2;

        /// <summary>The version that Debian 12's libstdc++ lacks and libLibTorchSharp.so asks for.</summary>
        public const string Glibcxx3432 = "GLIBCXX_3.4.32";

        private const uint ShtGnuVerneed = 0x6ffffffe;
        private const int ElfHeaderSize = 64;
        private const int SectionHeaderSize = 64;
        private const int VerneedSize = 16;
        private const int VernauxSize = 16;

        /// <summary>Lists every Vernaux entry of the file's <c>.gnu.version_r</c> section (empty when it has none).</summary>
        public static List<ElfVersionRequirement> ReadVersionRequirements(string path)
        {
            string fullPath = Path.GetFullPath(path);
            using (FileStream stream = new FileStream(fullPath, FileMode.Open, FileAccess.Read, FileShare.Read))
            {
                return ReadVersionRequirements(stream, fullPath);
            }
        }

        /// <summary>
        /// Sets VER_FLG_WEAK on the Vernaux entries named in <paramref name="versionNames"/> and returns the entries it
        /// changed, as they were before (empty when all of them were weak already or absent: the file is then not
        /// written). The file is never modified in place: a patched copy replaces it, so a hard or symbolic link to a
        /// shared file (such as the NuGet cache) is replaced by a file of its own and the shared file stays as it was.
        /// The patched file keeps the last-write time of the original, so a build's incremental copy (same size and
        /// time as its source) leaves it alone.
        /// </summary>
        public static List<ElfVersionRequirement> MarkVersionsWeak(string path, IEnumerable<string> versionNames)
        {
            if (versionNames == null)
            {
                throw new ArgumentNullException(nameof(versionNames));
            }

            HashSet<string> wanted = new HashSet<string>(versionNames, StringComparer.Ordinal);
            string fullPath = Path.GetFullPath(path);

            List<ElfVersionRequirement> toChange = new List<ElfVersionRequirement>();
            foreach (ElfVersionRequirement requirement in ReadVersionRequirements(fullPath))
            {
                if (wanted.Contains(requirement.Name) && !requirement.IsWeak)
                {
                    toChange.Add(requirement);
                }
            }

            if (toChange.Count == 0)
            {
                return toChange;
            }

            DateTime lastWriteUtc = File.GetLastWriteTimeUtc(fullPath);
            string directory = Path.GetDirectoryName(fullPath) ?? ".";
            string temporary = Path.Combine(directory, "." + Path.GetFileName(fullPath) + "." + Guid.NewGuid().ToString("N") + ".tmp");
            try
            {
                // File.Copy keeps the permission bits; the copy is a file of its own even if fullPath is a link.
                File.Copy(fullPath, temporary, false);
                using (FileStream stream = new FileStream(temporary, FileMode.Open, FileAccess.ReadWrite, FileShare.None))
                {
                    // Read again from the copy: the file could have changed since the first read.
                    List<ElfVersionRequirement> current = ReadVersionRequirements(stream, fullPath);
                    toChange.Clear();
                    foreach (ElfVersionRequirement requirement in current)
                    {
                        if (wanted.Contains(requirement.Name) && !requirement.IsWeak)
                        {
                            toChange.Add(requirement);
                            ushort flags = (ushort)(requirement.Flags | VerFlagWeak);
                            stream.Position = requirement.FlagsOffset;
                            stream.WriteByte((byte)(flags & 0xff));
                            stream.WriteByte((byte)(flags >> 8));
                        }
                    }
                }

                if (toChange.Count == 0)
                {
                    return toChange;
                }

                File.SetLastWriteTimeUtc(temporary, lastWriteUtc);
                // rename(2) on Unix: replaces the directory entry (a link included), never writes into the old file.
                File.Replace(temporary, fullPath, null);
                return toChange;
            }
            finally
            {
                if (File.Exists(temporary))
                {
                    File.Delete(temporary);
                }
            }
        }

        /// <summary>Directories searched for the host's libstdc++.so.6, the usual multiarch and lib64 places.</summary>
        public static string[] LibStdCxxDirectories()
        {
            string[] x64 = { "/usr/lib/x86_64-linux-gnu", "/lib/x86_64-linux-gnu" };
            string[] arm64 = { "/usr/lib/aarch64-linux-gnu", "/lib/aarch64-linux-gnu" };
            string[] others = { "/usr/lib64", "/lib64", "/usr/lib", "/lib", "/usr/local/lib64", "/usr/local/lib" };
            bool isArm64 = RuntimeInformation.OSArchitecture == Architecture.Arm64;
            List<string> all = new List<string>();
            all.AddRange(isArm64 ? arm64 : x64);
            all.AddRange(isArm64 ? x64 : arm64);
            all.AddRange(others);
            return all.ToArray();
        }

        /// <summary>The host's libstdc++.so.6 (first found in <see cref="LibStdCxxDirectories"/>), or null.</summary>
        public static string? FindHostLibStdCxx()
        {
            foreach (string directory in LibStdCxxDirectories())
            {
                string candidate = Path.Combine(directory, "libstdc++.so.6");
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }

            return null;
        }

        /// <summary>
        /// Whether the host's libstdc++.so.6 provides <paramref name="versionName"/> (its bytes contain the name as a
        /// whole NUL-terminated string). False when no libstdc++.so.6 is found.
        /// </summary>
        public static bool HostLibStdCxxProvides(string versionName)
        {
            string? library;
            return HostLibStdCxxProvides(versionName, out library);
        }

        /// <inheritdoc cref="HostLibStdCxxProvides(string)"/>
        public static bool HostLibStdCxxProvides(string versionName, out string? libraryPath)
        {
            libraryPath = FindHostLibStdCxx();
            return libraryPath != null && LibraryProvides(libraryPath, versionName);
        }

        private static readonly Dictionary<string, bool> ProvidesCache = new Dictionary<string, bool>(StringComparer.Ordinal);

        /// <summary>Whether the file's bytes contain <paramref name="versionName"/> as a whole NUL-terminated string.</summary>
        public static bool LibraryProvides(string libraryPath, string versionName)
        {
            if (string.IsNullOrEmpty(versionName))
            {
                throw new ArgumentException("A version name is needed.", nameof(versionName));
            }

            string fullPath = Path.GetFullPath(libraryPath);
            FileInfo info = new FileInfo(fullPath);
            string key = fullPath + "|" + info.Length + "|" + info.LastWriteTimeUtc.Ticks + "|" + versionName;
            lock (ProvidesCache)
            {
                bool cached;
                if (ProvidesCache.TryGetValue(key, out cached))
                {
                    return cached;
                }
            }

            byte[] needle = Encoding.ASCII.GetBytes("\0" + versionName + "\0");
            bool found = IndexOf(File.ReadAllBytes(fullPath), needle) >= 0;
            lock (ProvidesCache)
            {
                ProvidesCache[key] = found;
            }

            return found;
        }

        private static int IndexOf(byte[] haystack, byte[] needle)
        {
            int last = haystack.Length - needle.Length;
            byte first = needle[0];
            byte second = needle[1];
            for (int i = 0; i <= last; i++)
            {
                if (haystack[i] != first || haystack[i + 1] != second)
                {
                    continue;
                }

                int j = 2;
                while (j < needle.Length && haystack[i + j] == needle[j])
                {
                    j++;
                }

                if (j == needle.Length)
                {
                    return i;
                }
            }

            return -1;
        }

        private struct SectionHeader
        {
            public uint Name;
            public uint Type;
            public long Offset;
            public long Size;
            public uint Link;
            public uint Info;
        }

        private static List<ElfVersionRequirement> ReadVersionRequirements(FileStream stream, string path)
        {
            long length = stream.Length;
            if (length < 4)
            {
                throw new ElfFormatException(path, "not an ELF file (only " + length + " bytes)");
            }

            byte[] header = Read(stream, path, 0, Math.Min(length, ElfHeaderSize), "ELF header");
            if (header[0] != 0x7f || header[1] != (byte)'E' || header[2] != (byte)'L' || header[3] != (byte)'F')
            {
                throw new ElfFormatException(path, "not an ELF file (no \\x7fELF magic at its start)");
            }

            if (header.Length < ElfHeaderSize)
            {
                throw new ElfFormatException(path, "truncated ELF file: the ELF header needs " + ElfHeaderSize + " bytes, the file has " + length);
            }

            if (header[4] != 2)
            {
                throw new ElfFormatException(path, "not an ELF64 file (EI_CLASS=" + header[4] + "); only ELF64 little-endian files are supported");
            }

            if (header[5] != 1)
            {
                throw new ElfFormatException(path, "not a little-endian ELF file (EI_DATA=" + header[5] + "); only ELF64 little-endian files are supported");
            }

            long sectionTable = (long)U64(header, 0x28, path);
            int sectionHeaderSize = U16(header, 0x3a);
            long sectionCount = U16(header, 0x3c);
            long namesIndex = U16(header, 0x3e);
            if (sectionTable == 0)
            {
                throw new ElfFormatException(path, "the ELF file has no section header table, so .gnu.version_r cannot be found");
            }

            if (sectionHeaderSize < SectionHeaderSize)
            {
                throw new ElfFormatException(path, "malformed ELF file: e_shentsize is " + sectionHeaderSize + ", expected at least " + SectionHeaderSize);
            }

            // Extended numbering: with 0 (or SHN_XINDEX) in the header, the real values are in section header 0.
            SectionHeader first = ReadSectionHeader(stream, path, sectionTable, sectionHeaderSize, 0);
            if (sectionCount == 0)
            {
                sectionCount = first.Size;
            }

            if (namesIndex == 0xffff)
            {
                namesIndex = first.Link;
            }

            if (sectionCount <= 0 || sectionCount > (length - sectionTable) / sectionHeaderSize)
            {
                throw new ElfFormatException(path, "truncated ELF file: the section header table (" + sectionCount + " entries of " + sectionHeaderSize
                    + " bytes at offset " + sectionTable + ") lies beyond the end of the file (" + length + " bytes)");
            }

            if (namesIndex == 0 || namesIndex >= sectionCount)
            {
                throw new ElfFormatException(path, "malformed ELF file: section name table index " + namesIndex + " is outside the " + sectionCount + " sections");
            }

            SectionHeader[] sections = new SectionHeader[sectionCount];
            for (long i = 0; i < sectionCount; i++)
            {
                sections[i] = ReadSectionHeader(stream, path, sectionTable, sectionHeaderSize, i);
            }

            byte[] sectionNames = ReadSection(stream, path, sections[namesIndex], "section name table");
            int verneedIndex = -1;
            for (int i = 0; i < sections.Length; i++)
            {
                if (sections[i].Name < sectionNames.Length && ReadString(sectionNames, sections[i].Name, path, "section name") == ".gnu.version_r")
                {
                    verneedIndex = i;
                    break;
                }
            }

            List<ElfVersionRequirement> result = new List<ElfVersionRequirement>();
            if (verneedIndex < 0)
            {
                return result;
            }

            SectionHeader verneed = sections[verneedIndex];
            if (verneed.Type != ShtGnuVerneed)
            {
                throw new ElfFormatException(path, "malformed ELF file: .gnu.version_r has section type 0x" + verneed.Type.ToString("x") + ", expected SHT_GNU_verneed");
            }

            if (verneed.Link == 0 || verneed.Link >= sections.Length)
            {
                throw new ElfFormatException(path, "malformed ELF file: .gnu.version_r links to section " + verneed.Link + ", outside the " + sections.Length + " sections");
            }

            byte[] strings = ReadSection(stream, path, sections[verneed.Link], "string table of .gnu.version_r");
            byte[] needs = ReadSection(stream, path, verneed, ".gnu.version_r");

            // sh_info holds the number of Verneed entries; walk vn_next until it is 0 (and never past the section).
            long maxEntries = needs.Length / VerneedSize;
            long position = 0;
            for (long entry = 0; ; entry++)
            {
                if (entry >= maxEntries || position < 0 || position + VerneedSize > needs.Length)
                {
                    throw new ElfFormatException(path, "malformed ELF file: Verneed entry " + entry + " at offset " + position + " lies outside .gnu.version_r (" + needs.Length + " bytes)");
                }

                ushort version = U16(needs, position);
                if (version != 1)
                {
                    throw new ElfFormatException(path, "unsupported Verneed version " + version + " in .gnu.version_r (expected 1)");
                }

                int auxCount = U16(needs, position + 2);
                string library = ReadString(strings, U32(needs, position + 4), path, "vn_file");
                long aux = position + U32(needs, position + 8);
                uint next = U32(needs, position + 12);
                for (int j = 0; j < auxCount; j++)
                {
                    if (aux < 0 || aux + VernauxSize > needs.Length)
                    {
                        throw new ElfFormatException(path, "malformed ELF file: Vernaux entry " + j + " of " + library + " at offset " + aux + " lies outside .gnu.version_r (" + needs.Length + " bytes)");
                    }

                    ushort flags = U16(needs, aux + 4);
                    ushort other = U16(needs, aux + 6);
                    string name = ReadString(strings, U32(needs, aux + 8), path, "vna_name");
                    result.Add(new ElfVersionRequirement(library, name, flags, other, verneed.Offset + aux + 4));
                    uint auxNext = U32(needs, aux + 12);
                    if (auxNext == 0)
                    {
                        break;
                    }

                    aux += auxNext;
                }

                if (next == 0 || (verneed.Info != 0 && entry + 1 >= verneed.Info))
                {
                    break;
                }

                position += next;
            }

            return result;
        }

        private static SectionHeader ReadSectionHeader(FileStream stream, string path, long table, int entrySize, long index)
        {
            byte[] raw = Read(stream, path, table + index * entrySize, SectionHeaderSize, "section header " + index);
            SectionHeader header = new SectionHeader();
            header.Name = U32(raw, 0);
            header.Type = U32(raw, 4);
            header.Offset = (long)U64(raw, 0x18, path);
            header.Size = (long)U64(raw, 0x20, path);
            header.Link = U32(raw, 0x28);
            header.Info = U32(raw, 0x2c);
            return header;
        }

        private static byte[] ReadSection(FileStream stream, string path, SectionHeader section, string what)
        {
            if (section.Size > int.MaxValue)
            {
                throw new ElfFormatException(path, "malformed ELF file: " + what + " is " + section.Size + " bytes long");
            }

            return Read(stream, path, section.Offset, section.Size, what);
        }

        private static byte[] Read(FileStream stream, string path, long offset, long count, string what)
        {
            long length = stream.Length;
            if (offset < 0 || count < 0 || offset > length || count > length - offset)
            {
                throw new ElfFormatException(path, "truncated ELF file: " + what + " (" + count + " bytes at offset " + offset
                    + ") lies beyond the end of the file (" + length + " bytes)");
            }

            byte[] buffer = new byte[count];
            stream.Position = offset;
            int done = 0;
            while (done < buffer.Length)
            {
                int read = stream.Read(buffer, done, buffer.Length - done);
                if (read <= 0)
                {
                    throw new ElfFormatException(path, "truncated ELF file: could not read " + what + " at offset " + offset);
                }

                done += read;
            }

            return buffer;
        }

        private static string ReadString(byte[] table, uint offset, string path, string what)
        {
            if (offset >= table.Length)
            {
                throw new ElfFormatException(path, "malformed ELF file: " + what + " offset " + offset + " is outside its string table (" + table.Length + " bytes)");
            }

            int end = Array.IndexOf(table, (byte)0, (int)offset);
            if (end < 0)
            {
                throw new ElfFormatException(path, "malformed ELF file: " + what + " at offset " + offset + " is not NUL-terminated");
            }

            return Encoding.ASCII.GetString(table, (int)offset, end - (int)offset);
        }

        private static ushort U16(byte[] data, long offset)
        {
            return (ushort)(data[offset] | (data[offset + 1] << 8));
        }

        private static uint U32(byte[] data, long offset)
        {
            return (uint)(data[offset] | (data[offset + 1] << 8) | (data[offset + 2] << 16) | (data[offset + 3] << 24));
        }

        private static ulong U64(byte[] data, long offset, string path)
        {
            ulong value = U32(data, offset) | ((ulong)U32(data, offset + 4) << 32);
            if (value > long.MaxValue)
            {
                throw new ElfFormatException(path, "malformed ELF file: offset or size 0x" + value.ToString("x") + " is out of range");
            }

            return value;
        }
    }
}

#if !DSL_ELF_PATCHER_NO_MSBUILD_TASK
namespace Dsl.Runtime.Build
{
    using Microsoft.Build.Framework;

    /// <summary>
    /// MSBuild task (see Dsl.Runtime.targets): unless the host's libstdc++ provides them all, marks the given version
    /// requirements weak in each of <see cref="Files"/>. Logs one message naming what it changed.
    /// </summary>
    public sealed class DslMarkGlibcxxVersionsWeak : Microsoft.Build.Utilities.Task
    {
        /// <summary>The ELF files to patch; those that do not exist are skipped.</summary>
        [Required]
        public ITaskItem[] Files { get; set; } = new ITaskItem[0];

        /// <summary>Version names, separated by semicolons.</summary>
        [Required]
        public string VersionNames { get; set; } = string.Empty;

        /// <summary>Patch even when the host's libstdc++ provides the versions (for a build host newer than the run host).</summary>
        public bool Force { get; set; }

        /// <summary>The files that were changed.</summary>
        [Output]
        public ITaskItem[] PatchedFiles { get; set; } = new ITaskItem[0];

        public override bool Execute()
        {
            List<string> names = new List<string>();
            foreach (string name in VersionNames.Split(new[] { ';' }, StringSplitOptions.RemoveEmptyEntries))
            {
                if (name.Trim().Length > 0)
                {
                    names.Add(name.Trim());
                }
            }

            List<ITaskItem> existing = new List<ITaskItem>();
            foreach (ITaskItem file in Files)
            {
                if (File.Exists(file.ItemSpec))
                {
                    existing.Add(file);
                }
            }

            if (names.Count == 0 || existing.Count == 0)
            {
                return true;
            }

            string? library = ElfSymbolVersionPatcher.FindHostLibStdCxx();
            List<string> missing = new List<string>();
            foreach (string name in names)
            {
                if (library == null || !ElfSymbolVersionPatcher.LibraryProvides(library, name))
                {
                    missing.Add(name);
                }
            }

            List<string> toWeaken = Force ? names : missing;
            if (toWeaken.Count == 0)
            {
                Log.LogMessage(MessageImportance.Low, "Dsl.Runtime: {0} provides {1}; libLibTorchSharp.so is left as it is.", library, string.Join(", ", names));
                return true;
            }

            List<ITaskItem> patched = new List<ITaskItem>();
            List<string> report = new List<string>();
            foreach (ITaskItem file in existing)
            {
                try
                {
                    List<ElfVersionRequirement> changed = ElfSymbolVersionPatcher.MarkVersionsWeak(file.ItemSpec, toWeaken);
                    if (changed.Count > 0)
                    {
                        patched.Add(file);
                        List<string> changedNames = new List<string>();
                        foreach (ElfVersionRequirement requirement in changed)
                        {
                            changedNames.Add(requirement.Name);
                        }

                        report.Add(file.ItemSpec + " (" + string.Join(", ", changedNames) + ")");
                    }
                }
                catch (Exception exception) when (exception is IOException || exception is UnauthorizedAccessException)
                {
                    // A malformed (ElfFormatException) or unwritable library must not stop the build; loading it will fail loudly later.
                    Log.LogWarning(null, "DSLRT001", null, file.ItemSpec, 0, 0, 0, 0,
                        "Could not mark {0} weak in this file, so TorchSharp may not load on this host: {1}", string.Join(", ", toWeaken), exception.Message);
                }
            }

            PatchedFiles = patched.ToArray();
            string why = library == null
                ? "no libstdc++.so.6 was found in the usual places"
                : (missing.Count == 0 ? "forced (DslGlibcxxWeakForce); " + library + " provides them" : library + " lacks " + string.Join(", ", missing));
            if (report.Count > 0)
            {
                Log.LogMessage(MessageImportance.Normal, "Dsl.Runtime: marked GNU version requirements weak so TorchSharp loads on this host ({0}): {1}",
                    why, string.Join("; ", report));
            }
            else
            {
                Log.LogMessage(MessageImportance.Low, "Dsl.Runtime: {0} already weak in {1} file(s) ({2}).", string.Join(", ", toWeaken), existing.Count, why);
            }

            return true;
        }
    }
}
#endif
