using System;
using System.IO;
using System.Linq;
using Xunit;
using Xunit.Sdk;

namespace Dsl.Generator.Tests.Infrastructure;

/// <summary>A fresh temporary directory per test, deleted afterwards.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "dsl-snapshot-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    /// <summary>A verified-file path inside the directory, in a <c>Snapshots</c> folder that does not exist yet.</summary>
    public string Verified(string name = "Tests.Member") =>
        System.IO.Path.Combine(Path, Snapshot.DirectoryName, name + ".verified.cs");

    public void Dispose() => Directory.Delete(Path, recursive: true);
}

public class SnapshotTests
{
    [Fact]
    public void Match_passes_when_the_text_equals_the_verified_file_beside_the_test()
    {
        // Snapshots/SnapshotTests.Match_passes_when_the_text_equals_the_verified_file_beside_the_test.verified.txt
        Snapshot.Match("first line\n  indented, with a trailing space \nlast line, no newline", extension: "txt");
    }

    [Fact]
    public void Match_with_a_suffix()
    {
        // Snapshots/SnapshotTests.Match_with_a_suffix#Net.g.verified.cs (not compiled: the project removes Snapshots/**).
        Snapshot.Match("public partial class Net\n{\n}\n", "Net.g");
    }

    [Fact]
    public void Match_twice_with_the_same_name_fails()
    {
        Snapshot.Match("once\n", "dup", "txt");

        var failure = Assert.Throws<XunitException>(() => Snapshot.Match("once\n", "dup", "txt"));

        Assert.Contains("already matched in this test run", failure.Message);
    }

    [Fact]
    public void VerifiedPathFor_puts_the_snapshot_in_Snapshots_beside_the_test_file()
    {
        using var temp = new TempDirectory();
        var testFile = Path.Combine(temp.Path, "GeneratorTests.cs");

        Assert.Equal(
            Path.Combine(temp.Path, "Snapshots", "GeneratorTests.Emits#TinyResNet.g.verified.cs"),
            Snapshot.VerifiedPathFor(testFile, "Emits", "TinyResNet.g"));
        Assert.Equal(
            Path.Combine(temp.Path, "Snapshots", "GeneratorTests.Reports.verified.txt"),
            Snapshot.VerifiedPathFor(testFile, "Reports", extension: "txt"));
        Assert.Equal(
            Path.Combine(temp.Path, "Snapshots", "GeneratorTests.Emits#TinyResNet.g.received.cs"),
            Snapshot.ReceivedPathFor(Snapshot.VerifiedPathFor(testFile, "Emits", "TinyResNet.g")));
    }

    [Theory]
    [InlineData("relative/GeneratorTests.cs", "M", null, "cs")]
    [InlineData("", "M", null, "cs")]
    [InlineData(null, "M", "a/b", "cs")]
    [InlineData(null, "M", "", "cs")]
    [InlineData(null, "M", null, ".cs")]
    [InlineData(null, "", null, "cs")]
    public void VerifiedPathFor_rejects_unusable_names(string? testFile, string member, string? suffix, string extension)
    {
        using var temp = new TempDirectory();

        Assert.Throws<ArgumentException>(
            () => Snapshot.VerifiedPathFor(testFile ?? Path.Combine(temp.Path, "GeneratorTests.cs"), member, suffix, extension));
    }

    [Fact]
    public void Mismatch_writes_the_received_file_and_fails_with_a_diff_naming_the_changed_line()
    {
        using var temp = new TempDirectory();
        var verified = temp.Verified();
        Directory.CreateDirectory(Path.GetDirectoryName(verified)!);
        File.WriteAllText(verified, "one\ntwo\nthree\n");

        var failure = Assert.Throws<SnapshotMismatchException>(() => Snapshot.MatchFile("one\nTWO\nthree\n", verified, accept: false));

        var received = Path.Combine(temp.Path, "Snapshots", "Tests.Member.received.cs");
        Assert.Equal(received, failure.ReceivedPath);
        Assert.Equal(verified, failure.VerifiedPath);
        Assert.Equal("one\nTWO\nthree\n", File.ReadAllText(received));
        Assert.Equal("one\ntwo\nthree\n", File.ReadAllText(verified));
        Assert.Equal(
            "--- verified\n" +
            "+++ received\n" +
            "@@ -1,3 +1,3 @@\n" +
            "    1   1 | one\n" +
            "-   2     | two\n" +
            "+       2 | TWO\n" +
            "    3   3 | three\n",
            failure.Diff);
        Assert.StartsWith("The snapshot does not match: Tests.Member.verified.cs\n", failure.Message);
        Assert.Contains($"verified: {verified}\n", failure.Message);
        Assert.Contains($"received: {received}\n", failure.Message);
        Assert.Contains("DSL_ACCEPT_SNAPSHOTS=1", failure.Message);
        Assert.Contains($"mv \"{received}\" \"{verified}\"", failure.Message);
        Assert.EndsWith(failure.Diff, failure.Message);
    }

    [Fact]
    public void A_missing_verified_file_fails_and_writes_the_received_file()
    {
        using var temp = new TempDirectory();
        var verified = temp.Verified();

        var failure = Assert.Throws<SnapshotMismatchException>(() => Snapshot.MatchFile("a\nb\n", verified, accept: false));

        Assert.False(File.Exists(verified));
        Assert.Equal("a\nb\n", File.ReadAllText(failure.ReceivedPath));
        Assert.StartsWith("There is no verified snapshot yet: Tests.Member.verified.cs\n", failure.Message);
        Assert.Contains($"verified: {verified} (missing)\n", failure.Message);
        Assert.Equal("--- verified\n+++ received\n@@ -0,0 +1,2 @@\n+       1 | a\n+       2 | b\n", failure.Diff);
    }

    [Fact]
    public void Accepting_overwrites_the_verified_file_deletes_the_received_one_and_passes()
    {
        using var temp = new TempDirectory();
        var verified = temp.Verified();
        Assert.Throws<SnapshotMismatchException>(() => Snapshot.MatchFile("old\n", verified, accept: false));
        Snapshot.MatchFile("old\n", verified, accept: true);
        Assert.Throws<SnapshotMismatchException>(() => Snapshot.MatchFile("new\n", verified, accept: false));
        Assert.True(File.Exists(Snapshot.ReceivedPathFor(verified)));

        Snapshot.MatchFile("new\n", verified, accept: true);

        Assert.Equal("new\n", File.ReadAllText(verified));
        Assert.False(File.Exists(Snapshot.ReceivedPathFor(verified)));
        Snapshot.MatchFile("new\n", verified, accept: false);
    }

    [Fact]
    public void Success_deletes_a_stale_received_file()
    {
        using var temp = new TempDirectory();
        var verified = temp.Verified();
        Snapshot.MatchFile("same\n", verified, accept: true);
        File.WriteAllText(Snapshot.ReceivedPathFor(verified), "stale\n");

        Snapshot.MatchFile("same\n", verified, accept: false);

        Assert.False(File.Exists(Snapshot.ReceivedPathFor(verified)));
    }

    [Fact]
    public void Line_endings_are_normalised_to_LF_when_comparing_and_writing()
    {
        using var temp = new TempDirectory();
        var verified = temp.Verified();

        Snapshot.MatchFile("a\r\nb\rc\n", verified, accept: true);
        Assert.Equal("a\nb\nc\n", File.ReadAllText(verified));
        Snapshot.MatchFile("a\r\nb\r\nc\r\n", verified, accept: false);

        File.WriteAllText(verified, "a\r\nb\r\nc\r\n"); // as a checkout with autocrlf might leave it
        Snapshot.MatchFile("a\nb\nc\n", verified, accept: false);

        var failure = Assert.Throws<SnapshotMismatchException>(() => Snapshot.MatchFile("a\r\nB\r\nc\r\n", verified, accept: false));
        Assert.Equal("a\nB\nc\n", File.ReadAllText(failure.ReceivedPath));
    }

    [Fact]
    public void Whitespace_is_never_trimmed()
    {
        using var temp = new TempDirectory();
        var verified = temp.Verified();
        Snapshot.MatchFile("x = 1;\n", verified, accept: true);

        var newline = Assert.Throws<SnapshotMismatchException>(() => Snapshot.MatchFile("x = 1;", verified, accept: false));
        Assert.Equal("x = 1;", File.ReadAllText(newline.ReceivedPath));
        var trailing = Assert.Throws<SnapshotMismatchException>(() => Snapshot.MatchFile("x = 1; \n", verified, accept: false));
        var indent = Assert.Throws<SnapshotMismatchException>(() => Snapshot.MatchFile("  x = 1;\n", verified, accept: false));

        Assert.Equal(
            "--- verified\n+++ received\n@@ -1,1 +1,1 @@\n-   1     | x = 1;\n+       1 | x = 1;\n\\ No newline at end of file\n",
            newline.Diff);
        Assert.Contains("(The texts differ only in whitespace.)", trailing.Message);
        Assert.Contains("+       1 | x = 1; \n", trailing.Diff);
        Assert.Contains("+       1 |   x = 1;\n", indent.Diff);
        Assert.Equal("  x = 1;\n", File.ReadAllText(indent.ReceivedPath));
    }

    [Fact]
    public void The_diff_shows_three_lines_of_context_and_separate_hunks_for_distant_changes()
    {
        var old = string.Concat(Enumerable.Range(1, 100).Select(i => $"line {i}\n"));
        var changed = old.Replace("line 50\n", "line fifty\n").Replace("line 90\n", "line ninety\n").Replace("line 93\n", "");

        var diff = Snapshot.UnifiedDiff(old, changed);

        Assert.Equal(
            "--- verified\n" +
            "+++ received\n" +
            "@@ -47,7 +47,7 @@\n" +
            "   47  47 | line 47\n" +
            "   48  48 | line 48\n" +
            "   49  49 | line 49\n" +
            "-  50     | line 50\n" +
            "+      50 | line fifty\n" +
            "   51  51 | line 51\n" +
            "   52  52 | line 52\n" +
            "   53  53 | line 53\n" +
            "@@ -87,10 +87,9 @@\n" +
            "   87  87 | line 87\n" +
            "   88  88 | line 88\n" +
            "   89  89 | line 89\n" +
            "-  90     | line 90\n" +
            "+      90 | line ninety\n" +
            "   91  91 | line 91\n" +
            "   92  92 | line 92\n" +
            "-  93     | line 93\n" +
            "   94  93 | line 94\n" +
            "   95  94 | line 95\n" +
            "   96  95 | line 96\n",
            diff);
    }

    [Fact]
    public void A_long_diff_is_cut_off()
    {
        var old = string.Concat(Enumerable.Range(1, 500).Select(i => $"line {i}\n"));

        var diff = Snapshot.UnifiedDiff(old, "");

        Assert.EndsWith("... (diff cut off after 200 lines; compare the files)\n", diff);
        Assert.Equal(200 + 4, diff.Count(c => c == '\n'));
    }
}

/// <summary>Tests that set process-wide environment variables run alone, not beside other snapshot tests.</summary>
[CollectionDefinition(nameof(EnvironmentCollection), DisableParallelization = true)]
public sealed class EnvironmentCollection
{
}

[Collection(nameof(EnvironmentCollection))]
public class SnapshotAcceptEnvironmentTests
{
    [Fact]
    public void The_accept_variable_overwrites_the_verified_file()
    {
        using var temp = new TempDirectory();
        var verified = temp.Verified();
        Snapshot.MatchFile("old\n", verified, accept: true);
        WithAcceptVariable(null, () => Assert.Throws<SnapshotMismatchException>(() => Snapshot.MatchFile("new\n", verified)));

        WithAcceptVariable("1", () => Snapshot.MatchFile("new\n", verified));

        Assert.Equal("new\n", File.ReadAllText(verified));
        Assert.False(File.Exists(Snapshot.ReceivedPathFor(verified)));
    }

    [Theory]
    [InlineData(null, false)]
    [InlineData("", false)]
    [InlineData("0", false)]
    [InlineData("1", true)]
    [InlineData("true", true)]
    [InlineData("TRUE", true)]
    public void AcceptFromEnvironment_reads_the_variable(string? value, bool expected)
    {
        WithAcceptVariable(value, () => Assert.Equal(expected, Snapshot.AcceptFromEnvironment()));
    }

    private static void WithAcceptVariable(string? value, Action action)
    {
        var saved = Environment.GetEnvironmentVariable(Snapshot.AcceptVariable);
        Environment.SetEnvironmentVariable(Snapshot.AcceptVariable, value);
        try
        {
            action();
        }
        finally
        {
            Environment.SetEnvironmentVariable(Snapshot.AcceptVariable, saved);
        }
    }
}
