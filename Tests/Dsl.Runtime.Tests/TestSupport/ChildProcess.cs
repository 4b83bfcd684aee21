using System;
using System.Diagnostics;
using System.Text;

namespace Dsl.Runtime.Tests;

/// <summary>Runs a program to its end or a timeout, with its stdout and stderr interleaved as printed.</summary>
internal static class ChildProcess
{
    /// <summary>The exit code and everything printed; on a timeout the whole process tree is killed and TimedOut is set.</summary>
    public static (int ExitCode, string Output, bool TimedOut) Run(ProcessStartInfo start, TimeSpan timeout)
    {
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        var output = new StringBuilder();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            lock (output) return (-1, output.ToString(), true);
        }

        // The parameterless wait also drains the asynchronous output readers.
        process.WaitForExit();
        lock (output) return (process.ExitCode, output.ToString(), false);
    }
}
