using System;
using System.IO;

namespace Dsl.Runtime.Checkpoints;

/// <summary>
/// A checkpoint or weights file (or an in-memory state taken from one) cannot be read: it is truncated, does not
/// start with the expected magic, fails its checksum, has an unknown format version, or lacks a required section.
/// The message names the file and says what is wrong, on one line (control characters, from a file's content or
/// name, are escaped). It derives from <see cref="IOException"/>, the base of the
/// sealed <see cref="InvalidDataException"/>.
/// </summary>
public sealed class CheckpointCorruptException : IOException
{
    /// <summary>Creates the exception for <paramref name="filePath"/>.</summary>
    /// <param name="filePath">The file (or named source) that could not be read.</param>
    /// <param name="reason">What is wrong, as a clause without a final period, e.g. "it fails its SHA-256 check".</param>
    /// <param name="inner">The low-level failure, if any.</param>
    public CheckpointCorruptException(string filePath, string reason, Exception? inner = null)
        : base(Dsl.Runtime.IO.Names.OneLine($"Cannot read {filePath}: {reason}."), inner)
    {
        FilePath = filePath;
        Reason = reason;
    }

    /// <summary>The file (or named source) that could not be read.</summary>
    public string FilePath { get; }

    /// <summary>What is wrong with it, without the file name.</summary>
    public string Reason { get; }
}
