using System;
using System.ComponentModel;
using System.Diagnostics;
using System.Threading.Tasks;
using Xunit;

namespace Dsl.Generator.Tests.Infrastructure;

/// <summary>Graphviz's <c>dot</c>, when installed: renders DOT text and reports its exit code and errors.</summary>
public static class Graphviz
{
    private static readonly Lazy<bool> LazyInstalled = new(() =>
    {
        try
        {
            return Render("digraph g { a -> b; }", "svg").ExitCode == 0;
        }
        catch (Win32Exception)
        {
            return false;
        }
    });

    /// <summary>Whether <c>dot</c> runs.</summary>
    public static bool Installed => LazyInstalled.Value;

    /// <summary>Whether this is a CI run (<c>CI=true</c>), where a missing <c>dot</c> is a failure, not a skip.</summary>
    public static bool OnCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>Runs <c>dot -T{format}</c> on <paramref name="dot"/>; throws <see cref="Win32Exception"/> when dot is not installed.</summary>
    public static (int ExitCode, string Output, string Errors) Render(string dot, string format)
    {
        var start = new ProcessStartInfo("dot", "-T" + format)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(start) ?? throw new Win32Exception("dot did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        process.StandardInput.Write(dot);
        process.StandardInput.Close();
        Task.WaitAll(output, errors);
        process.WaitForExit();
        return (process.ExitCode, output.Result, errors.Result);
    }

    internal static string? SkipReason =>
        Installed || OnCi ? null : "Graphviz's dot is not installed (apt-get install graphviz); CI=true installs it and fails without it.";
}

/// <summary>A theory that needs <c>dot</c>: skipped with the reason when it is missing, except on CI (<c>CI=true</c>), where it runs and fails.</summary>
public sealed class GraphvizTheoryAttribute : TheoryAttribute
{
    public GraphvizTheoryAttribute()
    {
        Skip = Graphviz.SkipReason!;
    }
}
