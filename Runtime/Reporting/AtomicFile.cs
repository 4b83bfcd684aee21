using System;
using System.IO;

namespace Dsl.Runtime.Reporting;

/// <summary>
/// Writes a file whole or not at all: the content goes to <c>path.tmp</c>, which then replaces <c>path</c>,
/// so a crash mid-write leaves the previous file (or none), never half of one.
/// </summary>
internal static class AtomicFile
{
    public static void Write(string path, Action<Stream> writeContent)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        string fullPath = Path.GetFullPath(path);
        string? directory = Path.GetDirectoryName(fullPath);
        if (directory is not null)
            Directory.CreateDirectory(directory);

        string temporaryPath = fullPath + ".tmp";
        try
        {
            using (var stream = new FileStream(temporaryPath, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                writeContent(stream);
                // Flush to the disk before the rename, or a power cut could leave the new name on empty content.
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporaryPath, fullPath, overwrite: true);
        }
        catch
        {
            File.Delete(temporaryPath);
            throw;
        }
    }

    public static void WriteAllBytes(string path, byte[] content) =>
        Write(path, stream => stream.Write(content));
}
