using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace Dsl.Examples.Cli;

/// <summary>Bad command-line input: reported as one line with the usage, exit code 2.</summary>
public sealed class UsageException(string message) : Exception(message);

/// <summary>
/// The options after a command's positional arguments: <c>--name value</c> or <c>--name=value</c>, and flags.
/// Every option is declared by the command that reads it; anything else is an error, so a typo never passes silently.
/// </summary>
public sealed class Arguments
{
    private readonly Dictionary<string, string?> values = new(StringComparer.Ordinal);
    private readonly HashSet<string> read = new(StringComparer.Ordinal);

    /// <summary>Splits <paramref name="args"/> into positional arguments and options; <paramref name="flags"/> take no value.</summary>
    public Arguments(IReadOnlyList<string> args, IReadOnlyCollection<string> flags)
    {
        var positional = new List<string>();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal))
            {
                positional.Add(arg);
                continue;
            }

            var equals = arg.IndexOf('=');
            var name = equals < 0 ? arg.Substring(2) : arg.Substring(2, equals - 2);
            if (name.Length == 0)
            {
                throw new UsageException($"'{arg}' is not an option");
            }

            if (values.ContainsKey(name))
            {
                throw new UsageException($"--{name} is given twice");
            }

            if (flags.Contains(name))
            {
                if (equals >= 0)
                {
                    throw new UsageException($"--{name} takes no value");
                }

                values[name] = null;
            }
            else if (equals >= 0)
            {
                values[name] = arg.Substring(equals + 1);
            }
            else if (i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal))
            {
                values[name] = args[++i];
            }
            else
            {
                throw new UsageException($"--{name} needs a value");
            }
        }

        Positional = positional;
    }

    /// <summary>The arguments that are not options, in order.</summary>
    public IReadOnlyList<string> Positional { get; }

    /// <summary>Whether the flag <c>--name</c> was given.</summary>
    public bool Flag(string name)
    {
        read.Add(name);
        return values.ContainsKey(name);
    }

    /// <summary>The text of <c>--name</c>, or null.</summary>
    public string? Text(string name)
    {
        read.Add(name);
        return values.TryGetValue(name, out var value) ? value : null;
    }

    /// <summary>A whole number in [min, max], or null when absent.</summary>
    public int? Int(string name, int min, int max = int.MaxValue)
    {
        var text = Text(name);
        if (text is null)
        {
            return null;
        }

        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            throw new UsageException($"--{name} must be a whole number from {min}{(max == int.MaxValue ? " up" : $" to {max}")}, not '{text}'");
        }

        return value;
    }

    /// <summary>A 64-bit whole number, or null when absent.</summary>
    public long? Long(string name)
    {
        var text = Text(name);
        if (text is null)
        {
            return null;
        }

        if (!long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value < 0)
        {
            throw new UsageException($"--{name} must be a non-negative whole number, not '{text}'");
        }

        return value;
    }

    /// <summary>A number greater than <paramref name="above"/> (or at least it when <paramref name="inclusive"/>), or null when absent.</summary>
    public double? Double(string name, double above = 0, bool inclusive = false)
    {
        var text = Text(name);
        if (text is null)
        {
            return null;
        }

        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || double.IsNaN(value) ||
            double.IsInfinity(value) || (inclusive ? value < above : value <= above))
        {
            throw new UsageException($"--{name} must be a number {(inclusive ? "of at least" : "greater than")} {above.ToString(CultureInfo.InvariantCulture)}, not '{text}'");
        }

        return value;
    }

    /// <summary>One of <paramref name="choices"/> (case-insensitive), or null when absent.</summary>
    public T? Choice<T>(string name, IReadOnlyDictionary<string, T> choices)
        where T : struct
    {
        var text = Text(name);
        if (text is null)
        {
            return null;
        }

        foreach (var (key, value) in choices)
        {
            if (string.Equals(key, text, StringComparison.OrdinalIgnoreCase))
            {
                return value;
            }
        }

        throw new UsageException($"--{name} must be one of {string.Join(", ", choices.Keys)}, not '{text}'");
    }

    /// <summary>Fails on options no one asked about (call after reading them all) and on extra positional arguments.</summary>
    public void EnsureAllUsed(int positionalCount)
    {
        foreach (var name in values.Keys)
        {
            if (!read.Contains(name))
            {
                throw new UsageException($"unknown option --{name}");
            }
        }

        if (Positional.Count > positionalCount)
        {
            throw new UsageException($"unexpected argument '{Positional[positionalCount]}'");
        }
    }
}
