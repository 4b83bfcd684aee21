namespace Dsl.Generator.Layers;

/// <summary>How layer definitions write Python: keyword arguments left out at their defaults, booleans, reals.</summary>
public static class PyTorchText
{
    /// <summary><c>, name=value</c> unless it is the default.</summary>
    public static string Named(string name, long value, long @default) => value == @default ? "" : $", {name}={value}";

    /// <summary><c>, name=False</c> when false (every flag this is used for defaults to True).</summary>
    public static string NamedBool(string name, bool value) => value ? "" : $", {name}=False";

    public static string Bool(bool value) => value ? "True" : "False";

    /// <summary>A Python float literal that round-trips (<c>0.1</c>, <c>1E-05</c>, <c>2.0</c>).</summary>
    public static string Real(double value) => LayerRules.Real(value);

    /// <summary>A Python string literal (double quotes; backslashes, quotes and control characters escaped).</summary>
    public static string Literal(string text)
    {
        var b = new System.Text.StringBuilder("\"");
        foreach (var ch in text)
        {
            _ = ch switch
            {
                '\\' => b.Append("\\\\"),
                '"' => b.Append("\\\""),
                '\n' => b.Append("\\n"),
                '\r' => b.Append("\\r"),
                '\t' => b.Append("\\t"),
                _ when ch < ' ' => b.Append("\\x").Append(((int)ch).ToString("x2", System.Globalization.CultureInfo.InvariantCulture)),
                _ => b.Append(ch),
            };
        }

        return b.Append('"').ToString();
    }
}
