using System;
using System.IO;

namespace Dsl.Runtime.Data;

/// <summary>
/// A data file (or a data directory) that cannot be used: truncated, wrong magic number, bad dimensions,
/// labels that do not match the images, a label outside the classes, or a missing file.
/// </summary>
/// <remarks>Derives from <see cref="IOException"/>: <see cref="InvalidDataException"/>, the natural parent, is sealed.</remarks>
public sealed class DataFileException : IOException
{
    /// <summary>Creates the exception; <paramref name="message"/> is prefixed with the path unless it already names it.</summary>
    /// <param name="filePath">The file (or directory, or embedded resource name) at fault.</param>
    /// <param name="message">One sentence saying what is wrong.</param>
    public DataFileException(string filePath, string message)
        : base(Dsl.Runtime.IO.Names.OneLine(message.Contains(filePath, StringComparison.Ordinal) ? message : $"{filePath}: {message}"))
    {
        FilePath = filePath;
    }

    /// <summary>The file, directory or embedded resource name at fault.</summary>
    public string FilePath { get; }
}
