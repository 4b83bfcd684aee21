using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Text.RegularExpressions;
using System.Threading;

namespace Dsl.Runtime.IO;

/// <summary>
/// Writes a file so that a crash at any moment leaves either the old file or the complete new one at its path,
/// never a half-written file: the content goes to a temporary file beside it, is flushed to disk, then renamed over.
/// </summary>
public static partial class AtomicFile
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

    /// <summary>
    /// Deletes the temporary files that <see cref="Write"/> left in <paramref name="directory"/> when a process was
    /// killed mid-write (<c>name.&lt;process id&gt;-&lt;n&gt;.tmp</c>, a checkpoint's size each): only names of exactly that
    /// pattern, only regular files, and only those whose process is no longer running (never this process's own, nor a
    /// live writer's). Other files, <c>notes.tmp</c> included, are never touched. Failures to delete are ignored.
    /// </summary>
    /// <returns>The full paths deleted.</returns>
    public static IReadOnlyList<string> RemoveStaleTemporaries(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        var removed = new List<string>();
        var full = Path.GetFullPath(directory);
        if (!Directory.Exists(full))
            return removed;
        foreach (var path in Directory.EnumerateFiles(full, "*.tmp"))
        {
            var match = TemporaryName().Match(Path.GetFileName(path));
            if (!match.Success || !int.TryParse(match.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
                continue;
            if (pid == Environment.ProcessId || IsRunning(pid) || RegularFile.NotRegular(path) is not null)
                continue;
            try
            {
                File.Delete(path);
                removed.Add(path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Left for the next start; it is not ours to fail a run over.
            }
        }
        return removed;
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false; // no such process
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    // "<target name>.<pid>-<counter>.tmp", as Write names them; the target name is not empty.
    [GeneratedRegex(@"^.+\.([0-9]{1,10})-[0-9]{1,20}\.tmp$", RegexOptions.CultureInvariant)]
    private static partial Regex TemporaryName();

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
