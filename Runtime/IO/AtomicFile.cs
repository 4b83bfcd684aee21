using System;
using System.IO;
using System.Threading;

namespace Dsl.Runtime.IO;

/// <summary>
/// Writes a file so that a crash at any moment leaves either the old file or the complete new one at its path,
/// never a half-written file: the content goes to a temporary file beside it, is flushed to disk, then renamed over.
/// </summary>
public static class AtomicFile
{
    private static long temporaryCounter;

    /// <summary>
    /// Writes <paramref name="path"/> atomically. <paramref name="write"/> receives a stream onto
    /// <c>path.&lt;process id&gt;-&lt;n&gt;.tmp</c> and must leave it open. If <paramref name="write"/> throws, the
    /// temporary file is deleted, the old file at <paramref name="path"/> is untouched, and the exception propagates.
    /// Missing parent directories are created.
    /// </summary>
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(write);

        var fullPath = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(fullPath);
        if (!string.IsNullOrEmpty(directory))
            Directory.CreateDirectory(directory);

        // Unique per process and per call, so two writers of the same path never share a temporary file.
        var temporary = $"{fullPath}.{Environment.ProcessId}-{Interlocked.Increment(ref temporaryCounter)}.tmp";
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                write(stream);
                // Without this the rename can reach the disk before the data does, and a power cut leaves an empty file.
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, fullPath, overwrite: true);
        }
        catch
        {
            TryDelete(temporary);
            throw;
        }
    }

    /// <summary>Writes <paramref name="content"/> to <paramref name="path"/> atomically (see <see cref="Write"/>).</summary>
    public static void WriteAllBytes(string path, byte[] content) => Write(path, stream => stream.Write(content));

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // The original exception matters more than a leftover temporary file.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
