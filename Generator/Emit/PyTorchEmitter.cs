using System.Collections.Generic;
using System.Linq;
using Dsl.Generator.Graph;
using Dsl.Generator.Layers;
using Dsl.Generator.Parsing;
using Dsl.Generator.Shapes;
using Dsl.Generator.Shapes.Symbolic;

namespace Dsl.Generator.Emit;

/// <summary>
/// Writes a model's plan as one self-contained Python file: an <c>nn.Module</c> per block specialisation and one for
/// the model, whose attributes are the C# fields (so state_dict keys and shapes are the TorchSharp module's) and
/// whose forward is the C# forward statement by statement, with the same input checks and skips. The same plan as
/// <see cref="ModelEmitter"/> drives it; each layer's Python comes from its definition.
/// </summary>
public static class PyTorchEmitter
{
    /// <summary>The file's lines (the value of the model's <c>PyTorchSource</c>).</summary>
    public static IReadOnlyList<string> Lines(ModelDeclaration model, PlannedBody body, IReadOnlyList<BlockSpecialisation> blocks, DimDomain domain)
    {
        var helpers = new SortedDictionary<string, string>(System.StringComparer.Ordinal);
        var classes = new List<string>();
        foreach (var block in blocks)
        {
            classes.Add("");
            classes.Add("");
            classes.AddRange(ModuleClass(block.ClassName, $"Block {block.BlockName} specialised for input {block.Body.Input.Describe()}.",
                block.Body, isModel: false, helpers, domain));
        }

        classes.Add("");
        classes.Add("");
        classes.AddRange(ModuleClass(model.ClassName,
            $"{model.ClassName}: {body.Input} -> {body.Output}, {SummaryTable.ParameterText(body)} parameters, as the TorchSharp module generated from its layer attributes.",
            body, isModel: true, helpers, domain));

        var lines = new List<string>
        {
            $"# {model.ClassName}, exported from the DSL's generated TorchSharp module (Dsl.Generator). Do not edit: change the attributes.",
            "# state_dict keys, shapes and forward are the TorchSharp module's: load its weights (.pth, .safetensors) with load_state_dict.",
            "import math",
            "",
            "import torch",
            "import torch.nn as nn",
            "import torch.nn.functional as F",
        };
        foreach (var helper in helpers.Values)
        {
            lines.Add("");
            lines.Add("");
            lines.AddRange(helper.Replace("\r", "").TrimEnd('\n').Split('\n'));
        }

        lines.AddRange(classes);
        return lines;
    }

    private static IEnumerable<string> ModuleClass(string className, string doc, PlannedBody body, bool isModel, IDictionary<string, string> helpers, DimDomain domain)
    {
        var takesDropPath = body.Layers.Any(l => l.Merges.Any(m => m.DropPathFromUse));
        var lines = new List<string>
        {
            $"class {PythonNames.Class(className)}(nn.Module):",
            $"    {Docstring(doc)}",
            "",
            $"    def __init__(self{(takesDropPath ? ", drop_path" : "")}):",
            "        super().__init__()",
        };
        if (takesDropPath)
        {
            lines.Add("        self._drop_path = drop_path");
        }

        // Attributes in the C# field order; their names are the state_dict keys.
        foreach (var layer in body.Layers)
        {
            if (ModuleOf(layer, helpers) is { } module)
            {
                lines.Add($"        self.{layer.Name} = {module}");
            }

            foreach (var merge in layer.Merges)
            {
                lines.AddRange(MergeFields(merge, layer.Name).Select(f => "        " + f));
                foreach (var (name, code) in MergeHelpers(merge))
                {
                    helpers[name] = code;
                }
            }
        }

        lines.Add("");
        lines.Add("    def forward(self, input):");
        if (isModel)
        {
            lines.AddRange(InputGuard(className, body, domain).Select(l => "        " + l));
        }

        // Two passes: the first collects every local the forward asks for, so renamed ones (max → max_) never meet another.
        var requested = new List<string>();
        var current = "input";
        foreach (var layer in body.Layers)
        {
            current = WriteLayer(new List<(string Code, string Comment)>(), layer, current, n =>
            {
                requested.Add(n);
                return n;
            });
        }

        var locals = PythonNames.Locals(requested);
        var forward = new List<(string Code, string Comment)>();
        current = "input";
        foreach (var layer in body.Layers)
        {
            current = WriteLayer(forward, layer, current, n => locals[n]);
        }

        const int MaxColumn = 72;
        var width = forward.Select(s => s.Code.Length).Where(l => l <= MaxColumn).DefaultIfEmpty(0).Max() + 2;
        foreach (var (code, comment) in forward)
        {
            lines.Add("        " + (code.Length < width ? code.PadRight(width) : code + "  ") + "# " + comment);
        }

        lines.Add($"        return {current}");
        return lines;
    }

    private static string? ModuleOf(PlannedLayer layer, IDictionary<string, string> helpers)
    {
        if (layer.Definition is { } definition)
        {
            var instance = layer.Instance(layer.Name, nullable: false);
            foreach (var (name, code) in definition.PyTorchHelpers(instance))
            {
                helpers[name] = code;
            }

            return definition.PyTorchModule(instance);
        }

        string New(int r) => $"{PythonNames.Class(layer.Blocks[r].ClassName)}({(layer.DropPathRates is { } rates ? PyTorchText.Real(rates[r]) : "")})";
        return layer.Blocks.Count == 1 ? New(0) : $"nn.ModuleList([{string.Join(", ", layer.Blocks.Select((_, r) => New(r)))}])";
    }

    /// <summary>The checks of the C# forward's guard, with its messages (ValueError for ArgumentException).</summary>
    private static IEnumerable<string> InputGuard(string className, PlannedBody body, DimDomain domain)
    {
        var input = body.Input;
        if (ModelEmitter.TakesTokenIds(body))
        {
            yield return "if input.dtype not in (torch.int64, torch.int32):";
            yield return $"    raise ValueError({PyTorchText.Literal(className + " expects token ids (Int64 or Int32) but got ")} + str(input.dtype) + \" values.\")";
        }

        var checks = new List<string> { $"input.dim() != {input.Rank + 1}" };
        checks.AddRange(input.Dims.Select((d, i) => (d, i)).Where(p => p.d.IsConstant).Select(p => $"input.shape[{p.i + 1}] != {p.d.Value}"));
        yield return $"if {string.Join(" or ", checks)}:";
        yield return $"    raise ValueError({PyTorchText.Literal($"{className} expects input of shape {input} (N = batch size) but got [")} + \", \".join(str(s) for s in input.shape) + \"].\")";
        var first = new Dictionary<string, int>(System.StringComparer.Ordinal);
        for (var i = 0; i < input.Rank; i++)
        {
            if (input[i].IsConstant)
            {
                continue;
            }

            var name = input[i].Names[0];
            var size = $"input.shape[{i + 1}]";
            string Where(string rest) => $"raise ValueError({PyTorchText.Literal($"{className}: dimension {name} (input.shape[{i + 1}]) is ")} + str({size}) + {PyTorchText.Literal(rest)})";
            if (first.TryGetValue(name, out var at))
            {
                yield return $"if {size} != input.shape[{at + 1}]:";
                yield return $"    raise ValueError({PyTorchText.Literal($"{className}: dimension {name} (input.shape[{i + 1}]) is ")} + str({size}) + {PyTorchText.Literal($", but {name} is also axis {at + 1}, which is ")} + str(input.shape[{at + 1}]) + \"; both must be equal.\")";
                continue;
            }

            first[name] = i;
            var c = domain[name];
            yield return $"if {size} < {c.Min}:";
            yield return "    " + Where(c.Min > 1 ? $", but [Dim(\"{name}\", Min = {c.Min})] requires at least {c.Min}." : ", but every size must be at least 1.");
            if (c.Max is { } max)
            {
                yield return $"if {size} > {max}:";
                yield return "    " + Where($", but [Dim(\"{name}\", Max = {max})] allows at most {max}.");
            }

            if (c.MultipleOf > 1)
            {
                yield return $"if {size} % {c.MultipleOf} != 0:";
                yield return "    " + Where($", but [Dim(\"{name}\", MultipleOf = {c.MultipleOf})] requires a multiple of {c.MultipleOf}.");
            }
        }
    }

    /// <summary>One layer and its merges, as the C# <c>WriteLayer</c> writes them; returns the local with the layer's final value.</summary>
    private static string WriteLayer(List<(string Code, string Comment)> f, PlannedLayer layer, string x, System.Func<string, string> pythonLocal)
    {
        var name = pythonLocal(layer.Name);
        var output = layer.Merges.Count == 0 ? name : pythonLocal(layer.Name + "_out");
        if (layer.Definition is { } definition)
        {
            f.Add(($"{output} = {definition.PyTorchForward(layer.Instance(layer.Name, nullable: false), x)}", layer.Output.Describe()));
        }
        else if (layer.Blocks.Count > 1)
        {
            var previous = x;
            for (var r = 0; r < layer.Blocks.Count; r++)
            {
                var local = r == layer.Blocks.Count - 1 ? output : pythonLocal($"{layer.Name}_{r}");
                f.Add(($"{local} = self.{layer.Name}[{r}]({previous})", layer.Blocks[r].Body.Output.Describe()));
                previous = local;
            }
        }
        else
        {
            f.Add(($"{output} = self.{layer.Name}({x})", layer.Output.Describe()));
        }

        var current = output;
        for (var m = 0; m < layer.Merges.Count; m++)
        {
            var merge = layer.Merges[m];
            var result = m == layer.Merges.Count - 1 ? name : pythonLocal($"{layer.Name}_merge{m + 1}");
            var from = merge.From == LayerCatalog.InputName ? "input" : pythonLocal(merge.From);
            var comment = merge.Result.Describe() + $": skip from '{merge.From}' ({MergeText.MergeKind(merge)})";
            var merged = from;
            var verb = MergeText.AlignVerb(merge);
            if (merge.Aligned.Any(a => a.ChangesFrom))
            {
                merged = pythonLocal($"{merge.From}_to_{layer.Name}_aligned");
                f.Add(($"{merged} = align_centre({from}, {AlignedSizes(merge, from, current, merge.FromShape)})", merge.AlignedShape(merge.FromShape).Describe() + $": '{merge.From}' {verb}"));
            }

            var branch = current;
            if (merge.Aligned.Any(a => a.ChangesTo))
            {
                branch = pythonLocal($"{layer.Name}_aligned{m + 1}");
                f.Add(($"{branch} = align_centre({current}, {AlignedSizes(merge, current, from, merge.ToShape!)})", merge.AlignedShape(merge.ToShape!).Describe() + $": '{layer.Name}' {verb}"));
            }

            if (merge.Projection is { } projection)
            {
                var projected = pythonLocal(projection.FieldName);
                f.Add(($"{projected} = self.{projection.FieldName}({merged})", projection.Output.Describe() + $": projection of '{merge.From}'"));
                merged = projected;
            }

            switch (merge.Mode)
            {
                case MergeMode.Concat:
                    f.Add(($"{result} = torch.cat([{branch}, {merged}], {merge.Result.ChannelAxis + 1})", comment));
                    break;
                case MergeMode.Multiply:
                    f.Add(($"{result} = {branch} * {merged}", comment));
                    break;
                case MergeMode.Highway:
                {
                    var gate = PlannedMerge.GateField(merge.From, layer.Name);
                    f.Add(($"{pythonLocal(gate)} = self.{gate}({merged})", merge.Result.Describe() + $": the Highway gate's logits, from '{merge.From}'"));
                    f.Add(($"{result} = highway_merge({merged}, {branch}, {pythonLocal(gate)})", comment));
                    break;
                }

                default:
                    if (!merge.UsesResidualAdd)
                    {
                        f.Add(($"{result} = {branch} + {merged}", comment));
                    }
                    else
                    {
                        var scale = merge.Scale == MergeScale.None ? "None" : "self." + PlannedMerge.ScaleField(merge.From, layer.Name);
                        var rate = merge.DropPathFromUse ? "self._drop_path" : PyTorchText.Real(merge.DropPath);
                        f.Add(($"{result} = residual_add({merged}, {branch}, {scale}, {ScaleShape(merge)}, {rate}, self.training)", comment));
                    }

                    break;
            }

            current = result;
        }

        return current;
    }

    /// <summary>As the C# side's: constants for fixed sizes, the smaller (crop) or larger (pad) tensor size for named ones.</summary>
    private static string AlignedSizes(PlannedMerge merge, string self, string other, Shape side) =>
        string.Join(", ", merge.AlignTargets(side).Select(t => t.Size.IsConstant
            ? t.Size.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)
            : $"{(merge.AlignPads ? "max" : "min")}({self}.shape[{t.Axis + 1}], {other}.shape[{t.Axis + 1}])"));

    private static string ScaleShape(PlannedMerge merge) =>
        merge.Scale != MergeScale.PerChannel ? "None" : merge.Result.Layout switch
        {
            Layout.Image => $"({merge.Channels}, 1, 1)",
            Layout.Signal => $"({merge.Channels}, 1)",
            _ => "None",
        };

    /// <summary>The merge's learned modules and parameters, in the C# field order: projection, Highway gate, scale.</summary>
    private static IEnumerable<string> MergeFields(PlannedMerge merge, string to)
    {
        if (merge.Projection is { } p)
        {
            var d = p.Input.Layout == Layout.Image ? "2d" : "1d";
            yield return p.IsConvolution
                ? $"self.{p.FieldName} = nn.Sequential(nn.Conv{d}({p.InChannels}, {p.OutChannels}, 1{PyTorchText.Named("stride", p.Stride, 1)}, bias=False), nn.BatchNorm{d}({p.OutChannels}))"
                : $"self.{p.FieldName} = nn.Linear({p.InChannels}, {p.OutChannels}, bias=False)";
        }

        if (merge.Mode == MergeMode.Highway)
        {
            var gate = PlannedMerge.GateField(merge.From, to);
            var c = merge.Channels;
            yield return merge.Result.Layout switch
            {
                Layout.Image => $"self.{gate} = nn.Conv2d({c}, {c}, 1)",
                Layout.Signal => $"self.{gate} = nn.Conv1d({c}, {c}, 1)",
                _ => $"self.{gate} = nn.Linear({c}, {c})",
            };

            // A negative gate bias starts the Highway carrying 'from', as in C#.
            yield return $"nn.init.constant_(self.{gate}.bias, -1.0)";
        }

        if (merge.Scale != MergeScale.None)
        {
            var length = merge.Scale == MergeScale.Scalar ? 1 : merge.Channels;
            yield return $"self.{PlannedMerge.ScaleField(merge.From, to)} = nn.Parameter(torch.full(({length},), {PyTorchText.Real(merge.Declaration!.EffectiveScaleInit)}))";
        }
    }

    private static IEnumerable<(string Name, string Code)> MergeHelpers(PlannedMerge merge)
    {
        if (merge.Aligned.Count > 0)
        {
            yield return ("align_centre", """
                def align_centre(x, *sizes):
                    # Centre-crops or zero-pads the spatial axes (2, 3, ...) to sizes: a crop keeps the middle (top/left loses
                    # floor(d/2)), a pad puts floor(d/2) zeros before and the rest after; as the C# AlignCentre.
                    y = x
                    for i, target in enumerate(sizes):
                        axis = i + 2
                        size = y.shape[axis]
                        if size == target:
                            continue
                        if size > target:
                            y = y.narrow(axis, (size - target) // 2, target)
                        else:
                            pad = [0] * (2 * (y.dim() - axis))
                            pad[-2] = (target - size) // 2
                            pad[-1] = target - size - pad[-2]
                            y = F.pad(y, pad)
                    return y
                """);
        }

        if (merge.Mode == MergeMode.Highway)
        {
            yield return ("highway_merge", """
                def highway_merge(carry, transform, logits):
                    # A Highway carry gate: T * transform + (1 - T) * carry = carry + T * (transform - carry), T = sigmoid(logits).
                    return carry + torch.sigmoid(logits) * (transform - carry)
                """);
        }

        if (merge.UsesResidualAdd)
        {
            yield return ("residual_add", """
                def residual_add(carry, branch, scale, scale_shape, drop_path, training):
                    # An Add skip with a learned scale (ReZero's alpha, LayerScale's gamma) and stochastic depth: in training each
                    # example's branch is zeroed with probability drop_path and the others scaled by 1 / (1 - drop_path).
                    b = branch
                    if scale is not None:
                        b = b * (scale if scale_shape is None else scale.view(scale_shape))
                    if training and drop_path > 0:
                        shape = (b.shape[0],) + (1,) * (b.dim() - 1)
                        keep = torch.empty(shape, dtype=b.dtype, device=b.device).bernoulli_(1 - drop_path).div_(1 - drop_path)
                        b = b * keep
                    return carry + b
                """);
        }
    }

    private static string Docstring(string text) => "\"\"\"" + text.Replace("\\", "\\\\").Replace("\"\"\"", "\\\"\\\"\\\"") + "\"\"\"";
}
