using System.Text.Json;
using System.Text.Json.Serialization;

namespace Dsl.Runtime.Training;

/// <summary>The JSON settings of checkpoint state: infinities and NaN allowed (a best loss starts at +∞), enums by name.</summary>
public static class CallbackJson
{
    /// <summary>Use these to write and read a callback's state.</summary>
    public static JsonSerializerOptions Options { get; } = new()
    {
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter() },
    };
}
