using System.Linq;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Dsl.Generator.Parsing;

/// <summary>
/// A class's XML <c>&lt;summary&gt;</c> as one line of plain text. Read from the <c>///</c> trivia itself, not from
/// <c>GetDocumentationCommentXml</c>, because projects that do not generate a documentation file may be compiled with
/// documentation comments unparsed, and the catalogue should read the same either way.
/// </summary>
public static class DocumentationSummary
{
    private static readonly Regex Summary = new("<summary>(.*?)</summary>", RegexOptions.Singleline | RegexOptions.CultureInvariant);
    private static readonly Regex Reference = new("<(?:see|seealso)\\s+(?:cref|langword|href)\\s*=\\s*\"(?:[A-Z]:)?([^\"]*)\"\\s*/>", RegexOptions.CultureInvariant);
    private static readonly Regex NameReference = new("<(?:paramref|typeparamref)\\s+name\\s*=\\s*\"([^\"]*)\"\\s*/>", RegexOptions.CultureInvariant);
    private static readonly Regex Tag = new("<[^>]*>", RegexOptions.CultureInvariant);
    // A cref's generic braces become angle brackets only after the tags are removed (private-use characters meanwhile).
    private const char OpenAngle = '\uE000';
    private const char CloseAngle = '\uE001';

    private static readonly Regex Spaces = new("\\s+", RegexOptions.CultureInvariant);

    public static string Of(INamedTypeSymbol type, CancellationToken ct)
    {
        foreach (var reference in type.DeclaringSyntaxReferences.OrderBy(r => r.SyntaxTree.FilePath, System.StringComparer.Ordinal).ThenBy(r => r.Span.Start))
        {
            var text = FromComment(DocumentationLines(reference.GetSyntax(ct)));
            if (text.Length > 0)
            {
                return text;
            }
        }

        return "";
    }

    /// <summary>The plain text of the first &lt;summary&gt; in a documentation comment (without the <c>///</c>).</summary>
    public static string FromComment(string comment)
    {
        var match = Summary.Match(comment);
        if (!match.Success)
        {
            return "";
        }

        var text = Reference.Replace(match.Groups[1].Value, m => m.Groups[1].Value.Split('.').Last().Split('(')[0].Replace('{', OpenAngle).Replace('}', CloseAngle));
        text = NameReference.Replace(text, m => m.Groups[1].Value);
        text = Tag.Replace(text, "").Replace(OpenAngle, '<').Replace(CloseAngle, '>');
        return Spaces.Replace(WebUtility.HtmlDecode(text), " ").Trim();
    }

    private static string DocumentationLines(SyntaxNode node)
    {
        var lines = new StringBuilder();
        foreach (var trivia in node.GetLeadingTrivia())
        {
            if (trivia.IsKind(SyntaxKind.SingleLineDocumentationCommentTrivia) || trivia.IsKind(SyntaxKind.SingleLineCommentTrivia))
            {
                foreach (var line in trivia.ToFullString().Split('\n'))
                {
                    var trimmed = line.Trim();
                    if (trimmed.StartsWith("///", System.StringComparison.Ordinal))
                    {
                        lines.Append(trimmed.Substring(3)).Append('\n');
                    }
                }
            }
        }

        return lines.ToString();
    }
}
