using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace Dsl.Runtime.Reporting.Csv;

/// <summary>
/// The small part of RFC 4180 the reports need: one record per line, fields quoted when they hold a comma or a quote,
/// numbers in the invariant culture (round-trip precision; NaN and Infinity spelled out).
/// </summary>
internal static class CsvFormat
{
    public static string Line(IEnumerable<string> fields) => string.Join(',', fields.Select(Quote));

    public static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    public static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    public static string Number(double? value) => value is null ? "" : Number(value.Value);

    private static string Quote(string field)
    {
        if (field.Contains('\n') || field.Contains('\r'))
            throw new ArgumentException($"The CSV field '{field.ReplaceLineEndings(" ")}' holds a line break, which the report format does not allow.");
        return field.Contains(',') || field.Contains('"') ? "\"" + field.Replace("\"", "\"\"") + "\"" : field;
    }

    /// <summary>Splits one line into fields, or returns null with the reason when the quoting is broken.</summary>
    public static IReadOnlyList<string>? Split(string line, out string? problem)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        int i = 0;
        problem = null;
        while (true)
        {
            field.Clear();
            if (i < line.Length && line[i] == '"')
            {
                i++;
                while (true)
                {
                    if (i >= line.Length)
                    {
                        problem = "a quoted field is not closed";
                        return null;
                    }
                    if (line[i] == '"')
                    {
                        if (i + 1 < line.Length && line[i + 1] == '"')
                        {
                            field.Append('"');
                            i += 2;
                            continue;
                        }
                        i++;
                        break;
                    }
                    field.Append(line[i++]);
                }
                if (i < line.Length && line[i] != ',')
                {
                    problem = "a quoted field is followed by text before the next comma";
                    return null;
                }
            }
            else
            {
                while (i < line.Length && line[i] != ',')
                    field.Append(line[i++]);
            }
            fields.Add(field.ToString());
            if (i >= line.Length)
                return fields;
            i++; // the comma
        }
    }
}
