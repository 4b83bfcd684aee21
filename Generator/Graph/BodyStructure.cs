using System;
using System.Collections.Generic;
using System.Linq;
using Dsl.Generator.Diagnostics;
using Dsl.Generator.Layers;
using Dsl.Generator.Parsing;
using Microsoft.CodeAnalysis.CSharp;

namespace Dsl.Generator.Graph;

/// <summary>A skip whose endpoints are resolved to layer indices (−1 is the input).</summary>
public sealed class ResolvedSkip
{
    public ResolvedSkip(SkipDeclaration declaration, int from, int to)
    {
        Declaration = declaration;
        From = from;
        To = to;
    }

    public SkipDeclaration Declaration { get; }

    public int From { get; }

    public int To { get; }
}

/// <summary>
/// The shape-independent checks of a body: layer names, skip endpoints and their order, argument values,
/// and the blocks it uses. Everything here is the same wherever a block is used, so it is reported once,
/// on the body's own attributes.
/// </summary>
public sealed class BodyStructure
{
    /// <summary>
    /// Names a layer cannot take because the generated module defines them (besides every member TorchSharp's
    /// Module&lt;Tensor, Tensor&gt; has, read from the compilation: <see cref="Reserved.Inherited"/>).
    /// </summary>
    public static readonly IReadOnlyCollection<string> GeneratedMembers = new HashSet<string>(StringComparer.Ordinal)
    {
        "forward", "call", "name", "training", "train", "eval", "parameters", "named_parameters",
        "buffers", "children", "modules", "state_dict", "load_state_dict", "to", "cpu", "cuda", "apply", "zero_grad",
        "Dispose", "Summary", "SummaryExpanded", "Diagram", "MultiplyAccumulatesFor", "InputShape", "OutputShape", "OutputShapeFor", "ParameterCount", "MultiplyAccumulates",
        "GetName", "register_module", "register_buffer", "register_parameter", "named_modules", "named_children",
        "named_buffers", "RegisterComponents", "SelfAttention", "AddPositions", "CheckedCall", "FloorDiv", "CheckDims", "WithAffineIdentity",
        "AlignCentre", "HighwayMerge", "ResidualAdd", "_dropPath", "dropPath", "PyTorchSource", "OnnxGraph",
        "fuse", "ForwardFused", "FoldBatchNorm", "_fused",
        "GetType", "ToString", "Equals", "GetHashCode", "MemberwiseClone", "Finalize", "nameof",
    };

    /// <summary>
    /// The members the generated model class itself declares (besides its layers' fields and its nested block classes):
    /// the class cannot have one of these names (CS0542), so such a model is a DSL017.
    /// </summary>
    public static readonly IReadOnlyCollection<string> DeclaredMembers = new HashSet<string>(StringComparer.Ordinal)
    {
        "forward", "InputShape", "OutputShape", "ParameterCount", "MultiplyAccumulates", "Summary", "SummaryExpanded", "Diagram",
        "PyTorchSource", "OutputShapeFor", "CheckDims", "FloorDiv", "MultiplyAccumulatesFor", "OnnxGraph", "AlignCentre",
        "HighwayMerge", "ResidualAdd", "SelfAttention", "AddPositions", "CheckedCall", "WithAffineIdentity", "_dropPath",
        "fuse", "ForwardFused", "FoldBatchNorm", "_fused",
    };

    /// <summary>The most copies one [Use] may make (<c>Repeat</c>); more is a DSL009 on the argument.</summary>
    public const int MaxRepeat = 1000;

    /// <summary>The most layers a model may have with every block expanded (each copy of each layer counted); more is a DSL027.</summary>
    public const int MaxExpandedLayers = 10000;

    /// <summary>A count with thousands separators, whatever the build's culture (1,000).</summary>
    public static string Thousands(long n) => n.ToString("N0", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Names taken in the generated class: TorchSharp's inherited members, and (for a model) the user's own members.</summary>
    public sealed class Reserved
    {
        public Reserved(IEnumerable<string> inherited, IEnumerable<UserMember> userMembers)
        {
            Inherited = new HashSet<string>(inherited, StringComparer.Ordinal);
            UserMembers = userMembers.GroupBy(m => m.Name).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        }

        public static Reserved None { get; } = new(Array.Empty<string>(), Array.Empty<UserMember>());

        public HashSet<string> Inherited { get; }

        public Dictionary<string, UserMember> UserMembers { get; }
    }

    private BodyStructure(string[] names, List<ResolvedSkip> skips, List<DiagnosticInfo> diagnostics, HashSet<string> taken)
    {
        Taken = taken;
        Names = names;
        Skips = skips;
        Diagnostics = diagnostics;
    }

    public string[] Names { get; }

    /// <summary>Every name the body's generated code uses for a member or a local: its layers', and the ones derived from them.</summary>
    public IReadOnlyCollection<string> Taken { get; }

    public IReadOnlyList<ResolvedSkip> Skips { get; }

    public IReadOnlyList<DiagnosticInfo> Diagnostics { get; }

    public static BodyStructure Check(BodyDeclaration body, string ownerName, string ownerKeyword,
        IReadOnlyDictionary<string, BlockDefinition> blocks, Reserved reserved)
    {
        var diagnostics = new List<DiagnosticInfo>();
        var names = AssignNames(body, blocks);
        CheckNames(body, names, ownerName, reserved, diagnostics);

        for (var i = 0; i < body.Layers.Count; i++)
        {
            var layer = body.Layers[i];
            var args = new LayerArguments(layer);
            if (layer.IsBlockUse)
            {
                diagnostics.AddRange(LayerRules.AtLeast(args, names[i], "Use", "Repeat", 1, "the repeat count"));
                if (args.Int("Repeat") > MaxRepeat)
                {
                    diagnostics.Add(LayerRules.Invalid(args, names[i], "Use", "Repeat",
                        $"Repeat = {args.Int("Repeat")} is more than the generator's bound of {Thousands(MaxRepeat)} copies of a block"));
                }

                CheckUse(layer, blocks, diagnostics);
            }
            else
            {
                diagnostics.AddRange(LayerRegistry.ForKind(layer.Kind).Validate(args, names[i]));
            }
        }

        var skips = new List<ResolvedSkip>();
        foreach (var skip in body.Skips)
        {
            if (!SkipOptions.Check(skip, diagnostics))
            {
                continue;
            }

            var from = Resolve(skip.From, skip.FromLocation, names, ownerName, diagnostics);
            var to = Resolve(skip.To, skip.ToLocation, names, ownerName, diagnostics);
            if (from is null || to is null)
            {
                continue;
            }

            if (to == -1)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.SkipBackwards, skip.ToLocation, skip.From, skip.To,
                    "nothing can be merged into the input; 'to' must be a layer after 'from'"));
            }
            else if (from >= to)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.SkipBackwards, skip.Location, skip.From, skip.To,
                    from == to
                        ? "a layer cannot be merged into itself; 'from' must come before 'to'"
                        : $"'{skip.From}' is layer {from + 1} and '{skip.To}' is layer {to + 1}; 'from' must come before 'to' (swap them?)"));
            }
            else if (skips.Find(s => s.From == from && s.To == to) is { } earlier)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.DuplicateSkip, skip.Location, skip.From, skip.To,
                    $"an earlier [Skip] already merges '{skip.From}' into '{skip.To}' (Mode = SkipMode.{earlier.Declaration.Mode}); remove one, or merge into another layer"));
            }
            else
            {
                skips.Add(new ResolvedSkip(skip, from.Value, to.Value));
            }
        }

        if (body.Layers.Count == 0)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NoLayers, null, ownerName, ownerKeyword));
        }

        var taken = CheckDerivedNames(body, names, skips, ownerName, reserved, diagnostics);
        return new BodyStructure(names, skips, diagnostics, taken);
    }

    /// <summary>Explicit names, else the kind's prefix numbered among the unnamed layers of that prefix (conv1, conv2, …).</summary>
    private static string[] AssignNames(BodyDeclaration body, IReadOnlyDictionary<string, BlockDefinition> blocks)
    {
        var taken = new HashSet<string>(body.Layers.Where(l => l.ExplicitName is not null).Select(l => l.ExplicitName!));
        var counters = new Dictionary<string, int>();
        var names = new string[body.Layers.Count];
        for (var i = 0; i < names.Length; i++)
        {
            var layer = body.Layers[i];
            if (layer.ExplicitName is not null)
            {
                names[i] = layer.ExplicitName;
                continue;
            }

            var prefix = layer.IsBlockUse ? BlockPrefix(layer, blocks) : LayerRegistry.ForKind(layer.Kind).NamePrefix;
            string candidate;
            do
            {
                counters[prefix] = counters.TryGetValue(prefix, out var n) ? n + 1 : 1;
                candidate = prefix + counters[prefix];
            }
            while (taken.Contains(candidate));

            names[i] = candidate;
        }

        return names;
    }

    private static string BlockPrefix(LayerDeclaration layer, IReadOnlyDictionary<string, BlockDefinition> blocks)
    {
        var name = layer.BlockTypeName is not null && blocks.TryGetValue(layer.BlockTypeName, out var block) ? block.Name : "block";
        return char.ToLowerInvariant(name[0]) + name.Substring(1);
    }

    private static void CheckNames(BodyDeclaration body, string[] names, string ownerName, Reserved reserved, List<DiagnosticInfo> diagnostics)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < names.Length; i++)
        {
            var layer = body.Layers[i];
            var location = layer.NameLocation ?? layer.Location;
            var name = names[i];
            var problem = NameProblem(name, "a layer name", "the layer", "a layer", ownerName, reserved);
            if (problem is not null)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidLayerName, location, name, problem));
            }
            else if (!seen.Add(name))
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.DuplicateLayerName, location, ownerName, name));
            }
        }
    }

    /// <summary>Why <paramref name="name"/> cannot name a field of the generated class (a layer's, a projection's), or null.</summary>
    private static string? NameProblem(string name, string what, string which, string subject, string ownerName, Reserved reserved) =>
        name.Length == 0 || !SyntaxFacts.IsValidIdentifier(name)
            ? $"{what} must be a C# identifier (letters, digits and '_', not starting with a digit), because it names a field and a state_dict key"
            : SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None
                ? "it is a C# keyword"
                : name == LayerCatalog.InputName
                    ? "'input' is reserved for the network's input in skips"
                    : GeneratedMembers.Contains(name) || reserved.Inherited.Contains(name)
                        ? "it is a member of the generated TorchSharp module"
                        : Emit.PythonNames.Keywords.Contains(name)
                            ? "it is a Python keyword, and every layer is an attribute of the exported PyTorch module (PyTorchSource) named as its state_dict key"
                        : Emit.PythonNames.ModuleAttributes.Contains(name)
                            ? "it is an attribute of PyTorch's nn.Module, which the exported PyTorch module (PyTorchSource) derives from; a layer of that name would replace it"
                        : reserved.UserMembers.TryGetValue(name, out var member)
                            ? $"the class already declares a {member.Kind} '{name}'; rename {which} or the {member.Kind}"
                            : name == ownerName
                                ? $"{subject} cannot have the name of its class"
                                : null;

    /// <summary>
    /// The emitter derives local and field names from layer names (<c>bn2_out</c>, <c>bn2_merge1</c>, <c>stage1_0</c>,
    /// <c>input_to_bn2</c>); a layer may not take one of them.
    /// </summary>
    private static HashSet<string> CheckDerivedNames(BodyDeclaration body, string[] names, List<ResolvedSkip> skips, string ownerName, Reserved reserved,
        List<DiagnosticInfo> diagnostics)
    {
        var derived = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var group in skips.GroupBy(s => s.To))
        {
            var to = names[group.Key];
            derived[to + "_out"] = to;
            var k = 0;
            foreach (var skip in group)
            {
                derived[$"{to}_merge{++k}"] = to;
                if (skip.Declaration.Align != MergeAlign.None)
                {
                    derived[$"{skip.Declaration.From}_to_{to}_aligned"] = to;
                    derived[$"{to}_aligned{k}"] = to;
                }
                if (skip.Declaration.Projection && skip.Declaration.Name is null)
                {
                    derived[$"{skip.Declaration.From}_to_{to}"] = to;
                }

                if (skip.Declaration.Mode == MergeMode.Highway)
                {
                    derived[PlannedMerge.GateField(skip.Declaration.From, to)] = to;
                }

                if (skip.Declaration.Scale != MergeScale.None)
                {
                    derived[PlannedMerge.ScaleField(skip.Declaration.From, to)] = to;
                }
            }
        }

        for (var i = 0; i < names.Length; i++)
        {
            if (body.Layers[i].IsBlockUse)
            {
                // Every copy's local (Repeat is at most MaxRepeat, a DSL009 beyond), so none can clash unseen.
                var repeat = new LayerArguments(body.Layers[i]).Int("Repeat");
                for (var r = 0; r < repeat && r < MaxRepeat; r++)
                {
                    derived[$"{names[i]}_{r}"] = names[i];
                }
            }
            else if (body.Layers[i].Kind == "Module")
            {
                derived[$"{names[i]}_checked"] = names[i];
            }
        }

        // A projection's own Name is checked like a layer's, and against every other name of the body, on its argument.
        var projectionNames = new HashSet<string>(StringComparer.Ordinal);
        foreach (var skip in skips)
        {
            if (!skip.Declaration.Projection || skip.Declaration.Name is not { } name)
            {
                continue;
            }

            var which = $"the projection of the skip {skip.Declaration.From} -> {skip.Declaration.To}";
            var problem = NameProblem(name, "a projection's Name", which, which, ownerName, reserved)
                ?? (Array.IndexOf(names, name) >= 0
                    ? $"it is a layer's name; {which} needs a name of its own"
                    : derived.TryGetValue(name, out var user)
                        ? $"the generated code already uses it for layer '{user}'; choose another name"
                        : !projectionNames.Add(name)
                            ? "another skip's projection already has this Name"
                            : null);
            if (problem is not null)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidLayerName, skip.Declaration.LocationOf("Name"), name, problem));
            }
        }

        for (var i = 0; i < names.Length; i++)
        {
            if (derived.TryGetValue(names[i], out var owner))
            {
                var layer = body.Layers[i];
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidLayerName, layer.NameLocation ?? layer.Location, names[i],
                    $"the generated code already uses it for layer '{owner}'; choose another name"));
            }
        }

        var taken = new HashSet<string>(names, StringComparer.Ordinal);
        taken.UnionWith(derived.Keys);
        taken.UnionWith(projectionNames);
        return taken;
    }

    private static void CheckUse(LayerDeclaration layer, IReadOnlyDictionary<string, BlockDefinition> blocks, List<DiagnosticInfo> diagnostics)
    {
        if (layer.BlockTypeName is null || !blocks.TryGetValue(layer.BlockTypeName, out var block))
        {
            return;
        }

        if (!block.IsBlock)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NotABlock, layer.Location, block.Name));
            return;
        }

        var args = new LayerArguments(layer);
        foreach (var argument in new[] { "DropPath", "DropPathEnd" })
        {
            if (args.IsGiven(argument) && SkipOptions.DropProbabilityProblem(argument, args.Real(argument)) is { } problem)
            {
                diagnostics.Add(LayerRules.Invalid(args, layer.ExplicitName ?? block.Name, "Use", argument, problem));
            }
        }

        if (args.IsGiven("DropPathEnd") && !args.IsGiven("DropPath"))
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.SkipOptionsConflict, args.Location("DropPathEnd"), "(the block's skips)", block.Name,
                "DropPathEnd", "no DropPath", "DropPathEnd is the last copy's rate of a schedule that starts at DropPath; set DropPath too"));
        }
        else if (args.IsGiven("DropPath") && !block.Body.Skips.Any(s => s.Mode == MergeMode.Add))
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.SkipOptionsConflict, args.Location("DropPath"), "(the block's skips)", block.Name,
                "DropPath", $"block '{block.Name}'", "stochastic depth drops the branch of an Add skip, and the block has none"));
        }

        var cycle = FindCycle(block.FullName, blocks, new List<string>());
        if (cycle is not null)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.RecursiveBlock, layer.Location,
                cycle[cycle.Count - 1], string.Join(" → ", cycle)));
        }
    }

    /// <summary>A chain of block names that returns to one already on the path, or null.</summary>
    private static List<string>? FindCycle(string fullName, IReadOnlyDictionary<string, BlockDefinition> blocks, List<string> path)
    {
        if (!blocks.TryGetValue(fullName, out var block))
        {
            return null;
        }

        if (path.Contains(block.Name))
        {
            return path.SkipWhile(p => p != block.Name).Concat(new[] { block.Name }).ToList();
        }

        path.Add(block.Name);
        foreach (var used in block.Body.Layers.Where(l => l.IsBlockUse && l.BlockTypeName is not null))
        {
            var cycle = FindCycle(used.BlockTypeName!, blocks, path);
            if (cycle is not null)
            {
                return cycle;
            }
        }

        path.RemoveAt(path.Count - 1);
        return null;
    }

    private static int? Resolve(string name, Common.LocationInfo? location, string[] names, string ownerName, List<DiagnosticInfo> diagnostics)
    {
        if (name == LayerCatalog.InputName)
        {
            return -1;
        }

        var index = Array.IndexOf(names, name);
        if (index >= 0)
        {
            return index;
        }

        if (name.Length == 0)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnknownSkipEndpoint, location, name, ownerName,
                $"; a skip needs the name of a layer ({string.Join(", ", names)}) or 'input'"));
            return null;
        }

        var nearest = names.Concat(new[] { LayerCatalog.InputName })
            .Select(n => (Name: n, Distance: Levenshtein(n.ToLowerInvariant(), name.ToLowerInvariant())))
            .Where(c => c.Distance <= Math.Max(2, name.Length / 3))
            .OrderBy(c => c.Distance)
            .Select(c => c.Name)
            .FirstOrDefault();
        var hint = nearest is not null
            ? $"; did you mean '{nearest}'?"
            : $"; its layers are {string.Join(", ", names)} (and 'input')";
        var diagnostic = DiagnosticInfo.Create(DiagnosticDescriptors.UnknownSkipEndpoint, location, name, ownerName, hint);
        diagnostics.Add(nearest is null ? diagnostic : diagnostic.WithProperty("Suggestion", nearest));
        return null;
    }

    private static int Levenshtein(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var current = new int[b.Length + 1];
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }

            previous = current;
        }

        return previous[b.Length];
    }
}
