using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;

// Its own namespace: Tests/Dsl.Runtime.Tests links this file too, where a namespace under Dsl.Generator would hide
// TorchSharp's Generator type.
namespace Dsl.Fuzzing;

/// <summary>One fuzz case: the files of one model (and its blocks), all in the namespace <see cref="Namespace"/>.</summary>
/// <param name="Index">The case's number in the run (with the seed, it reproduces the case).</param>
/// <param name="Namespace">The case's own namespace, unescaped (<c>F12.event</c>); the generated files' hint names start with it.</param>
/// <param name="Files">The case's source files (a model over several files has more than one).</param>
/// <param name="HalfTyped">Whether a file was cut short or mutated (so the model may be gone).</param>
public sealed record FuzzCase(int Index, string Namespace, IReadOnlyList<string> Files, bool HalfTyped);

/// <summary>
/// Makes random declarations, valid and broken: random layer sequences with random (also invalid) arguments, symbolic
/// dimensions and [Dim] constraints, skips with random endpoints and options, blocks used and repeated and nested,
/// names that are keywords or clash with generated and inherited members, keyword namespaces and containing classes,
/// partial classes over two files, and half-typed code (a file cut short, a character dropped or doubled). Seeded:
/// the same seed gives the same cases.
/// </summary>
public sealed class DeclarationFuzzer
{
    private static readonly string[] Names =
    [
        "a", "b", "c", "stem", "head", "fc", "conv", "bn", "pass", "lambda", "None", "max", "max_", "str", "min", "input", "forward",
        "Summary", "save", "load", "ReferenceEquals", "half", "float", "training", "PyTorchSource", "OnnxGraph", "Fwd_8", "s_1", "s_999",
        "a_to_b", "b_out", "b_merge1", "class", "@class", "event", "_x", "x1", "Conv2d", "ParameterCount", "register_buffer", "Net",
        "Block_4", "Inner_8", "conv1", "linear1", "relu1", "inner1", "Dispose", "GetType", "self", "torch", "F", "nn", "math", "ValueError",
        "my layer", "", "1a", "ü", "a\u203Fb", "value", "var", "record", "nameof",
    ];

    private static readonly string[] ClassNames =
    [
        "Net", "Model", "@class", "@event", "Summary", "InputShape", "ParameterCount", "forward", "Fwd_8", "Inner_8", "pass", "@var",
        "@record", "Valid", "OnnxGraph", "Diagram", "ResidualAdd", "SelfAttention", "UserModule", "max", "a\u203Fb", "Ü", "_", "Block",
        "Module", "torch", "Tensor", "nn", "Catalog", "Dispose", "@nameof", "Net2",
    ];

    private static readonly string[] NamespaceParts = ["Models", "@event", "@class", "@base", "Sample", "Inner", "@namespace", "@var", "ü", "Dsl", "TorchSharp", "System"];

    private readonly Random _random;

    public DeclarationFuzzer(int seed) => _random = new Random(seed);

    public FuzzCase Next(int index) => Chance(0.55) ? Plausible(index) : Hostile(index);

    /// <summary>
    /// A declaration that is mostly valid (a stack that fits its input, skips between layers of one shape, blocks
    /// with their own skips, symbolic sizes), so the generated code itself is exercised; some get one hostile touch.
    /// </summary>
    private FuzzCase Plausible(int index)
    {
        var ns = "F" + index.ToString(CultureInfo.InvariantCulture) + (Chance(0.3) ? "." + Pick(NamespaceParts) : "");
        var className = Chance(0.8) ? "Net" : Pick(ClassNames);
        var kind = Pick("image", "image", "vector", "sequence", "signal");
        var width = Pick(4, 8, 16);
        var text = new StringBuilder("using Dsl;\nusing TorchSharp;\n\nnamespace " + ns + ";\n\n");
        var layers = new List<string>();
        var skips = new List<string>();
        string model;
        string[] Unit(int n)
        {
            return kind switch
            {
                "image" => [$"Conv2d({width}, 3, Padding = 1, Name = \"c{n}\")", $"BatchNorm2d(Name = \"n{n}\")", $"ReLU(Name = \"r{n}\")"],
                "signal" => [$"Conv1d({width}, 3, Padding = 1, Name = \"c{n}\")", $"BatchNorm1d(Name = \"n{n}\")", $"GELU(Name = \"r{n}\")"],
                "sequence" => [$"MultiHeadAttention({Pick(1, 2, 4)}, Name = \"c{n}\")", $"LayerNorm(Name = \"n{n}\")", $"Linear({width}, Name = \"r{n}\")"],
                _ => [$"Linear({width}, Name = \"c{n}\")", $"LayerNorm(Name = \"n{n}\")", $"SiLU(Name = \"r{n}\")"],
            };
        }

        model = kind switch
        {
            "image" => Chance(0.3) ? $"[Model(3, \"H\", \"W\")]\n[Dim(\"H\", Min = 8, MultipleOf = 4)]\n[Dim(\"W\", Min = 8, MultipleOf = 4)]\n" : $"[Model(3, {Pick(8, 16, 28)}, {Pick(8, 16, 28)})]\n",
            "signal" => Chance(0.3) ? "[Model(2, \"L\")]\n[Dim(\"L\", Min = 4)]\n" : $"[Model(2, {Pick(8, 16)})]\n",
            "sequence" => $"[Model(\"T\")]\n[Dim(\"T\", Max = 64)]\n",
            _ => $"[Model({Pick(4, 10, 32)})]\n",
        };
        if (kind == "sequence")
        {
            layers.Add($"Embedding(100, {width})");
            layers.Add("PositionalEmbedding(64)");
        }
        else
        {
            layers.AddRange(Unit(0));
        }

        var blockName = Chance(0.5) ? Pick("Res", "Fwd", "Inner", "@class", "Unit") : null;
        if (blockName is not null)
        {
            var unit = Unit(9);
            text.Append($"[Block]\n[{string.Join(", ", unit)}]\n");
            text.Append($"[Skip(\"input\", \"{Between(unit[^1])}\"{(Chance(0.3) ? ", Scale = SkipScale." + Pick("Scalar", "PerChannel") : "")})]\n");
            text.Append($"public partial class {blockName} {{ }}\n\n");
            layers.Add($"Use<{blockName}>(Repeat = {Pick(1, 2, 3, 8)}{(Chance(0.2) ? ", DropPath = 0.1" : "")}, Name = \"{Pick("stage", "blocks", "b", "Fwd_8", "stage_1")}\")");
        }

        for (var n = 1; n < Pick(2, 3, 4); n++)
        {
            layers.AddRange(Unit(n));
            if (Chance(0.6))
            {
                var mode = kind is "image" or "signal" ? Pick("Add", "Add", "Concat", "Multiply", "Highway") : Pick("Add", "Multiply", "Highway");
                skips.Add($"[Skip(\"{(Chance(0.2) ? "input" : $"r{n - 1}")}\", \"r{n}\", Mode = SkipMode.{mode}{(mode == "Add" && Chance(0.3) ? ", Projection = true" : "")})]");
            }
        }

        if (kind is "image" or "signal" && Chance(0.6))
        {
            layers.Add("GlobalAvgPool");
            layers.Add("Linear(10, Name = \"head\")");
        }

        if (Chance(0.3))
        {
            // One hostile touch: a random name, a random extra layer, a random skip.
            var at = _random.Next(layers.Count + 1);
            var (layer, _) = Layer([], nested: false);
            layers.Insert(at, layer);
        }

        text.Append(model);
        text.Append(string.Join("\n", layers.Select(l => "[" + l + "]"))).Append('\n');
        foreach (var skip in skips)
        {
            text.Append(skip).Append('\n');
        }

        text.Append($"public partial class {className} {{ }}\n");
        return new FuzzCase(index, ns.Replace("@", "", StringComparison.Ordinal), [text.ToString()], false);
    }

    private static string Between(string layer) => Regex.Match(layer, "Name = \"([^\"]*)\"").Groups[1].Value;

    private FuzzCase Hostile(int index)
    {
        var ns = "F" + index.ToString(CultureInfo.InvariantCulture) + string.Concat(Enumerable.Range(0, Pick(0, 0, 1, 2)).Select(_ => "." + Pick(NamespaceParts)));
        var className = Chance(0.6) ? "Net" : Pick(ClassNames);
        var blocks = new List<string>();
        var blockNames = new List<string>();
        var blockCount = Pick(0, 0, 1, 1, 2, 3);
        for (var b = 0; b < blockCount; b++)
        {
            var name = Chance(0.8) ? "Inner" + b.ToString(CultureInfo.InvariantCulture) : Pick("Fwd", "Block", "@class", "Net", "S");
            var inner = new StringBuilder();
            inner.Append(Chance(0.95) ? "[Block]\n" : "");
            // A block may use the blocks declared before it, so chains (and, rarely, cycles) arise.
            AppendBody(inner, Chance(0.1) ? blockNames.Concat([name]).ToList() : blockNames, Pick(1, 1, 2, 3, 4), 4, nested: true);
            inner.Append($"public partial class {name} {{ }}\n");
            blocks.Add(inner.ToString());
            blockNames.Add(name);
        }

        var model = new StringBuilder();
        model.Append(ModelAttribute());
        model.Append(Dims());
        AppendBody(model, blockNames, Pick(1, 2, 3, 4, 6, 8, 12), 6, nested: false);
        var containers = Chance(0.15) ? Pick("Outer", "@class", "@event", "Summary", "var") : null;
        var split = Chance(0.15);
        var members = Chance(0.15) ? Pick("public int head() => 1;", "public int fc;", "public void Summary() { }", "public Net() { }", "public int conv1 { get; set; }", "public class stem { }") : "";

        var header = "using Dsl;\nusing TorchSharp;\n\nnamespace " + ns + ";\n\n";
        var main = new StringBuilder(header);
        foreach (var block in blocks)
        {
            main.Append(block).Append('\n');
        }

        if (containers is not null)
        {
            main.Append($"public partial class {containers}\n{{\n");
        }

        main.Append(model);
        main.Append($"public partial class {className}\n{{\n{(split ? "" : members)}\n}}\n");
        if (containers is not null)
        {
            main.Append("}\n");
        }

        var files = new List<string> { main.ToString() };
        if (split)
        {
            var second = new StringBuilder(header);
            if (containers is not null)
            {
                second.Append($"public partial class {containers}\n{{\n");
            }

            second.Append(Chance(0.3) ? "[Linear(3)]\n" : "").Append($"public partial class {className}\n{{\n{members}\n}}\n");
            if (containers is not null)
            {
                second.Append("}\n");
            }

            files.Add(second.ToString());
        }

        var halfTyped = Chance(0.08);
        if (halfTyped)
        {
            files[0] = HalfTyped(files[0]);
        }

        return new FuzzCase(index, ns.Replace("@", "", StringComparison.Ordinal), files, halfTyped);
    }

    private string ModelAttribute()
    {
        var rank = Pick(1, 1, 2, 2, 3, 3, 3, 0, 4);
        var dims = Enumerable.Range(0, rank).Select(_ => Chance(0.25) ? "\"" + Pick("H", "W", "L", "T", "H", "bad name", "class") + "\"" : Pick("1", "3", "4", "8", "16", "28", "32", "0", "-1", "7")).ToList();
        return "[Model(" + string.Join(", ", dims) + ")]\n";
    }

    private string Dims()
    {
        var text = new StringBuilder();
        for (var i = Pick(0, 0, 0, 1, 2); i > 0; i--)
        {
            var args = new List<string> { "\"" + Pick("H", "W", "L", "T", "X") + "\"" };
            if (Chance(0.5))
            {
                args.Add("Min = " + Pick("1", "2", "4", "8", "0", "33"));
            }

            if (Chance(0.4))
            {
                args.Add("Max = " + Pick("8", "16", "64", "3", "0"));
            }

            if (Chance(0.4))
            {
                args.Add("MultipleOf = " + Pick("1", "2", "4", "8", "0", "3"));
            }

            text.Append("[Dim(" + string.Join(", ", args) + ")]\n");
        }

        return text.ToString();
    }

    private void AppendBody(StringBuilder text, IReadOnlyList<string> blocks, int layers, int skips, bool nested)
    {
        var names = new List<string>();
        for (var i = 0; i < layers; i++)
        {
            var (layer, name) = Layer(blocks, nested);
            text.Append('[').Append(layer).Append("]\n");
            if (name is not null)
            {
                names.Add(name);
            }
        }

        for (var i = Pick(0, 0, 0, 1, 1, 2, skips); i > 0; i--)
        {
            var from = Chance(0.2) ? "input" : names.Count > 0 && Chance(0.8) ? Pick(names.ToArray()) : Pick(Names);
            var to = names.Count > 0 && Chance(0.8) ? Pick(names.ToArray()) : Pick(Names);
            var args = new List<string> { Quote(from), Quote(to) };
            if (Chance(0.4))
            {
                args.Add("Mode = SkipMode." + Pick("Add", "Concat", "Multiply", "Highway"));
            }

            if (Chance(0.3))
            {
                args.Add("Projection = true");
            }

            if (Chance(0.15))
            {
                args.Add("Name = " + Quote(Pick(Names)));
            }

            if (Chance(0.15))
            {
                args.Add("Scale = SkipScale." + Pick("Scalar", "PerChannel", "None"));
            }

            if (Chance(0.1))
            {
                args.Add("ScaleInit = " + Pick("0.5", "0", "double.NaN", "1e300"));
            }

            if (Chance(0.1))
            {
                args.Add("DropPath = " + Pick("0.1", "0.5", "1", "-0.1", "2"));
            }

            if (Chance(0.15))
            {
                args.Add("Align = SkipAlign." + Pick("Crop", "Pad", "None"));
            }

            if (Chance(0.02))
            {
                args.Add("Mode = (SkipMode)7");
            }

            text.Append("[Skip(").Append(string.Join(", ", args)).Append(")]\n");
        }
    }

    private (string Layer, string? Name) Layer(IReadOnlyList<string> blocks, bool nested)
    {
        string? name = Chance(0.3) ? Pick(Names) : null;
        string core;
        if (blocks.Count > 0 && Chance(0.35))
        {
            var args = new List<string>();
            if (Chance(0.4))
            {
                args.Add("Repeat = " + Pick("1", "2", "3", "4", "0", "-1", "1000", "1001", "2000", "int.MaxValue"));
            }

            if (Chance(0.1))
            {
                args.Add("DropPath = " + Pick("0.1", "0.2", "1.5"));
            }

            if (Chance(0.05))
            {
                args.Add("DropPathEnd = " + Pick("0.3", "-1"));
            }

            AddName(args, name);
            core = $"Use<{Pick(blocks.ToArray())}>" + (args.Count > 0 ? "(" + string.Join(", ", args) + ")" : "");
            return (core, name);
        }

        var kind = _random.Next(24);
        var positional = new List<string>();
        var named = new List<string>();
        switch (kind)
        {
            case 0:
            case 1:
                core = "Conv2d";
                positional.Add(Channels());
                positional.Add(Pick("1", "3", "5", "0"));
                Maybe(named, "Stride", "1", "2", "0");
                Maybe(named, "Padding", "0", "1", "2", "-1");
                Maybe(named, "Dilation", "1", "2");
                Maybe(named, "Groups", "1", "2", "3");
                Maybe(named, "Bias", "false", "true");
                break;
            case 2:
                core = "Conv1d";
                positional.Add(Channels());
                positional.Add(Pick("1", "3", "0"));
                Maybe(named, "Stride", "1", "2");
                Maybe(named, "Padding", "0", "1");
                break;
            case 3:
            case 4:
            case 5:
                core = "Linear";
                positional.Add(Channels());
                Maybe(named, "Bias", "false");
                break;
            case 6:
                core = Pick("ReLU", "GELU", "Sigmoid", "Tanh", "SiLU", "Softmax");
                break;
            case 7:
                core = Pick("BatchNorm2d", "BatchNorm1d", "LayerNorm");
                break;
            case 8:
                core = Pick("MaxPool2d", "AvgPool2d", "MaxPool1d", "AvgPool1d");
                positional.Add(Pick("2", "3", "1", "0"));
                Maybe(named, "Stride", "1", "2");
                Maybe(named, "Padding", "0", "1", "3");
                break;
            case 9:
                core = "GlobalAvgPool";
                Maybe(named, "KeepDims", "true", "false");
                break;
            case 10:
                core = "Flatten";
                break;
            case 11:
                core = "Dropout";
                if (Chance(0.5))
                {
                    positional.Add(Pick("0.1", "0.5", "1.5", "-0.1"));
                }

                break;
            case 12:
                core = Pick("ConvTranspose2d", "ConvTranspose1d");
                positional.Add(Channels());
                positional.Add(Pick("2", "3", "1"));
                Maybe(named, "Stride", "1", "2");
                Maybe(named, "Padding", "0", "1");
                Maybe(named, "OutputPadding", "0", "1", "3");
                break;
            case 13:
                core = "Upsample";
                positional.Add(Pick("2", "1", "0"));
                break;
            case 14:
                core = "AdaptiveAvgPool2d";
                positional.Add(Pick("1", "2", "0"));
                positional.Add(Pick("1", "2"));
                break;
            case 15:
                core = "AdaptiveAvgPool1d";
                positional.Add(Pick("1", "4"));
                break;
            case 16:
                core = "Embedding";
                positional.Add(Pick("100", "10", "0"));
                positional.Add(Pick("16", "8", "30"));
                break;
            case 17:
                core = "MultiHeadAttention";
                positional.Add(Pick("1", "2", "4", "3", "0"));
                Maybe(named, "Causal", "true");
                Maybe(named, "Dropout", "0.1", "2");
                break;
            case 18:
                core = "PositionalEmbedding";
                positional.Add(Pick("8", "64", "1", "0"));
                break;
            case 19:
                core = "Transpose";
                break;
            case 20:
                core = "GroupNorm";
                positional.Add(Pick("1", "2", "4", "3", "0"));
                break;
            case 21:
                core = "LeakyReLU";
                if (Chance(0.5))
                {
                    positional.Add(Pick("0.1", "double.NaN", "double.PositiveInfinity"));
                }

                break;
            case 22:
                core = "Module<torch.nn.Module<torch.Tensor, torch.Tensor>>";
                Maybe(named, "Channels", "4", "-1", "0");
                break;
            default:
                core = "Linear";
                positional.Add(Pick("Channels.Same", "Channels.Half", "Channels.Double", "Channels.Input", "10"));
                break;
        }

        var all = positional.Concat(named).ToList();
        AddName(all, name);
        return (all.Count > 0 ? core + "(" + string.Join(", ", all) + ")" : core, name);
    }

    private static void AddName(List<string> args, string? name)
    {
        if (name is not null)
        {
            args.Add("Name = " + Quote(name));
        }
    }

    private string Channels() => Pick("4", "8", "16", "3", "1", "0", "-5", "Channels.Same", "Channels.Half", "Channels.Double");

    private void Maybe(List<string> named, string argument, params string[] values)
    {
        if (Chance(0.3))
        {
            named.Add(argument + " = " + Pick(values));
        }
    }

    /// <summary>Code as it is while being typed: cut short, a character dropped, or one doubled.</summary>
    private string HalfTyped(string source)
    {
        var at = _random.Next(source.Length);
        return Pick(0, 1, 2) switch
        {
            0 => source[..at],
            1 => source.Remove(at, 1),
            _ => source.Insert(at, source[at].ToString()),
        };
    }

    private static string Quote(string text) => "\"" + text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

    private bool Chance(double p) => _random.NextDouble() < p;

    private T Pick<T>(params T[] items) => items[_random.Next(items.Length)];
}
