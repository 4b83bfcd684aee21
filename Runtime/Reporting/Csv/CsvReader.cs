using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;

namespace Dsl.Runtime.Reporting.Csv;

/// <summary>
/// Reads a report CSV with a known header, turning every defect into an <see cref="InvalidDataException"/>
/// that names the file, the line and what was wrong.
/// </summary>
internal sealed class CsvReader
{
    private readonly string path;
    private readonly string[] header;

    private CsvReader(string path, string[] header)
    {
        this.path = path;
        this.header = header;
    }

    /// <summary>Reads every data row of the file, checking the header and the field count.</summary>
    public static IReadOnlyList<T> ReadAll<T>(string path, string[] header, Func<Row, T> parseRow)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        string fullPath = Path.GetFullPath(path);
        var reader = new CsvReader(fullPath, header);
        string[] lines = File.ReadAllLines(fullPath);
        if (lines.Length == 0)
            throw new InvalidDataException($"{fullPath} is empty; expected the header line '{string.Join(',', header)}'.");
        if (lines[0].Trim().TrimStart('\uFEFF') != string.Join(',', header))
            throw reader.Error(1, $"the header is '{lines[0]}' but should be '{string.Join(',', header)}'");

        var rows = new List<T>();
        for (int index = 1; index < lines.Length; index++)
        {
            if (lines[index].Trim().Length == 0)
                continue;
            int lineNumber = index + 1;
            IReadOnlyList<string>? fields = CsvFormat.Split(lines[index], out string? problem);
            if (fields is null)
                throw reader.Error(lineNumber, problem!);
            if (fields.Count != header.Length)
                throw reader.Error(lineNumber, $"expected {header.Length} fields ({string.Join(',', header)}) but found {fields.Count}");
            rows.Add(parseRow(new Row(reader, lineNumber, fields)));
        }
        return rows;
    }

    private InvalidDataException Error(int lineNumber, string what) => new($"{path} line {lineNumber}: {what}.");

    /// <summary>One data row, whose typed getters report a bad value with its column name.</summary>
    internal readonly struct Row
    {
        private readonly CsvReader reader;
        private readonly int lineNumber;
        private readonly IReadOnlyList<string> fields;

        public Row(CsvReader reader, int lineNumber, IReadOnlyList<string> fields)
        {
            this.reader = reader;
            this.lineNumber = lineNumber;
            this.fields = fields;
        }

        public string Text(int column) => fields[column].Length > 0 ? fields[column] : throw Bad(column, "a name");

        public long Long(int column) =>
            long.TryParse(fields[column], NumberStyles.Integer, CultureInfo.InvariantCulture, out long value)
                ? value
                : throw Bad(column, "a whole number");

        public int Int(int column) =>
            int.TryParse(fields[column], NumberStyles.Integer, CultureInfo.InvariantCulture, out int value)
                ? value
                : throw Bad(column, "a whole number");

        public double Double(int column) =>
            double.TryParse(fields[column], NumberStyles.Float, CultureInfo.InvariantCulture, out double value)
                ? value
                : throw Bad(column, "a number");

        public double? OptionalDouble(int column) => fields[column].Length == 0 ? null : Double(column);

        private InvalidDataException Bad(int column, string expected) =>
            reader.Error(lineNumber, $"{reader.header[column]} is '{fields[column]}', which is not {expected}");
    }
}
