using System.Globalization;
using System.Linq;
using System.Text;

namespace Dsl.Runtime.IO;

/// <summary>
/// Names read from files (tensor names, section names) as they may be shown: a file can hold any string, and one with
/// an escape character would otherwise reach the terminal raw (colours, a moved cursor, a rewritten line).
/// </summary>
internal static class Names
{
    /// <summary>Limit on the characters of one name in a message, so a 100 MB name cannot flood it.</summary>
    public const int MaxShown = 200;

    /// <summary>
    /// <paramref name="name"/> with every control or format character (C0, DEL, C1, bidirectional overrides, line and
    /// paragraph separators) written as <c>\u001b</c>, backslashes as <c>\\</c>, and cut after <see cref="MaxShown"/> characters.
    /// </summary>
    public static string Printable(string name)
    {
        var clean = true;
        foreach (var c in name)
        {
            if (NeedsEscape(c))
            {
                clean = false;
                break;
            }
        }
        if (clean && name.Length <= MaxShown)
            return name;

        var builder = new StringBuilder(System.Math.Min(name.Length, MaxShown) + 16);
        for (var i = 0; i < name.Length; i++)
        {
            if (builder.Length >= MaxShown)
            {
                builder.Append(CultureInfo.InvariantCulture, $"… ({name.Length} characters)");
                break;
            }
            var c = name[i];
            if (c == '\\')
                builder.Append(@"\\");
            else if (NeedsEscape(c))
                builder.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
            else
                builder.Append(c);
        }
        return builder.ToString();
    }

    /// <summary>The first line of a library's exception message, without its final period, to quote inside one of ours.</summary>
    public static string FirstLine(string message)
    {
        var end = message.IndexOfAny(['\r', '\n']);
        return (end < 0 ? message : message[..end]).TrimEnd('.');
    }

    /// <summary>
    /// <paramref name="message"/> with every control or format character written as <c>\u000a</c> and so on (backslashes
    /// kept, nothing cut): an exception message that quotes a file's content (a JSON parser's, say) stays one line.
    /// </summary>
    public static string OneLine(string message)
    {
        if (!message.Any(IsControlOrFormat))
            return message;
        var builder = new StringBuilder(message.Length + 16);
        foreach (var c in message)
        {
            if (IsControlOrFormat(c))
                builder.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
            else
                builder.Append(c);
        }
        return builder.ToString();
    }

    private static bool IsControlOrFormat(char c) => c != '\\' && NeedsEscape(c);

    private static bool NeedsEscape(char c) =>
        c == '\\' || char.IsControl(c) ||
        CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.Format or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator;
}
