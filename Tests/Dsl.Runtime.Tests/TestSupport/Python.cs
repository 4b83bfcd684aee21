using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using Xunit;

namespace Dsl.Runtime.Tests;

/// <summary>
/// Debian's Python with PyTorch (<c>python3-torch</c>, <c>python3-torchvision</c>, <c>python3-onnx</c>) for the interop
/// tests: always <c>/usr/bin/python3</c>, since the <c>python3</c> first on PATH may be another interpreter. .ci/run
/// installs the packages; elsewhere a test without them says so and returns, except under <c>CI=true</c>, where it fails.
/// </summary>
internal static class Python
{
    public const string Interpreter = "/usr/bin/python3";

    private static readonly Lazy<string?> Missing = new(() =>
    {
        if (!File.Exists(Interpreter)) return $"{Interpreter} is not installed";
        var result = RunRaw(["-c", "import torch, torchvision, onnx"], null, TimeSpan.FromMinutes(2));
        return result.ExitCode == 0 ? null : $"{Interpreter} lacks torch, torchvision or onnx: {result.Output.Trim()}";
    });

    /// <summary>
    /// True when Python with torch, torchvision and onnx is there. Otherwise writes why to <paramref name="log"/> and
    /// returns false, or fails the test under CI=true.
    /// </summary>
    public static bool Available(Action<string> log)
    {
        if (Missing.Value is null) return true;
        string reason = $"Skipped: {Missing.Value} (apt-get install --no-install-recommends python3-torch python3-torchvision python3-onnx)";
        Assert.False(string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase), reason);
        log(reason);
        return false;
    }

    /// <summary>Runs a script file with arguments; fails the test, with everything it printed, when it exits non-zero.</summary>
    public static string Run(string script, IReadOnlyList<string> arguments, string? workingDirectory = null, TimeSpan? timeout = null)
    {
        var all = new List<string> { script };
        all.AddRange(arguments);
        var result = RunRaw(all, workingDirectory, timeout ?? TimeSpan.FromMinutes(8));
        Assert.True(result.ExitCode == 0, $"python3 {string.Join(' ', all)} exited with {result.ExitCode}:\n{result.Output}");
        return result.Output;
    }

    /// <summary>Runs an interpreter command line and returns its exit code and everything it printed.</summary>
    /// <param name="environment">Variables to set (or override: e.g. OMP_NUM_THREADS=1 for each of several processes).</param>
    public static (int ExitCode, string Output) RunRaw(IReadOnlyList<string> arguments, string? workingDirectory, TimeSpan timeout,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(Interpreter)
        {
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var a in arguments) start.ArgumentList.Add(a);
        // Two threads, as the C# side uses on this machine; no user site-packages.
        start.Environment["OMP_NUM_THREADS"] = "2";
        start.Environment["PYTHONNOUSERSITE"] = "1";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) start.Environment[name] = value;
        var (exitCode, output, timedOut) = ChildProcess.Run(start, timeout);
        return timedOut ? (-1, $"timed out after {timeout}:\n{output}") : (exitCode, output);
    }
}
