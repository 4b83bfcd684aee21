using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.RegularExpressions;
using Spectre.Console.Cli;

namespace Dsl.Runtime.App;

/// <summary>
/// Option values: read as text by Spectre.Console.Cli and checked here, so that every bad value gets one line that
/// names the option and what it must be. Spectre's own parse errors are rephrased in the same style.
/// </summary>
internal static partial class Usage
{
    public static int? Int(string? text, string name, int min, int max = int.MaxValue)
    {
        if (text is null)
        {
            return null;
        }

        NeedsValue(text, name);

        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            throw new UsageException($"--{name} must be a whole number from {min}{(max == int.MaxValue ? " up" : $" to {max}")}, not '{text}'");
        }

        return value;
    }

    public static long? Long(string? text, string name)
    {
        if (text is null)
        {
            return null;
        }

        NeedsValue(text, name);

        if (!long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value < 0)
        {
            throw new UsageException($"--{name} must be a non-negative whole number, not '{text}'");
        }

        return value;
    }

    /// <summary>A number greater than <paramref name="above"/> (or at least it when <paramref name="inclusive"/>) and below <paramref name="below"/> when given.</summary>
    public static double? Double(string? text, string name, double above = 0, bool inclusive = false, double? below = null)
    {
        if (text is null)
        {
            return null;
        }

        NeedsValue(text, name);

        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || double.IsNaN(value) ||
            double.IsInfinity(value) || (inclusive ? value < above : value <= above))
        {
            throw new UsageException($"--{name} must be a number {(inclusive ? "of at least" : "greater than")} {above.ToString(CultureInfo.InvariantCulture)}, not '{text}'");
        }

        if (below is { } b && value >= b)
        {
            throw new UsageException($"--{name} must be below {b.ToString(CultureInfo.InvariantCulture)}, not '{text}'");
        }

        return value;
    }

    public static T? Choice<T>(string? text, string name, IReadOnlyDictionary<string, T> choices)
        where T : struct
    {
        if (text is null)
        {
            return null;
        }

        NeedsValue(text, name);

        foreach (var (key, value) in choices)
        {
            if (string.Equals(key, text, StringComparison.OrdinalIgnoreCase))
            {
                return value;
            }
        }

        throw new UsageException($"--{name} must be one of {string.Join(", ", choices.Keys)}, not '{text}'");
    }

    // Spectre.Console.Cli gives an option typed last without its value the empty string.
    private static void NeedsValue(string text, string name)
    {
        if (text.Length == 0)
        {
            throw new UsageException($"--{name} needs a value");
        }
    }

    /// <summary>
    /// An option that takes a value but is last, or followed by another option, is "--x needs a value" (Spectre.Console.Cli
    /// would take the next word, or a placeholder, as its value).
    /// </summary>
    public static void CheckOptionValues(IReadOnlyList<string> args, Type? settings)
    {
        if (settings is null)
        {
            return;
        }

        var valued = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in settings.GetProperties())
        {
            foreach (var option in property.GetCustomAttributes(typeof(CommandOptionAttribute), true).Cast<CommandOptionAttribute>())
            {
                if (option.ValueName is not null)
                {
                    foreach (var name in option.LongNames)
                    {
                        valued.Add("--" + name);
                    }
                }
            }
        }

        for (var i = 0; i < args.Count; i++)
        {
            if (valued.Contains(args[i]) && (i + 1 == args.Count || args[i + 1].StartsWith("--", StringComparison.Ordinal)))
            {
                throw new UsageException($"{args[i]} needs a value");
            }
        }
    }

    /// <summary>Spectre.Console.Cli's parse errors in this tool's words (the option as it is typed, what is wrong).</summary>
    public static string Rephrase(Exception e)
    {
        var message = e.Message.Trim().TrimEnd('.');
        if (UnknownOption().Match(message) is { Success: true } unknown)
        {
            return $"unknown option {(unknown.Groups[1].Value.Length == 1 ? "-" : "--")}{unknown.Groups[1].Value}";
        }

        if (NoValue().Match(message) is { Success: true } noValue)
        {
            return $"--{noValue.Groups[1].Value} needs a value";
        }

        if (NoMatch().Match(message) is { Success: true } extra)
        {
            return $"unexpected argument '{extra.Groups[1].Value}'";
        }

        if (UnknownCommand().Match(message) is { Success: true } command)
        {
            return $"unknown command '{command.Groups[1].Value}'";
        }

        return char.ToLowerInvariant(message[0]) + message[1..];
    }

    [GeneratedRegex(@"^Unknown option '([^']+)'")]
    private static partial Regex UnknownOption();

    [GeneratedRegex(@"^Option '([^']+)' is defined but no value has been provided")]
    private static partial Regex NoValue();

    [GeneratedRegex(@"^Could not match '([^']+)' with an argument")]
    private static partial Regex NoMatch();

    [GeneratedRegex(@"^Unknown command '([^']+)'")]
    private static partial Regex UnknownCommand();
}
