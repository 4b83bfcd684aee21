using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using Dsl.Generator.Diagnostics;
using Dsl.Generator.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Xunit;
using Xunit.Sdk;
using static Dsl.Generator.Tests.DiagnosticChecks;

namespace Dsl.Generator.Tests;

/// <summary>
/// docs/diagnostics.md is executable: every section's example is compiled and must report exactly its own ID with
/// exactly the documented message, on the line the example marks; every descriptor has a section, a row in the
/// table of the docs and a row in Generator/AnalyzerReleases.Unshipped.md, and nothing is documented that does not exist.
/// </summary>
public class DocsTests
{
    private static readonly Lazy<string> RepositoryRoot = new(() => FindRepositoryRoot());

    /// <summary>Every descriptor in <see cref="DiagnosticDescriptors"/>, by reflection, in ID order.</summary>
    public static IReadOnlyList<DiagnosticDescriptor> Descriptors { get; } =
        typeof(DiagnosticDescriptors).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.FieldType == typeof(DiagnosticDescriptor))
            .Select(f => (DiagnosticDescriptor)f.GetValue(null)!)
            .OrderBy(d => d.Id, StringComparer.Ordinal)
            .ToArray();

    public static TheoryData<string> Ids => new(Descriptors.Select(d => d.Id));

    /// <summary>
    /// Every ID but DSL000 (<see cref="DiagnosticDescriptors.InternalError"/>), which only a bug in the generator
    /// reports: its section explains it and has no example.
    /// </summary>
    public static TheoryData<string> IdsWithExamples =>
        new(Descriptors.Where(d => d.Id != DiagnosticDescriptors.InternalError.Id).Select(d => d.Id));

    [Theory]
    [MemberData(nameof(IdsWithExamples))]
    public void The_documented_example_reports_exactly_the_documented_message(string id)
    {
        var section = Section(id);
        Assert.True(section.Code is not null, $"The section of {id} has no ```csharp example.");
        var source = "using Dsl;\n" + section.Code;

        var run = GeneratorHarness.Run(source);

        var diagnostic = Single(run, id);
        Assert.Equal(section.Message, Message(diagnostic));
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.True(
            Line(diagnostic) == section.MarkedLine + 1,
            $"The example of {id} marks line {section.MarkedLine} (\"// ... {id}\"), but the diagnostic is on line {Line(diagnostic) - 1}.\n" +
            Describe(run));
        Assert.Empty(BuiltModels(run));
        Assert.True(run.CompilationDiagnostics.IsEmpty, $"The example of {id} should compile apart from the generator's error.\n" + Describe(run));
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public void Every_descriptor_has_a_section_with_its_title_and_a_help_link_to_it(string id)
    {
        var descriptor = Descriptors.Single(d => d.Id == id);
        var section = Section(id);

        Assert.Equal(descriptor.Title.ToString(), section.Title);
        Assert.Equal(DiagnosticDescriptors.DefaultDocumentationUrl + "#" + id.ToLowerInvariant(), descriptor.HelpLinkUri);
        Assert.Contains($"| [{id}](#{id.ToLowerInvariant()}) | {descriptor.Title} |\n", Docs());
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public void Every_help_link_is_absolute_and_its_anchor_is_a_heading_of_the_docs(string id)
    {
        var link = new Uri(Descriptors.Single(d => d.Id == id).HelpLinkUri, UriKind.Absolute);

        Assert.Equal(Uri.UriSchemeHttps, link.Scheme);
        Assert.EndsWith("/docs/diagnostics.md", link.AbsolutePath, StringComparison.Ordinal);
        Assert.Contains(link.Fragment.TrimStart('#'), HeadingAnchors());
    }

    /// <summary>The anchors a Markdown renderer (GitHub's rule) gives the headings of docs/diagnostics.md.</summary>
    private static IReadOnlyList<string> HeadingAnchors() =>
        Regex.Matches(Docs(), @"^#{1,6} (.+)$", RegexOptions.Multiline)
            .Select(m => Regex.Replace(m.Groups[1].Value.Trim().ToLowerInvariant(), @"[^\p{L}\p{N}_\- ]", "").Replace(' ', '-'))
            .ToArray();

    [Theory]
    [MemberData(nameof(Ids))]
    public void Every_descriptor_has_a_row_in_the_unshipped_release_notes(string id)
    {
        var descriptor = Descriptors.Single(d => d.Id == id);
        var rows = ReleaseRows();

        Assert.True(rows.TryGetValue(id, out var row), $"{id} has no row in Generator/AnalyzerReleases.Unshipped.md.");
        Assert.Equal([id, descriptor.Category, descriptor.DefaultSeverity.ToString(), descriptor.Title.ToString()], row);
    }

    [Fact]
    public void Descriptors_are_numbered_DSL000_upwards_without_gaps_and_all_are_errors()
    {
        Assert.Equal(
            Enumerable.Range(0, Descriptors.Count).Select(i => $"DSL{i:000}"),
            Descriptors.Select(d => d.Id));
        Assert.All(Descriptors, d =>
        {
            Assert.Equal(DiagnosticSeverity.Error, d.DefaultSeverity);
            Assert.True(d.IsEnabledByDefault);
            Assert.Equal("Dsl", d.Category);
        });
    }

    [Fact]
    public void The_internal_error_is_documented_without_an_example()
    {
        var section = Section(DiagnosticDescriptors.InternalError.Id);

        Assert.Null(section.Code);
        Assert.Equal(
            DiagnosticDescriptors.InternalError.MessageFormat.ToString().Replace("{0}", "<class>").Replace("{1}", "<exception>"),
            section.Message);
    }

    [Fact]
    public void Nothing_is_documented_or_released_that_is_not_a_descriptor()
    {
        var ids = Descriptors.Select(d => d.Id).ToArray();

        Assert.Equal(ids, Regex.Matches(Docs(), @"^## (\S+)$", RegexOptions.Multiline).Select(m => m.Groups[1].Value));
        Assert.Equal(ids, ReleaseRows().Keys.OrderBy(k => k, StringComparer.Ordinal));
    }

    // ---- Reading the docs --------------------------------------------------------------------------------------

    /// <summary>
    /// One <c>## DSLxxx</c> section: its bold title, its example (if any), the line (1-based) the example marks with the
    /// ID, and its message.
    /// </summary>
    public sealed record DocSection(string Id, string Title, string? Code, int MarkedLine, string Message);

    private static DocSection Section(string id)
    {
        var docs = Docs();
        var heading = Regex.Match(docs, $@"^## {id}\n", RegexOptions.Multiline);
        if (!heading.Success)
        {
            throw new XunitException($"docs/diagnostics.md has no section \"## {id}\".");
        }

        var next = docs.IndexOf("\n## ", heading.Index + heading.Length - 1, StringComparison.Ordinal);
        var body = docs.Substring(heading.Index + heading.Length, (next < 0 ? docs.Length : next) - heading.Index - heading.Length);

        var title = Regex.Match(body, @"^\*\*(.+?)\.\*\*", RegexOptions.Multiline);
        var code = Regex.Matches(body, @"^```csharp\n(.*?)^```\n", RegexOptions.Multiline | RegexOptions.Singleline);
        var message = Regex.Matches(body, @"^> (.+)$", RegexOptions.Multiline);
        Assert.True(title.Success, $"The section of {id} does not start with a bold title (**Title.**).");
        Assert.True(code.Count <= 1, $"The section of {id} should have at most one ```csharp block; it has {code.Count}.");
        Assert.True(message.Count == 1, $"The section of {id} should have exactly one '> message' line; it has {message.Count}.");
        if (code.Count == 0)
        {
            return new DocSection(id, title.Groups[1].Value, null, 0, message[0].Groups[1].Value.TrimEnd());
        }

        var lines = code[0].Groups[1].Value.Split('\n');
        var marked = Enumerable.Range(0, lines.Length).Where(i => Regex.IsMatch(lines[i], $@"//.*\b{id}\b")).ToList();
        Assert.True(marked.Count == 1, $"The example of {id} should mark exactly one line with a comment naming {id}; it marks {marked.Count}.");

        return new DocSection(id, title.Groups[1].Value, code[0].Groups[1].Value, marked[0] + 1, message[0].Groups[1].Value.TrimEnd());
    }

    /// <summary>The rows of the table in Generator/AnalyzerReleases.Unshipped.md, by rule ID: ID, category, severity, notes.</summary>
    private static Dictionary<string, string[]> ReleaseRows()
    {
        var text = Read("Generator", "AnalyzerReleases.Unshipped.md");
        return text.Split('\n')
            .Where(line => line.StartsWith("DSL", StringComparison.Ordinal))
            .Select(line => line.Split('|').Select(cell => cell.Trim()).ToArray())
            .ToDictionary(cells => cells[0], StringComparer.Ordinal);
    }

    private static string Docs() => Read("docs", "diagnostics.md");

    private static string Read(params string[] relative) =>
        Snapshot.NormalizeLineEndings(File.ReadAllText(Path.Combine(new[] { RepositoryRoot.Value }.Concat(relative).ToArray())));

    /// <summary>The repository root: the nearest folder above this file that has docs/diagnostics.md.</summary>
    private static string FindRepositoryRoot([CallerFilePath] string thisFile = "")
    {
        for (var directory = Path.GetDirectoryName(thisFile); directory is not null; directory = Path.GetDirectoryName(directory))
        {
            if (File.Exists(Path.Combine(directory, "docs", "diagnostics.md")))
            {
                return directory;
            }
        }

        throw new XunitException($"No docs/diagnostics.md in any folder above {thisFile}; the tests must run from the source tree.");
    }
}
