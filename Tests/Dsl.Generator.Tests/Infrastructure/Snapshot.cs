using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Runtime.CompilerServices;
using System.Text;
using DiffPlex;
using DiffPlex.Model;
using Xunit.Sdk;

namespace Dsl.Generator.Tests.Infrastructure;

/// <summary>
/// Minimal snapshot testing in the style of Verify: compares a string with
/// <c>&lt;test file dir&gt;/Snapshots/&lt;TestFile&gt;.&lt;Member&gt;[#&lt;suffix&gt;].verified.&lt;ext&gt;</c>.
/// On a mismatch it writes <c>*.received.&lt;ext&gt;</c> beside it and fails with a unified diff.
/// Set <c>DSL_ACCEPT_SNAPSHOTS=1</c> to accept: the verified file is (over)written and the test passes.
/// </summary>
/// <remarks>
/// Line endings are normalised to LF before comparing and writing; nothing else is changed
/// (no trimming, no trailing newline added). Files are UTF-8 without a BOM.
/// </remarks>
public static class Snapshot
{
    /// <summary>The environment variable that, set to <c>1</c> (or <c>true</c>), accepts every received snapshot.</summary>
    public const string AcceptVariable = "DSL_ACCEPT_SNAPSHOTS";

    /// <summary>The folder, beside the calling test file, that holds its snapshots.</summary>
    public const string DirectoryName = "Snapshots";

    private const int DiffContextLines = 3;
    private const int MaxDiffLines = 200;

    private static readonly UTF8Encoding Utf8NoBom = new(encoderShouldEmitUTF8Identifier: false);

    // Like Verify: one snapshot file per test run, so a [Theory] that forgets a suffix fails loudly
    // instead of its cases overwriting one another.
    private static readonly ConcurrentDictionary<string, string> MatchedThisRun = new(StringComparer.Ordinal);

    /// <summary>
    /// Compares <paramref name="actual"/> with the verified snapshot of the calling test.
    /// </summary>
    /// <param name="actual">The text to check.</param>
    /// <param name="suffix">
    /// Distinguishes several snapshots of one test (and the cases of a theory):
    /// <c>Snapshot.Match(source, "TinyResNet.g")</c> → <c>GeneratorTests.Emits#TinyResNet.g.verified.cs</c>.
    /// </param>
    /// <param name="extension">The file extension, without the dot (default <c>cs</c>).</param>
    /// <param name="sourceFile">Filled in by the compiler: the calling test file.</param>
    /// <param name="member">Filled in by the compiler: the calling test method.</param>
    /// <exception cref="SnapshotMismatchException">The text differs from the verified file, or there is none.</exception>
    public static void Match(
        string actual,
        string? suffix = null,
        string extension = "cs",
        [CallerFilePath] string sourceFile = "",
        [CallerMemberName] string member = "")
    {
        var verifiedPath = VerifiedPathFor(sourceFile, member, suffix, extension);
        if (MatchedThisRun.TryAdd(verifiedPath, member) is false)
        {
            throw new XunitException(
                $"The snapshot {verifiedPath} was already matched in this test run. " +
                "Give each Snapshot.Match call of a test (and each case of a theory) its own suffix.");
        }

        MatchFile(actual, verifiedPath);
    }

    /// <summary>
    /// The verified file path for a test file, member, suffix and extension:
    /// <c>&lt;dir of sourceFile&gt;/Snapshots/&lt;FileNameWithoutExt&gt;.&lt;member&gt;[#&lt;suffix&gt;].verified.&lt;extension&gt;</c>.
    /// </summary>
    public static string VerifiedPathFor(string sourceFile, string member, string? suffix = null, string extension = "cs")
    {
        if (string.IsNullOrEmpty(sourceFile) || !Path.IsPathRooted(sourceFile))
        {
            throw new ArgumentException(
                $"Snapshot needs the full path of the calling test file ([CallerFilePath]); got '{sourceFile}'.",
                nameof(sourceFile));
        }

        var directory = Path.GetDirectoryName(sourceFile);
        if (directory is null || !Directory.Exists(directory))
        {
            throw new ArgumentException(
                $"The directory of the calling test file, '{directory}', does not exist on this machine. " +
                "Snapshots are read from the source tree, so tests must run where they were built " +
                "(and without a PathMap that rewrites source paths).",
                nameof(sourceFile));
        }

        CheckFileNamePart(member, nameof(member), allowEmpty: false);
        CheckFileNamePart(suffix, nameof(suffix), allowEmpty: false);
        CheckFileNamePart(extension, nameof(extension), allowEmpty: false);
        if (extension.StartsWith(".", StringComparison.Ordinal))
        {
            throw new ArgumentException("Give the extension without its dot, e.g. \"cs\" or \"txt\".", nameof(extension));
        }

        var name = Path.GetFileNameWithoutExtension(sourceFile) + "." + member + (suffix is null ? "" : "#" + suffix);
        return Path.Combine(directory, DirectoryName, name + ".verified." + extension);
    }

    /// <summary>The received file that belongs to a verified file: <c>x.verified.cs</c> → <c>x.received.cs</c>.</summary>
    public static string ReceivedPathFor(string verifiedPath)
    {
        var fileName = Path.GetFileName(verifiedPath);
        var at = fileName.LastIndexOf(".verified.", StringComparison.Ordinal);
        if (at < 0)
        {
            throw new ArgumentException($"'{verifiedPath}' is not a *.verified.* path.", nameof(verifiedPath));
        }

        var receivedName = fileName.Substring(0, at) + ".received." + fileName.Substring(at + ".verified.".Length);
        return Path.Combine(Path.GetDirectoryName(verifiedPath) ?? "", receivedName);
    }

    /// <summary>Whether <see cref="AcceptVariable"/> is set to <c>1</c> or <c>true</c>.</summary>
    public static bool AcceptFromEnvironment()
    {
        var value = Environment.GetEnvironmentVariable(AcceptVariable);
        return value is not null
            && (value.Trim() == "1" || value.Trim().Equals("true", StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>Replaces CRLF and lone CR with LF.</summary>
    public static string NormalizeLineEndings(string text) =>
        text.IndexOf('\r') < 0 ? text : text.Replace("\r\n", "\n").Replace('\r', '\n');

    /// <summary>
    /// Compares <paramref name="actual"/> with the file at <paramref name="verifiedPath"/> (a full path ending in
    /// <c>.verified.&lt;ext&gt;</c>). When accepting (<paramref name="accept"/>, or by default
    /// <see cref="AcceptFromEnvironment"/>), a differing or missing verified file is written instead of failing.
    /// The tests of the helper itself use this to work in a temporary directory.
    /// </summary>
    internal static void MatchFile(string actual, string verifiedPath, bool? accept = null)
    {
        if (actual is null)
        {
            throw new ArgumentNullException(nameof(actual));
        }

        var receivedPath = ReceivedPathFor(verifiedPath);
        var received = NormalizeLineEndings(actual);
        var verified = File.Exists(verifiedPath) ? NormalizeLineEndings(File.ReadAllText(verifiedPath, Utf8NoBom)) : null;

        if (verified is not null && string.Equals(verified, received, StringComparison.Ordinal))
        {
            DeleteIfExists(receivedPath);
            return;
        }

        if (accept ?? AcceptFromEnvironment())
        {
            Directory.CreateDirectory(Path.GetDirectoryName(verifiedPath)!);
            File.WriteAllText(verifiedPath, received, Utf8NoBom);
            DeleteIfExists(receivedPath);
            return;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(verifiedPath)!);
        File.WriteAllText(receivedPath, received, Utf8NoBom);

        var diff = UnifiedDiff(verified ?? "", received, "verified", "received");
        var message = new StringBuilder();
        message.AppendLine(verified is null
            ? $"There is no verified snapshot yet: {Path.GetFileName(verifiedPath)}"
            : $"The snapshot does not match: {Path.GetFileName(verifiedPath)}");
        message.AppendLine($"  verified: {verifiedPath}{(verified is null ? " (missing)" : "")}");
        message.AppendLine($"  received: {receivedPath}");
        message.AppendLine($"To accept, rerun with {AcceptVariable}=1 (e.g. `{AcceptVariable}=1 dotnet test Tests/Dsl.Generator.Tests`)");
        message.AppendLine("or move the received file over the verified one:");
        message.AppendLine($"  mv \"{receivedPath}\" \"{verifiedPath}\"");
        if (verified is not null && string.Equals(Squeeze(verified), Squeeze(received), StringComparison.Ordinal))
        {
            message.AppendLine("(The texts differ only in whitespace.)");
        }

        message.AppendLine();
        message.Append(diff);
        throw new SnapshotMismatchException(message.ToString(), verifiedPath, receivedPath, diff);
    }

    /// <summary>
    /// A unified diff of two texts (compared line by line, exactly), with 1-based line numbers of both sides in a
    /// gutter, <see cref="DiffContextLines"/> lines of context around each change and at most
    /// <see cref="MaxDiffLines"/> lines in all. A missing final newline is marked as in <c>diff -u</c>.
    /// </summary>
    public static string UnifiedDiff(string oldText, string newText, string oldName = "verified", string newName = "received")
    {
        var result = Differ.Instance.CreateDiffs(
            NormalizeLineEndings(oldText), NormalizeLineEndings(newText),
            ignoreWhiteSpace: false, ignoreCase: false, chunker: NewlineKeepingChunker.Instance);
        var oldLines = result.PiecesOld;
        var newLines = result.PiecesNew;

        var output = new StringBuilder();
        output.Append("--- ").AppendLine(oldName);
        output.Append("+++ ").AppendLine(newName);
        if (result.DiffBlocks.Count == 0)
        {
            return output.ToString();
        }

        var width = Math.Max(Math.Max(oldLines.Count, newLines.Count).ToString(System.Globalization.CultureInfo.InvariantCulture).Length, 3);
        var written = 0;
        var truncated = false;

        foreach (var hunk in Hunks(result))
        {
            output.Append("@@ -").Append(Range(hunk.OldStart, hunk.OldCount))
                .Append(" +").Append(Range(hunk.NewStart, hunk.NewCount)).AppendLine(" @@");
            foreach (var (kind, oldIndex, newIndex) in hunk.Lines)
            {
                if (written++ >= MaxDiffLines)
                {
                    truncated = true;
                    break;
                }

                var text = kind == '+' ? newLines[newIndex] : oldLines[oldIndex];
                var oldNumber = kind == '+' ? "" : (oldIndex + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
                var newNumber = kind == '-' ? "" : (newIndex + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
                output.Append(kind).Append(' ')
                    .Append(oldNumber.PadLeft(width)).Append(' ')
                    .Append(newNumber.PadLeft(width)).Append(" | ");
                if (text.EndsWith("\n", StringComparison.Ordinal))
                {
                    output.Append(text, 0, text.Length - 1).Append('\n');
                }
                else
                {
                    output.Append(text).Append('\n').Append("\\ No newline at end of file\n");
                }
            }

            if (truncated)
            {
                break;
            }
        }

        if (truncated)
        {
            output.Append("... (diff cut off after ").Append(MaxDiffLines).Append(" lines; compare the files)\n");
        }

        return output.ToString();
    }

    private static IEnumerable<Hunk> Hunks(DiffResult result)
    {
        // Every line of both sides, in order: ' ' (same), '-' (only old) or '+' (only new).
        var lines = new List<(char Kind, int Old, int New)>();
        int oldAt = 0, newAt = 0;
        foreach (var block in result.DiffBlocks)
        {
            while (oldAt < block.DeleteStartA)
            {
                lines.Add((' ', oldAt++, newAt++));
            }

            for (var i = 0; i < block.DeleteCountA; i++)
            {
                lines.Add(('-', oldAt++, newAt));
            }

            for (var i = 0; i < block.InsertCountB; i++)
            {
                lines.Add(('+', oldAt, newAt++));
            }
        }

        while (oldAt < result.PiecesOld.Count)
        {
            lines.Add((' ', oldAt++, newAt++));
        }

        // Group changed lines whose context overlaps into hunks.
        var index = 0;
        while (index < lines.Count)
        {
            while (index < lines.Count && lines[index].Kind == ' ')
            {
                index++;
            }

            if (index == lines.Count)
            {
                yield break;
            }

            var start = Math.Max(0, index - DiffContextLines);
            var end = index;
            while (true)
            {
                while (end < lines.Count && lines[end].Kind != ' ')
                {
                    end++;
                }

                var nextChange = end;
                while (nextChange < lines.Count && lines[nextChange].Kind == ' ')
                {
                    nextChange++;
                }

                if (nextChange < lines.Count && nextChange - end <= 2 * DiffContextLines)
                {
                    end = nextChange;
                    continue;
                }

                end = Math.Min(lines.Count, end + DiffContextLines);
                break;
            }

            var hunkLines = lines.GetRange(start, end - start);
            var first = hunkLines[0];
            int oldCount = 0, newCount = 0;
            foreach (var line in hunkLines)
            {
                if (line.Kind != '+')
                {
                    oldCount++;
                }

                if (line.Kind != '-')
                {
                    newCount++;
                }
            }

            yield return new Hunk(first.Old, oldCount, first.New, newCount, hunkLines);
            index = end;
        }
    }

    private static string Range(int start, int count) =>
        // As in diff -u: 1-based start, and for an empty range the line before it.
        count == 0
            ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{start},0")
            : string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{start + 1},{count}");

    private static string Squeeze(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            if (!char.IsWhiteSpace(c))
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }

    private static void CheckFileNamePart(string? part, string parameter, bool allowEmpty)
    {
        if (part is null)
        {
            return;
        }

        if (!allowEmpty && part.Length == 0)
        {
            throw new ArgumentException("Must not be empty.", parameter);
        }

        if (part.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || part.IndexOfAny(['/', '\\', ':', '*', '?', '"', '<', '>', '|']) >= 0)
        {
            throw new ArgumentException($"'{part}' cannot be part of a file name.", parameter);
        }
    }

    private static void DeleteIfExists(string path)
    {
        if (File.Exists(path))
        {
            File.Delete(path);
        }
    }

    private sealed record Hunk(int OldStart, int OldCount, int NewStart, int NewCount, List<(char Kind, int Old, int New)> Lines);

    /// <summary>Splits after each <c>\n</c> and keeps it, so a missing final newline is a difference.</summary>
    private sealed class NewlineKeepingChunker : IChunker
    {
        public static readonly NewlineKeepingChunker Instance = new();

        public IReadOnlyList<string> Chunk(string text)
        {
            var chunks = new List<string>();
            var start = 0;
            while (start < text.Length)
            {
                var end = text.IndexOf('\n', start);
                end = end < 0 ? text.Length : end + 1;
                chunks.Add(text.Substring(start, end - start));
                start = end;
            }

            return chunks;
        }
    }
}

/// <summary>A snapshot differs from (or lacks) its verified file; the received file has been written.</summary>
public sealed class SnapshotMismatchException : XunitException
{
    /// <summary>Creates the exception.</summary>
    public SnapshotMismatchException(string message, string verifiedPath, string receivedPath, string diff)
        : base(message)
    {
        VerifiedPath = verifiedPath;
        ReceivedPath = receivedPath;
        Diff = diff;
    }

    /// <summary>The verified file (which may not exist).</summary>
    public string VerifiedPath { get; }

    /// <summary>The received file that was written.</summary>
    public string ReceivedPath { get; }

    /// <summary>The unified diff from the verified to the received text.</summary>
    public string Diff { get; }
}
