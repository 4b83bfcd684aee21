using System;
using System.IO;
using System.Runtime.InteropServices;

namespace Dsl.Runtime.IO;

/// <summary>
/// Whether a path is a regular file, asked before opening it: opening a FIFO for reading blocks until something writes
/// to it (forever, in a data folder), and a device such as <c>/dev/zero</c> never ends. .NET reports neither apart from
/// a file (both are "Normal" with length 0), so on Unix this asks the runtime's own native shim (<c>libSystem.Native</c>,
/// which ships with every .NET runtime and whose <c>FileStatus</c> starts with flags and the <c>st_mode</c> bits).
/// </summary>
internal static class RegularFile
{
    private const int TypeMask = 0xF000; // S_IFMT
    private const int Regular = 0x8000; // S_IFREG

    /// <summary>What <paramref name="path"/> is when it exists but is not a regular file ("a FIFO", "a directory", …); null when it is one, or cannot be asked.</summary>
    /// <remarks>Symbolic links are followed, as opening would.</remarks>
    public static string? NotRegular(string path)
    {
        if (OperatingSystem.IsWindows())
            return Directory.Exists(path) ? "a directory" : null;
        var status = new byte[256]; // FileStatus is about 130 bytes; only the first 8 are read
        int result;
        try
        {
            result = Stat(path, status);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return Directory.Exists(path) ? "a directory" : null;
        }
        if (result != 0)
            return null; // missing or unreadable: opening it reports that
        return (BitConverter.ToInt32(status, 4) & TypeMask) switch
        {
            Regular => null,
            0x1000 => "a FIFO (named pipe)",
            0x2000 => "a character device",
            0x6000 => "a block device",
            0x4000 => "a directory",
            0xC000 => "a socket",
            _ => "not a regular file",
        };
    }

    /// <summary>Throws what <paramref name="failure"/> makes of the reason when <paramref name="path"/> exists and is not a regular file.</summary>
    public static void Require(string path, Func<string, Exception> failure)
    {
        if (NotRegular(path) is { } what)
            throw failure($"it is {what}, not a regular file, so it is not read");
    }

    [DllImport("libSystem.Native", EntryPoint = "SystemNative_Stat", CharSet = CharSet.Ansi)]
    private static extern int Stat(string path, byte[] status);
}
