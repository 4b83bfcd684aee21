using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using Dsl.Runtime.IO;

namespace Dsl.Runtime.Checkpoints;

/// <summary>
/// A run's checkpoint folder: one file per epoch (<c>epoch-0003.ckpt</c>) plus <c>last.ckpt</c>, the newest
/// checkpoint (written after every epoch and when a run is interrupted mid-epoch). Only the newest
/// <see cref="Keep"/> epoch files are kept.
/// </summary>
public sealed partial class CheckpointDirectory
{
    /// <summary>The name of the newest checkpoint in the folder.</summary>
    public const string LastFileName = "last.ckpt";

    /// <summary>Opens (without creating) a checkpoint folder.</summary>
    /// <param name="directory">The folder; created on the first save.</param>
    /// <param name="keep">How many epoch files to keep; older ones are deleted after each successful save.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="keep"/> is less than 1.</exception>
    public CheckpointDirectory(string directory, int keep = 3)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentOutOfRangeException.ThrowIfLessThan(keep, 1);
        Directory = Path.GetFullPath(directory);
        Keep = keep;
    }

    /// <summary>The folder's full path.</summary>
    public string Directory { get; }

    /// <summary>How many epoch files are kept.</summary>
    public int Keep { get; }

    /// <summary>The full path of <c>last.ckpt</c>.</summary>
    public string LastPath => Path.Combine(Directory, LastFileName);

    /// <summary>The full path of the file for <paramref name="epoch"/>, e.g. <c>epoch-0003.ckpt</c>.</summary>
    public string EpochPath(int epoch)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(epoch);
        return Path.Combine(Directory, $"epoch-{epoch.ToString("D4", CultureInfo.InvariantCulture)}.ckpt");
    }

    /// <summary>
    /// Saves the checkpoint of a finished epoch as <c>epoch-NNNN.ckpt</c> and as <c>last.ckpt</c>, both atomically,
    /// then deletes epoch files beyond the newest <see cref="Keep"/> (never the one just written).
    /// </summary>
    /// <returns>The epoch file's full path.</returns>
    public string SaveEpoch(int epoch, CheckpointFile checkpoint)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        var epochPath = EpochPath(epoch);
        // last.ckpt first: if the process dies between the two writes, last.ckpt is still the newest checkpoint,
        // which is what LoadLatest assumes when it tries it first.
        checkpoint.Save(LastPath);
        checkpoint.Save(epochPath);
        DeleteOldEpochFiles(epochPath);
        return epochPath;
    }

    /// <summary>Saves <c>last.ckpt</c> only (an interrupted run); epoch files are untouched.</summary>
    /// <returns>The full path of <c>last.ckpt</c>.</returns>
    public string SaveLast(CheckpointFile checkpoint)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        checkpoint.Save(LastPath);
        return LastPath;
    }

    /// <summary>
    /// The newest valid checkpoint: <c>last.ckpt</c>, then the epoch files from the highest epoch down.
    /// Each corrupt file on the way is skipped and reported in <paramref name="skipped"/> as "path: reason", so the
    /// caller can warn about it.
    /// </summary>
    /// <returns>The checkpoint and its path, or null when the folder holds no checkpoint file at all.</returns>
    /// <exception cref="CheckpointCorruptException">Checkpoint files exist but none is valid (its FilePath is the folder).</exception>
    public (CheckpointFile Checkpoint, string Path)? LoadLatest(out IReadOnlyList<string> skipped)
    {
        var problems = new List<string>();
        skipped = problems;
        var candidates = Candidates();
        foreach (var path in candidates)
        {
            try
            {
                return (CheckpointFile.Load(path), path);
            }
            catch (CheckpointCorruptException e)
            {
                problems.Add($"{path}: {e.Reason}");
            }
            catch (FileNotFoundException)
            {
                // Deleted between listing and reading (e.g. by another run's rotation): not a damaged file.
            }
        }
        if (problems.Count == 0)
            return null;
        throw new CheckpointCorruptException(Directory,
            $"none of its {problems.Count} checkpoint files is valid ({string.Join("; ", problems)})");
    }

    /// <summary>
    /// Restores from the newest usable checkpoint: <c>last.ckpt</c>, then the epoch files from the highest epoch down,
    /// as <see cref="LoadLatest"/>, but a file is usable only when <paramref name="restore"/> also succeeds on it: a
    /// hash-valid file whose content cannot be restored (a wrong-sized generator state, an impossible stored option,
    /// weights that do not fit) is skipped as a corrupt one is, and reported in <paramref name="skipped"/> as
    /// "path: reason". <paramref name="restore"/> should check before it changes anything, as the next file is tried
    /// on what it left.
    /// </summary>
    /// <returns>The path restored from, or null when the folder holds no checkpoint file at all.</returns>
    /// <exception cref="CheckpointCorruptException">Checkpoint files exist but none is usable (its FilePath is the folder).</exception>
    /// <exception cref="WeightsMismatchException">Every file failed because its weights do not fit (the model changed): the newest file's mismatch.</exception>
    public string? Restore(Action<CheckpointFile, string> restore, out IReadOnlyList<string> skipped)
    {
        ArgumentNullException.ThrowIfNull(restore);
        AtomicFile.RemoveStaleTemporaries(Directory); // what a killed run left mid-write
        var problems = new List<string>();
        skipped = problems;
        WeightsMismatchException? firstMismatch = null;
        var onlyMismatches = true;
        foreach (var path in Candidates())
        {
            try
            {
                restore(CheckpointFile.Load(path), path);
                return path;
            }
            catch (CheckpointCorruptException e)
            {
                onlyMismatches = false;
                problems.Add($"{path}: {e.Reason}");
            }
            catch (WeightsMismatchException e)
            {
                firstMismatch ??= e;
                problems.Add($"{path}: {e.Message.TrimEnd('.')}");
            }
            catch (FileNotFoundException)
            {
                // Deleted between listing and reading (e.g. by another run's rotation): not a damaged file.
            }
        }
        if (problems.Count == 0)
            return null;
        if (onlyMismatches && firstMismatch is not null)
            throw firstMismatch;
        throw new CheckpointCorruptException(Directory,
            $"none of its {problems.Count} checkpoint files is usable ({string.Join("; ", problems)})");
    }

    /// <summary>The epoch files present, highest epoch first.</summary>
    public IReadOnlyList<(int Epoch, string Path)> EpochFiles()
    {
        if (!System.IO.Directory.Exists(Directory))
            return Array.Empty<(int, string)>();
        var found = new List<(int Epoch, string Path)>();
        foreach (var path in System.IO.Directory.EnumerateFiles(Directory, "epoch-*.ckpt"))
        {
            var match = EpochFileName().Match(Path.GetFileName(path));
            if (match.Success && int.TryParse(match.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var epoch))
                found.Add((epoch, path));
        }
        return found.OrderByDescending(f => f.Epoch).ToList();
    }

    private List<string> Candidates()
    {
        var candidates = new List<string>();
        if (File.Exists(LastPath))
            candidates.Add(LastPath);
        candidates.AddRange(EpochFiles().Select(f => f.Path));
        return candidates;
    }

    private void DeleteOldEpochFiles(string justWritten)
    {
        foreach (var (_, path) in EpochFiles().Skip(Keep))
        {
            if (string.Equals(path, justWritten, StringComparison.Ordinal))
                continue;
            try
            {
                File.Delete(path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The checkpoint itself is saved; a file that cannot be deleted now is tried again on the next save.
            }
        }
    }

    [GeneratedRegex(@"^epoch-([0-9]+)\.ckpt$", RegexOptions.CultureInvariant)]
    private static partial Regex EpochFileName();
}
