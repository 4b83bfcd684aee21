using System.Runtime.InteropServices;

namespace Dsl.Runtime.Tests.Reliability;

/// <summary>Makes a named pipe (Unix), which opening for reading would block on until something writes to it.</summary>
internal static class Mkfifo
{
    /// <summary>0 on success.</summary>
    public static int Create(string path) => mkfifo(path, 0x1a4 /* 0644 */);

    [DllImport("libc", EntryPoint = "mkfifo", CharSet = CharSet.Ansi)]
    private static extern int mkfifo(string path, uint mode);
}
