using System;
using System.IO;

namespace Dsl.Runtime.Tests;

/// <summary>A fresh directory for one test under the system temp folder, deleted with everything in it on dispose.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory() => Path = Directory.CreateTempSubdirectory("dsl-tests-").FullName;

    public string Path { get; }

    /// <summary>The full path of <paramref name="name"/> in this directory (not created).</summary>
    public string File(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>Writes <paramref name="bytes"/> to a file of this directory and returns its full path.</summary>
    public string Write(string name, byte[] bytes)
    {
        var file = File(name);
        System.IO.File.WriteAllBytes(file, bytes);
        return file;
    }

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
