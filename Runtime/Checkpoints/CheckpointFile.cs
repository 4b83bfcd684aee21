using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.IO;
using System.Linq;
using Dsl.Runtime.IO;

namespace Dsl.Runtime.Checkpoints;

/// <summary>
/// A checkpoint: a set of named binary sections (for instance JSON metadata, model, optimizer and RNG state).
/// On disk: magic "DSLCKPT\0", format version (int32), section count, then per section (name, length, bytes),
/// then a SHA-256 over everything before it, so any truncation or flipped bit is detected on load.
/// </summary>
public sealed class CheckpointFile
{
    private readonly Dictionary<string, byte[]> sections;

    /// <summary>
    /// Creates a checkpoint from sections. The dictionary is copied; the byte arrays are not (do not change them
    /// afterwards). Names must be non-empty and at most 1024 UTF-8 bytes.
    /// </summary>
    /// <exception cref="ArgumentException">A name is empty, too long or not encodable, or a value is null.</exception>
    public CheckpointFile(IReadOnlyDictionary<string, byte[]> sections)
        : this(Validate(sections), sourcePath: null)
    {
    }

    private CheckpointFile(Dictionary<string, byte[]> sections, string? sourcePath)
    {
        this.sections = sections;
        Sections = new ReadOnlyDictionary<string, byte[]>(sections);
        SourcePath = sourcePath;
    }

    /// <summary>The sections by name.</summary>
    public IReadOnlyDictionary<string, byte[]> Sections { get; }

    /// <summary>The full path this checkpoint was loaded from, or null when it was built in memory.</summary>
    public string? SourcePath { get; }

    /// <summary>
    /// The bytes of the section <paramref name="name"/>. A checkpoint loaded from a file that lacks the section is
    /// unusable for whoever asked for it, so this throws <see cref="CheckpointCorruptException"/> naming the file, the
    /// section and the sections it has; one built in memory throws <see cref="KeyNotFoundException"/> (a programming error).
    /// </summary>
    public byte[] this[string name]
    {
        get
        {
            if (sections.TryGetValue(name, out var data))
                return data;
            var present = sections.Count == 0 ? "none" : string.Join(", ", sections.Keys.Order(StringComparer.Ordinal).Select(Names.Printable));
            var reason = $"it has no section \"{name}\" (its sections: {present})";
            if (SourcePath is not null)
                throw new CheckpointCorruptException(SourcePath, reason);
            throw new KeyNotFoundException($"The in-memory checkpoint has no section \"{name}\" (its sections: {present}).");
        }
    }

    /// <summary>Whether the section <paramref name="name"/> exists.</summary>
    public bool Contains(string name) => sections.ContainsKey(name);

    /// <summary>
    /// Saves atomically (see <see cref="AtomicFile.Write"/>): the bytes go to a temporary file beside
    /// <paramref name="path"/>, are flushed to disk, then the temporary file is renamed over <paramref name="path"/>.
    /// A crash at any point leaves either the old file or the new one.
    /// </summary>
    public void Save(string path) => AtomicFile.Write(path, stream => CheckpointFormat.Write(stream, sections));

    /// <summary>Loads and validates a checkpoint file.</summary>
    /// <exception cref="FileNotFoundException">There is no file at <paramref name="path"/>.</exception>
    /// <exception cref="CheckpointCorruptException">
    /// The file is truncated, has the wrong magic, an unknown version, a checksum mismatch or a malformed section.
    /// </exception>
    public static CheckpointFile Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var fullPath = Path.GetFullPath(path);
        if (!File.Exists(fullPath))
            throw new FileNotFoundException($"The checkpoint file {fullPath} does not exist.", fullPath);
        RegularFile.Require(fullPath, reason => new CheckpointCorruptException(fullPath, reason));

        using var stream = new FileStream(fullPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        try
        {
            return new CheckpointFile(CheckpointFormat.Read(stream, fullPath), fullPath);
        }
        catch (EndOfStreamException e)
        {
            // Only possible if the file shrinks while it is read; the format reader checks every length first.
            throw new CheckpointCorruptException(fullPath, "it ended unexpectedly while being read", e);
        }
    }

    private static Dictionary<string, byte[]> Validate(IReadOnlyDictionary<string, byte[]> sections)
    {
        ArgumentNullException.ThrowIfNull(sections);
        var copy = new Dictionary<string, byte[]>(sections.Count, StringComparer.Ordinal);
        foreach (var (name, data) in sections)
        {
            if (string.IsNullOrEmpty(name))
                throw new ArgumentException("A checkpoint section needs a non-empty name.", nameof(sections));
            int nameBytes;
            try
            {
                nameBytes = CheckpointFormat.NameByteCount(name);
            }
            catch (System.Text.EncoderFallbackException)
            {
                throw new ArgumentException($"The checkpoint section name \"{name}\" is not valid Unicode.", nameof(sections));
            }
            if (nameBytes > CheckpointFormat.MaxNameBytes)
                throw new ArgumentException($"The checkpoint section name \"{name[..32]}…\" has {nameBytes} UTF-8 bytes; the limit is {CheckpointFormat.MaxNameBytes}.", nameof(sections));
            copy[name] = data ?? throw new ArgumentException($"The checkpoint section \"{name}\" has no data (null).", nameof(sections));
        }
        return copy;
    }
}
