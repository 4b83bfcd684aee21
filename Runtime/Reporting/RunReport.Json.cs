using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Dsl.Runtime.IO;
using Dsl.Runtime.Training;

namespace Dsl.Runtime.Reporting;

public static partial class RunReport
{
    private static readonly string[] ReservedJsonKeys = ["model", "epochs", "final", "history"];

    // A diverged run has NaN or infinite losses: written as "NaN"/"Infinity" rather than failing the whole report.
    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        WriteIndented = true,
    };

    /// <summary>
    /// Writes <c>{"model", "epochs", "final", "history", …extra}</c> as indented camelCase JSON, atomically.
    /// <c>epochs</c> is the number of history entries; <c>final</c> is the last entry, or null for an empty history.
    /// Non-finite numbers are written as the strings "NaN", "Infinity" and "-Infinity".
    /// </summary>
    /// <exception cref="ArgumentException">An extra key is one of model, epochs, final or history.</exception>
    public static void WriteMetricsJson(string path, string modelName, IReadOnlyList<EpochMetrics> history,
        IReadOnlyDictionary<string, object?>? extra = null)
    {
        ArgumentNullException.ThrowIfNull(modelName);
        ArgumentNullException.ThrowIfNull(history);

        var document = new JsonObject
        {
            ["model"] = modelName,
            ["epochs"] = history.Count,
            ["final"] = history.Count == 0 ? null : JsonSerializer.SerializeToNode(history[^1], JsonOptions),
            ["history"] = JsonSerializer.SerializeToNode(history.ToArray(), JsonOptions),
        };
        foreach ((string key, object? value) in extra ?? new Dictionary<string, object?>())
        {
            if (ReservedJsonKeys.Contains(key))
                throw new ArgumentException($"The extra key '{key}' would overwrite the report's own '{key}'.", nameof(extra));
            document[key] = value is null ? null : JsonSerializer.SerializeToNode(value, value.GetType(), JsonOptions);
        }

        AtomicFile.WriteAllBytes(path, JsonSerializer.SerializeToUtf8Bytes(document, JsonOptions));
    }
}
