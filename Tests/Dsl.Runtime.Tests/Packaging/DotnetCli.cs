using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using Xunit;

namespace Dsl.Runtime.Tests.Packaging;

/// <summary>What one <c>dotnet</c> command printed and how it exited.</summary>
internal sealed record CommandResult(string Command, int ExitCode, string Output)
{
    public void AssertSucceeded() =>
        Assert.True(ExitCode == 0, $"`{Command}` exited with {ExitCode}:\n{Output}");
}

/// <summary>Runs dotnet as a user's shell would: no MSBuild state of the test run inherited, no build server left behind.</summary>
internal static class DotnetCli
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(8);

    public static CommandResult Run(string workingDirectory, IReadOnlyList<string> arguments,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = workingDirectory };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (string name in start.Environment.Keys.ToList())
        {
            if (name.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase) ||
                name.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase) ||
                name.Equals("NUGET_PACKAGES", StringComparison.OrdinalIgnoreCase))
            {
                start.Environment.Remove(name);
            }
        }

        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        start.Environment["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        string command = "dotnet " + string.Join(' ', arguments);
        var (exitCode, output, timedOut) = ChildProcess.Run(start, CommandTimeout);
        Assert.False(timedOut, $"`{command}` ran over {CommandTimeout}:\n{output}");
        return new CommandResult(command, exitCode, output);
    }
}
