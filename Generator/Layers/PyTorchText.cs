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
            b.Append(ch switch
            {
                '\\' => "\\\\",
                '"' => "\\\"",
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                _ when ch < ' ' => $"\\x{(int)ch:x2}",
                _ => ch.ToString(),
            });
        }

        return b.Append('"').ToString();
    }
}
