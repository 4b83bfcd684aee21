using System.Collections.Generic;
using System.Linq;
using Dsl.Generator.Common;
using Dsl.Generator.Graph;
using Dsl.Generator.Layers;
using Dsl.Generator.Parsing;
using Dsl.Generator.Shapes;
using Dsl.Generator.Shapes.Symbolic;
using Microsoft.CodeAnalysis.CSharp;

namespace Dsl.Generator.Emit;

/// <summary>
/// Writes the generated part of a model: the TorchSharp base class, compile-time facts (shapes, parameter count,
/// summary), one field per learned layer (field name = state_dict key), the constructor, and a forward pass whose
/// every line carries its shape. Blocks become nested module classes, one per input shape they are used at.
/// </summary>
public static class ModelEmitter
{
    private const string Tensor = "global::TorchSharp.torch.Tensor";
    private const string Module = "global::TorchSharp.torch.nn.Module<" + Tensor + ", " + Tensor + ">";
    private const string Nn = "global::TorchSharp.torch.nn";
    private const string Functional = "global::TorchSharp.torch.nn.functional";

    /// <param name="nullable">Whether the consumer's C# has nullable annotations (8 or later); without them the code is C# 7.3.</param>
    public static GeneratedText Emit(ModelDeclaration model, PlannedBody body, IReadOnlyList<BlockSpecialisation> blocks, DimDomain domain, string version, bool nullable)
    {
        var w = new CodeWriter();
        OpenClass(w, model, nullable);
        var summary = SummaryTable.Lines(model.ClassName, body);
        // <remarks>, not <summary>: the user's own part of the class usually has the summary.
        w.Line("/// <remarks>");
        w.Line($"/// A TorchSharp module generated from the layer attributes of <c>{Xml(model.ClassName)}</c>: {Xml(body.Input.ToString())} -&gt; {Xml(body.Output.ToString())}, {Xml(SummaryTable.ParameterText(body))} parameters.");
        w.Line("/// <code>");
        foreach (var line in summary)
        {
            w.Line("/// " + Xml(line));
        }

        w.Line("/// </code>");
        w.Line("/// MACs are multiply-accumulates per example. " + Xml(SummaryTable.MemoryConvention));
        w.Line("/// </remarks>");
        w.Line(GeneratedCode(version));
        w.Open($"partial class {Identifiers.CSharp(model.ClassName)} : {Module}");

        var symbolic = !body.Input.IsFixed;
        w.Line(symbolic
            ? "/// <summary>One example's input shape, without the batch dimension; -1 stands at a named dimension (see <see cref=\"OutputShapeFor\"/>).</summary>"
            : "/// <summary>One example's input shape, without the batch dimension.</summary>");
        w.Line($"public static long[] InputShape => new long[] {{ {string.Join(", ", body.Input.Dims.Select(FixedOrMinusOne))} }};");
        w.Line();
        w.Line(symbolic
            ? "/// <summary>One example's output shape, without the batch dimension (inferred at compile time); -1 where it depends on a named dimension.</summary>"
            : "/// <summary>One example's output shape, without the batch dimension (inferred at compile time).</summary>");
        w.Line($"public static long[] OutputShape => new long[] {{ {string.Join(", ", body.Output.Dims.Select(FixedOrMinusOne))} }};");
        w.Line();
        w.Line("/// <summary>The number of learned parameters (inferred at compile time" + (body.UnknownParameterLayers > 0 ? "; without those of user modules, which are known only at run time" : "") + ").</summary>");
        w.Line($"public const long ParameterCount = {body.Parameters};");
        w.Line();
        var macs = body.Macs;
        if (macs.IsConstant)
        {
            w.Line("/// <summary>Multiply-accumulates of one example's forward pass (inferred at compile time" + (body.UnknownParameterLayers > 0 ? "; without those of user modules" : "") + ").</summary>");
            w.Line($"public const long MultiplyAccumulates = {macs.Value};");
            w.Line();
        }

        WriteStringProperty(w, "Summary",
            "A summary table of the network: layer, kind, inputs, output shape, parameters and multiply-accumulates per example (a repeated block folded to one row), with the totals and the memory (see the class's remarks).",
            summary);
        const string expandedSummary = "The summary with every layer: each repetition of a block and the layers inside it, named as in the state_dict (<c>stage2.1.conv1</c>); a block's row totals its inner rows.";
        var expanded = SummaryTable.Compose(model.ClassName, body, expanded: true);
        if (expanded.Blocks.Count == 0)
        {
            WriteStringProperty(w, "SummaryExpanded", expandedSummary, expanded.Lines());
        }
        else
        {
            SummaryTable.WriteProperty(w, expandedSummary, expanded);
        }

        const string diagramSummary = "The network as a Graphviz DOT graph (render it with <c>dot -Tsvg</c>): the input, a node per layer with its kind and output shape, dashed coloured skip edges labelled with their merge, a cluster per block repetition.";
        var diagram = DiagramWriter.Compose(model.ClassName, body);
        if (diagram.Blocks.Count == 0)
        {
            WriteStringProperty(w, "Diagram", diagramSummary, diagram.Lines());
        }
        else
        {
            DiagramWriter.WriteProperty(w, diagramSummary, diagram);
        }
        WriteStringProperty(w, "PyTorchSource",
            "The network as one self-contained Python file: a PyTorch <c>nn.Module</c> with this module's state_dict keys, shapes, input checks and forward (blocks as submodules), so weights saved from C# load into it with <c>load_state_dict</c>.",
            PyTorchEmitter.Lines(model, body, blocks, domain));
        WriteOutputShapeFor(w, model.ClassName, body, domain);
        if (symbolic)
        {
            WriteMultiplyAccumulatesFor(w, body);
        }

        var blockGraphs = OnnxEmitter.Write(w, model.ClassName, body, TakesTokenIds(body));

        var helpers = new SortedDictionary<string, string>(System.StringComparer.Ordinal);
        WriteModuleBody(w, model.ClassName, body, isModel: true, helpers, domain, nullable);

        foreach (var block in blocks)
        {
            w.Line();
            w.Line($"/// <summary>Block <c>{Xml(block.BlockName)}</c> specialised for input {Xml(block.Body.Input.Describe())}.</summary>");
            w.Line(GeneratedCode(version));
            w.Open($"private sealed class {block.ClassName} : {Module}");
            WriteModuleBody(w, block.ClassName, block.Body, isModel: false, helpers, domain, nullable, displayName: block.BlockName);
            if (expanded.Blocks.TryGetValue(block.ClassName, out var rows))
            {
                w.Line();
                SummaryTable.WriteBlock(w, expanded, rows);
            }

            if (diagram.Blocks.TryGetValue(block.ClassName, out var part))
            {
                w.Line();
                DiagramWriter.WriteBlock(w, part);
            }

            if (blockGraphs.TryGetValue(block.ClassName, out var graph))
            {
                w.Line();
                OnnxEmitter.WriteBlock(w, graph);
            }

            w.Close();
        }

        foreach (var helper in helpers.Values)
        {
            w.Line();
            w.Lines(helper);
        }

        w.Close();
        CloseClass(w, model);
        return w.ToText();
    }

    /// <summary>
    /// After a DSL error: the class still becomes a module that compiles (base type, constructor, a forward that
    /// throws, the static facts), so the user sees the DSL error and not a cascade of CS errors where it is used.
    /// Members the user wrote are left out.
    /// </summary>
    public static GeneratedText EmitFallback(ModelDeclaration model, string version, bool nullable)
    {
        var w = new CodeWriter();
        OpenClass(w, model, nullable);
        var user = new HashSet<string>(model.UserMembers.Select(m => m.Name)) { model.ClassName }; // and never a member named like the class (CS0542)
        var message = $"{model.ClassName} has DSL errors (see the build output), so the generator did not build its network.";
        w.Line("/// <remarks>Not generated: the layer attributes of this class have DSL errors (see the build output).</remarks>");
        w.Line(GeneratedCode(version));
        w.Open($"partial class {Identifiers.CSharp(model.ClassName)} : {Module}");
        void Member(string name, string code)
        {
            if (!user.Contains(name))
            {
                w.Line(code);
            }
        }

        var fail = $"throw new global::System.InvalidOperationException(\"{Escape(message)}\")";
        Member("InputShape", $"public static long[] InputShape => {fail};");
        Member("OutputShape", $"public static long[] OutputShape => {fail};");
        Member("OutputShapeFor", $"public static long[] OutputShapeFor(params long[] example) => {fail};");
        Member("ParameterCount", "public const long ParameterCount = -1;");
        Member("MultiplyAccumulatesFor", $"public static long MultiplyAccumulatesFor(params long[] example) => {fail};");
        Member("Summary", $"public static string Summary => \"{Escape(message)}\";");
        Member("SummaryExpanded", $"public static string SummaryExpanded => \"{Escape(message)}\";");
        Member("Diagram", $"public static string Diagram => \"{Escape(message)}\";");
        Member("PyTorchSource", $"public static string PyTorchSource => \"{Escape("# " + message)}\";");
        Member("OnnxGraph", $"public static global::Dsl.OnnxGraphDescription OnnxGraph() => {fail};");
        Member(BatchNormFolding.FuseMethod, $"public void {BatchNormFolding.FuseMethod}() => {fail};");
        if (!model.UserMembers.Any(m => m.Kind == "parameterless constructor"))
        {
            w.Line($"public {Identifiers.CSharp(model.ClassName)}() : base({CSharpText.Literal(model.ClassName)}) {{ }}");
        }

        Member("forward", $"public override {Tensor} forward({Tensor} input) => {fail};");
        w.Close();
        CloseClass(w, model);
        return w.ToText();
    }

    private static void OpenClass(CodeWriter w, ModelDeclaration model, bool nullable)
    {
        w.Line("// <auto-generated/>");
        w.Line("// Generated by Dsl.Generator from the layer attributes of " + model.ClassName + ". Do not edit: change the attributes.");
        if (nullable)
        {
            w.Line("#nullable enable");
        }
        w.Line();
        if (model.Namespace.Length > 0)
        {
            w.Open("namespace " + Identifiers.CSharpQualified(model.Namespace));
        }

        foreach (var outer in model.ContainingTypes)
        {
            w.Open($"partial {outer.Keyword} {Identifiers.CSharp(outer.Name)}");
        }
    }

    private static void CloseClass(CodeWriter w, ModelDeclaration model)
    {
        foreach (var _ in model.ContainingTypes)
        {
            w.Close();
        }

        if (model.Namespace.Length > 0)
        {
            w.Close();
        }
    }

    private static long FixedOrMinusOne(Dim d) => d.IsConstant ? d.Value : -1;

    private static string Escape(string text) => text.Replace("\\", "\\\\").Replace("\"", "\\\"");

    /// <summary>
    /// <c>OutputShapeFor(example)</c>: one example's concrete output shape for one example's concrete input shape
    /// (no batch dimension), checked like forward's input; and, for models with named dimensions, <c>CheckDims</c>
    /// (the [Dim] constraints, shared with forward) and <c>FloorDiv</c> (the shape formulas' floor division).
    /// </summary>
    private static void WriteOutputShapeFor(CodeWriter w, string className, PlannedBody body, DimDomain domain)
    {
        var input = body.Input;
        var positions = NamedPositions(input);
        w.Line("/// <summary>");
        w.Line("/// One example's output shape (no batch dimension) for one example's input shape (no batch dimension, like");
        w.Line("/// <see cref=\"InputShape\"/>); throws an <see cref=\"global::System.ArgumentException\"/> as <c>forward</c> would for one it rejects.");
        w.Line("/// </summary>");
        w.Open("public static long[] OutputShapeFor(params long[] example)");
        var checks = new List<string> { $"example.Length != {input.Rank}" };
        checks.AddRange(input.Dims.Select((d, i) => (d, i)).Where(p => p.d.IsConstant).Select(p => $"example[{p.i}] != {p.d.Value}"));
        w.Open($"if ({string.Join(" || ", checks)})");
        w.Line($"throw new global::System.ArgumentException($\"{className} expects one example of shape [{string.Join(", ", input.Dims)}] (no batch dimension) but got [{{string.Join(\", \", example)}}].\", nameof(example));");
        w.Close();
        w.Line();
        if (positions.Count > 0)
        {
            w.Line("CheckDims(example, 0, nameof(example));");
        }

        var dims = body.Output.Dims.Select(d => d.ToCSharp(name => $"example[{positions[name]}]", "FloorDiv"));
        w.Line($"return new long[] {{ {string.Join(", ", dims)} }};");
        w.Close();
        w.Line();
        if (positions.Count == 0)
        {
            return;
        }

        w.Line("/// <summary>Checks the named dimensions of a shape (starting at <paramref name=\"offset\"/>) against the [Dim] constraints.</summary>");
        w.Open("private static void CheckDims(long[] shape, int offset, string parameter)");
        for (var i = 0; i < input.Rank; i++)
        {
            if (input[i].IsConstant)
            {
                continue;
            }

            var name = input[i].Names[0];
            var first = positions[name];
            var where = $"{className}: dimension {name} ({{(offset == 1 ? \"input.shape\" : parameter)}}[{{offset + {i}}}])";
            if (first != i)
            {
                w.Open($"if (shape[offset + {i}] != shape[offset + {first}])");
                w.Line($"throw new global::System.ArgumentException($\"{where} is {{shape[offset + {i}]}}, but {name} is also axis {first + 1}, which is {{shape[offset + {first}]}}; both must be equal.\", parameter);");
                w.Close();
                continue;
            }

            var c = domain[name];
            w.Open($"if (shape[offset + {i}] < {c.Min})");
            w.Line($"throw new global::System.ArgumentException($\"{where} is {{shape[offset + {i}]}}, but {(c.Min > 1 ? $"[Dim(\\\"{name}\\\", Min = {c.Min})] requires at least {c.Min}" : "every size must be at least 1")}.\", parameter);");
            w.Close();
            if (c.Max is { } max)
            {
                w.Open($"if (shape[offset + {i}] > {max})");
                w.Line($"throw new global::System.ArgumentException($\"{where} is {{shape[offset + {i}]}}, but [Dim(\\\"{name}\\\", Max = {max})] allows at most {max}.\", parameter);");
                w.Close();
            }

            if (c.MultipleOf > 1)
            {
                w.Open($"if (shape[offset + {i}] % {c.MultipleOf} != 0)");
                w.Line($"throw new global::System.ArgumentException($\"{where} is {{shape[offset + {i}]}}, but [Dim(\\\"{name}\\\", MultipleOf = {c.MultipleOf})] requires a multiple of {c.MultipleOf}.\", parameter);");
                w.Close();
            }
        }

        w.Close();
        w.Line();
        w.Line("/// <summary>Floor division (rounds toward negative infinity), as in the shape formulas.</summary>");
        w.Line("private static long FloorDiv(long a, long b) => a >= 0 ? a / b : -((-a + b - 1) / b);");
        w.Line();
    }

    /// <summary>
    /// A static string property whose value is the lines joined by <c>\n</c>, one literal per line joined with <c>+</c>
    /// (a constant): regular literals, not raw ones, so C# 7.3 compiles it.
    /// </summary>
    private static void WriteStringProperty(CodeWriter w, string name, string summary, IReadOnlyList<string> lines)
    {
        w.Line($"/// <summary>{summary}</summary>");
        w.Line($"public static string {name} =>");
        for (var i = 0; i < lines.Count; i++)
        {
            var last = i == lines.Count - 1;
            w.LiteralLine("    ", lines[i], newline: !last, last ? ";" : " +");
        }

        if (lines.Count == 0)
        {
            w.Line("    \"\";");
        }

        w.Line();
    }

    /// <summary>
    /// <c>MultiplyAccumulatesFor(example)</c> for models with named dimensions: the formula of the summary evaluated
    /// for one concrete example shape, checked as <c>OutputShapeFor</c> checks it.
    /// </summary>
    private static void WriteMultiplyAccumulatesFor(CodeWriter w, PlannedBody body)
    {
        var positions = NamedPositions(body.Input);
        w.Line("/// <summary>");
        w.Line("/// Multiply-accumulates of one example's forward pass for one example's input shape (no batch dimension), the formula");
        w.Line($"/// {Xml(SummaryTable.Macs(body.Macs))} of <see cref=\"Summary\"/>" + (body.UnknownParameterLayers > 0 ? " (without user modules)" : "") + "; throws as <see cref=\"OutputShapeFor\"/> does for a shape it rejects.");
        w.Line("/// </summary>");
        w.Open("public static long MultiplyAccumulatesFor(params long[] example)");
        w.Line("OutputShapeFor(example);");
        w.Line($"return checked({body.Macs.ToCSharp(name => $"example[{positions[name]}]", "FloorDiv")});");
        w.Close();
        w.Line();
    }

    /// <summary>Where each named dimension first appears in the input shape (no batch dimension).</summary>
    private static Dictionary<string, int> NamedPositions(Shape input)
    {
        var positions = new Dictionary<string, int>(System.StringComparer.Ordinal);
        for (var i = 0; i < input.Rank; i++)
        {
            if (!input[i].IsConstant && !positions.ContainsKey(input[i].Names[0]))
            {
                positions[input[i].Names[0]] = i;
            }
        }

        return positions;
    }

    private static string GeneratedCode(string version) =>
        $"[global::System.CodeDom.Compiler.GeneratedCode(\"Dsl.Generator\", \"{version}\")]";

    private static void WriteModuleBody(CodeWriter w, string className, PlannedBody body, bool isModel,
        IDictionary<string, string> helpers, DimDomain domain, bool nullable, string? displayName = null)
    {
        // Fields, in layer order: RegisterComponents registers them in declaration order, and their names are the state_dict keys.
        var constructions = new List<string>();
        foreach (var layer in body.Layers)
        {
            var module = ModuleOf(layer, nullable);
            if (module is not null)
            {
                w.Line($"private readonly {module.Type} {Id(layer.Name)};");
                constructions.Add($"{Id(layer.Name)} = {module.Construction};");
            }

            if (layer.Definition is { } definition)
            {
                var instance = layer.Instance(Id(layer.Name), nullable);
                foreach (var field in definition.TorchSharpStateFields(instance))
                {
                    w.Line(field);
                }

                foreach (var (name, code) in definition.TorchSharpHelpers(instance))
                {
                    helpers[name] = code;
                }
            }

            foreach (var merge in layer.Merges)
            {
                foreach (var (type, field, construction) in MergeFields(merge, layer.Name, nullable))
                {
                    w.Line($"private readonly {type} {Id(field)};");
                    constructions.Add(construction);
                }

                foreach (var (name, code) in MergeHelpers(merge, nullable))
                {
                    helpers[name] = code;
                }
            }
        }

        var takesDropPath = body.Layers.Any(l => l.Merges.Any(m => m.DropPathFromUse));
        if (takesDropPath)
        {
            w.Line("private readonly double _dropPath;");
            constructions.Insert(0, "_dropPath = dropPath;");
        }

        if (constructions.Count > 0)
        {
            w.Line();
        }

        w.Line(isModel
            ? $"/// <summary>Creates the network with freshly initialised weights.</summary>"
            : takesDropPath
                ? "/// <summary>Creates the block with freshly initialised weights; <paramref name=\"dropPath\"/> is the stochastic-depth rate of its Add skips.</summary>"
                : "/// <summary>Creates the block with freshly initialised weights.</summary>");
        w.Open($"public {Identifiers.CSharp(className)}({(takesDropPath ? "double dropPath" : "")}) : base({CSharpText.Literal(displayName ?? className)})");
        foreach (var construction in constructions)
        {
            w.Lines(construction);
        }

        w.Line("RegisterComponents();");
        w.Close();
        w.Line();

        w.Line($"/// <summary>Runs the {(isModel ? "network" : "block")}: {Xml(body.Input.ToString())} -&gt; {Xml(body.Output.ToString())}.</summary>");
        w.Open($"public override {Tensor} forward({Tensor} input)");
        if (isModel)
        {
            WriteInputGuard(w, className, body.Input, takesTokenIds: TakesTokenIds(body));
        }

        var folded = BatchNormFolding.FoldedNorms(body);
        var fuses = BatchNormFolding.Fuses(body);
        if (fuses)
        {
            BatchNormFolding.WriteForwardSwitch(w, className, isModel, hasFusedForward: folded.Count > 0);
        }

        WriteForward(w, body, nullable, NoFolds);
        w.Close();
        if (fuses)
        {
            BatchNormFolding.WriteFuse(w, className, body, isModel, helpers, nullable);
        }
        else if (isModel)
        {
            BatchNormFolding.WriteNothingToFuse(w);
        }

        if (folded.Count > 0)
        {
            w.Line();
            w.Line("/// <summary>The forward pass after <c>fuse()</c>: the folded BatchNorms are already in the convolutions before them.</summary>");
            w.Open($"private {Tensor} {BatchNormFolding.FusedForward}({Tensor} input)");
            WriteForward(w, body, nullable, folded);
            w.Close();
        }
    }

    private static readonly HashSet<string> NoFolds = new();

    /// <summary>The statements of a forward pass, each intermediate disposed after its last use; <paramref name="folded"/> BatchNorms are skipped.</summary>
    private static void WriteForward(CodeWriter w, PlannedBody body, bool nullable, HashSet<string> folded)
    {
        var forward = new ForwardWriter();
        var current = "input";
        var aliases = new Dictionary<string, string>(System.StringComparer.Ordinal); // a folded BatchNorm's value is its convolution's local
        foreach (var layer in body.Layers)
        {
            var isFolded = folded.Contains(layer.Name);
            current = WriteLayer(forward, layer, current, nullable, isFolded, aliases);
            if (isFolded && layer.Merges.Count == 0)
            {
                aliases[layer.Name] = current;
            }
        }

        forward.WriteTo(w, "input", current);
    }

    /// <summary>Whether the network's first layer (through blocks) is an Embedding, so the input is token ids.</summary>
    public static bool TakesTokenIds(PlannedBody body) =>
        body.Layers.Count > 0 && (body.Layers[0].Definition is EmbeddingLayer
            || body.Layers[0].Blocks.Count > 0 && TakesTokenIds(body.Layers[0].Blocks[0].Body));

    private static void WriteInputGuard(CodeWriter w, string className, Shape input, bool takesTokenIds)
    {
        if (takesTokenIds)
        {
            w.Open("if (input.dtype != global::TorchSharp.torch.ScalarType.Int64 && input.dtype != global::TorchSharp.torch.ScalarType.Int32)");
            w.Line($"throw new global::System.ArgumentException($\"{className} expects token ids (Int64 or Int32) but got {{input.dtype}} values.\", nameof(input));");
            w.Close();
            w.Line();
        }

        var checks = new List<string> { $"input.dim() != {input.Rank + 1}" };
        checks.AddRange(input.Dims.Select((d, i) => (d, i)).Where(p => p.d.IsConstant).Select(p => $"input.shape[{p.i + 1}] != {p.d.Value}"));
        w.Open($"if ({string.Join(" || ", checks)})");
        w.Line($"throw new global::System.ArgumentException($\"{className} expects input of shape {input} (N = batch size) but got [{{string.Join(\", \", input.shape)}}].\", nameof(input));");
        w.Close();
        w.Line();
        if (!input.IsFixed)
        {
            w.Line("CheckDims(input.shape, 1, nameof(input));");
            w.Line();
        }
    }

    /// <summary>Writes one layer and its merges; returns the local that holds the layer's final value.</summary>
    private static string WriteLayer(ForwardWriter f, PlannedLayer layer, string x, bool nullable, bool folded, IReadOnlyDictionary<string, string> aliases)
    {
        var name = Id(layer.Name);
        var output = layer.Merges.Count == 0 ? name : Id(layer.Name + "_out");
        if (folded)
        {
            output = x; // a BatchNorm that fuse() folded into the convolution before it
        }
        else if (layer.Definition is { } definition)
        {
            f.Add(output, $"var {output} = {definition.TorchSharpForward(layer.Instance(name, nullable), x)};", layer.Output.Describe(), x);
        }
        else if (layer.Blocks.Count > 1)
        {
            var previous = x;
            for (var r = 0; r < layer.Blocks.Count; r++)
            {
                var local = r == layer.Blocks.Count - 1 ? output : Id($"{layer.Name}_{r}");
                f.Add(local, $"var {local} = this.{name}[{r}].call({previous});", layer.Blocks[r].Body.Output.Describe(), previous);
                previous = local;
            }
        }
        else
        {
            f.Add(output, $"var {output} = this.{name}.call({x});", layer.Output.Describe(), x);
        }

        var current = output;
        for (var m = 0; m < layer.Merges.Count; m++)
        {
            var merge = layer.Merges[m];
            var result = m == layer.Merges.Count - 1 ? name : Id($"{layer.Name}_merge{m + 1}");
            var from = merge.From == LayerCatalog.InputName ? "input" : aliases.TryGetValue(merge.From, out var alias) ? alias : Id(merge.From);
            var mergeShape = merge.Result.Describe();
            var comment = mergeShape + $": skip from '{merge.From}' ({MergeText.MergeKind(merge)})";
            var merged = from;
            if (merge.Aligned.Any(a => a.ChangesFrom))
            {
                merged = Id($"{merge.From}_to_{layer.Name}_aligned");
                f.Add(merged, $"var {merged} = AlignCentre({from}, {AlignedSizes(merge, from, current, merge.FromShape)});", Aligned(merge.FromShape, merge) + $": '{merge.From}' {MergeText.AlignVerb(merge)}", from, current);
            }

            var branch = current;
            if (merge.Aligned.Any(a => a.ChangesTo))
            {
                branch = Id($"{layer.Name}_aligned{m + 1}");
                f.Add(branch, $"var {branch} = AlignCentre({current}, {AlignedSizes(merge, current, from, merge.ToShape!)});", Aligned(merge.ToShape!, merge) + $": '{layer.Name}' {MergeText.AlignVerb(merge)}", current, from);
            }

            if (merge.Projection is { } projection)
            {
                var projected = Id(projection.FieldName);
                f.Add(projected, $"var {projected} = this.{projected}.call({merged});", projection.Output.Describe() + $": projection of '{merge.From}'", merged);
                merged = projected;
            }

            switch (merge.Mode)
            {
                case MergeMode.Concat:
                    f.Add(result, $"var {result} = global::TorchSharp.torch.cat(new[] {{ {branch}, {merged} }}, {merge.Result.ChannelAxis + 1});", comment, branch, merged);
                    break;
                case MergeMode.Multiply:
                    f.Add(result, $"var {result} = {branch}.mul({merged});", comment, branch, merged);
                    break;
                case MergeMode.Highway:
                {
                    var gate = Id(PlannedMerge.GateField(merge.From, layer.Name));
                    f.Add(gate, $"var {gate} = this.{gate}.call({merged});", merge.Result.Describe() + $": the Highway gate's logits, from '{merge.From}'", merged);
                    f.Add(result, $"var {result} = HighwayMerge({merged}, {branch}, {gate});", comment, merged, branch, gate);
                    break;
                }

                default:
                    if (!merge.UsesResidualAdd)
                    {
                        f.Add(result, $"var {result} = {branch}.add({merged});", comment, branch, merged);
                    }
                    else
                    {
                        var scale = merge.Scale == MergeScale.None ? "null" : "this." + Id(PlannedMerge.ScaleField(merge.From, layer.Name));
                        var rate = merge.DropPathFromUse ? "_dropPath" : LayerRules.Real(merge.DropPath);
                        f.Add(result, $"var {result} = ResidualAdd({merged}, {branch}, {scale}, {ScaleShape(merge)}, {rate}, this.training);", comment, merged, branch);
                    }

                    break;
            }

            current = result;
        }

        return current;
    }

    /// <summary>A side's shape after alignment.</summary>
    private static string Aligned(Shape side, PlannedMerge merge) => merge.AlignedShape(side).Describe();

    /// <summary>
    /// The spatial sizes a side is cropped or padded to: constants for fixed sizes; for named ones the smaller (crop)
    /// or larger (pad) of the two tensors' sizes, which the generator has shown is the same side for every allowed value.
    /// </summary>
    private static string AlignedSizes(PlannedMerge merge, string self, string other, Shape side) =>
        string.Join(", ", merge.AlignTargets(side).Select(t => t.Size.IsConstant
            ? t.Size.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)
            : $"global::System.Math.{(merge.AlignPads ? "Max" : "Min")}({self}.shape[{t.Axis + 1}], {other}.shape[{t.Axis + 1}])"));

    /// <summary>A per-channel scale's view for broadcasting over positions: [C, 1, 1] for images, [C, 1] for signals; none for the channels-last layouts.</summary>
    private static string ScaleShape(PlannedMerge merge) =>
        merge.Scale != MergeScale.PerChannel ? "null" : merge.Result.Layout switch
        {
            Layout.Image => $"new long[] {{ {merge.Channels}, 1, 1 }}",
            Layout.Signal => $"new long[] {{ {merge.Channels}, 1 }}",
            _ => "null",
        };

    /// <summary>The learned modules and parameters a merge owns: its projection, Highway gate, and scale; in that order (state_dict order).</summary>
    private static IEnumerable<(string Type, string Field, string Construction)> MergeFields(PlannedMerge merge, string to, bool nullable)
    {
        if (merge.Projection is { } projection)
        {
            var (type, construction) = ProjectionModule(projection);
            yield return (type, projection.FieldName, $"{Id(projection.FieldName)} = {construction};");
        }

        if (merge.Mode == MergeMode.Highway)
        {
            var field = Id(PlannedMerge.GateField(merge.From, to));
            var c = merge.Channels;
            var (type, module) = merge.Result.Layout switch
            {
                Layout.Image => ("global::TorchSharp.Modules.Conv2d", $"{Nn}.Conv2d({c}, {c}, 1)"),
                Layout.Signal => ("global::TorchSharp.Modules.Conv1d", $"{Nn}.Conv1d({c}, {c}, 1)"),
                _ => ("global::TorchSharp.Modules.Linear", $"{Nn}.Linear({c}, {c})"),
            };

            // A negative gate bias starts the Highway carrying 'from' (Srivastava et al., 2015, recommend −1 to −3).
            yield return (type, PlannedMerge.GateField(merge.From, to),
                $"{field} = {module};\n{Nn}.init.constant_({LayerInstance.NotNull($"{field}.bias", nullable)}, -1.0);");
        }

        if (merge.Scale != MergeScale.None)
        {
            var field = PlannedMerge.ScaleField(merge.From, to);
            var length = merge.Scale == MergeScale.Scalar ? 1 : merge.Channels;
            var init = LayerRules.Real(merge.Declaration!.EffectiveScaleInit);
            yield return ("global::TorchSharp.Modules.Parameter", field,
                $"{Id(field)} = new global::TorchSharp.Modules.Parameter(global::TorchSharp.torch.full(new long[] {{ {length} }}, {init}));");
        }
    }

    private static IEnumerable<(string Name, string Code)> MergeHelpers(PlannedMerge merge, bool nullable)
    {
        if (merge.Aligned.Count > 0)
        {
            yield return ("AlignCentre", """
                /// <summary>
                /// Centre-crops or zero-pads the spatial axes (2, 3, ...) of <paramref name="x"/> to <paramref name="sizes"/>: a crop
                /// keeps the middle (the top/left loses ⌊d/2⌋, as in the original U-Net), a pad puts ⌊d/2⌋ zeros before and the rest after.
                /// </summary>
                private static global::TorchSharp.torch.Tensor AlignCentre(global::TorchSharp.torch.Tensor x, params long[] sizes)
                {
                    var y = x.narrow(1, 0, x.shape[1]); // a new handle on x, so the result is always the caller's to dispose
                    for (var i = 0; i < sizes.Length; i++)
                    {
                        var axis = i + 2;
                        var size = y.shape[axis];
                        if (size == sizes[i])
                        {
                            continue;
                        }

                        global::TorchSharp.torch.Tensor next;
                        if (size > sizes[i])
                        {
                            next = y.narrow(axis, (size - sizes[i]) / 2, sizes[i]);
                        }
                        else
                        {
                            var pad = new long[2 * (y.dim() - axis)];
                            pad[pad.Length - 2] = (sizes[i] - size) / 2;
                            pad[pad.Length - 1] = sizes[i] - size - pad[pad.Length - 2];
                            next = global::TorchSharp.torch.nn.functional.pad(y, pad);
                        }

                        y.Dispose();
                        y = next;
                    }

                    return y;
                }
                """);
        }

        if (merge.Mode == MergeMode.Highway)
        {
            yield return ("HighwayMerge", """
                /// <summary>A Highway carry gate: T ⊙ transform + (1 − T) ⊙ carry = carry + T ⊙ (transform − carry), with T = σ(logits).</summary>
                private static global::TorchSharp.torch.Tensor HighwayMerge(global::TorchSharp.torch.Tensor carry, global::TorchSharp.torch.Tensor transform, global::TorchSharp.torch.Tensor logits)
                {
                    using (global::TorchSharp.torch.NewDisposeScope())
                    {
                        var t = logits.sigmoid();
                        return carry.add(t.mul(transform.sub(carry))).MoveToOuterDisposeScope();
                    }
                }
                """);
        }

        if (merge.UsesResidualAdd)
        {
            // The optional arguments are annotated only where the consumer's C# has annotations (8 or later).
            var maybe = nullable ? "?" : "";
            yield return ("ResidualAdd", $$"""
                /// <summary>
                /// An Add skip with a learned scale and stochastic depth: carry + s ⊙ drop(branch). <paramref name="scale"/> is ReZero's α
                /// or LayerScale's γ (viewed as <paramref name="scaleShape"/> to broadcast over positions), or null. In training, each
                /// example's branch is zeroed with probability <paramref name="dropPath"/> and the others scaled by 1/(1 − p), with
                /// torch's default generator (so torch.manual_seed makes it repeatable); in evaluation the branch is kept whole.
                /// </summary>
                private static global::TorchSharp.torch.Tensor ResidualAdd(global::TorchSharp.torch.Tensor carry, global::TorchSharp.torch.Tensor branch,
                    global::TorchSharp.torch.Tensor{{maybe}} scale, long[]{{maybe}} scaleShape, double dropPath, bool training)
                {
                    using (global::TorchSharp.torch.NewDisposeScope())
                    {
                        var b = branch;
                        if (!(scale is null))
                        {
                            b = b.mul(scaleShape is null ? scale : scale.view(scaleShape));
                        }

                        if (training && dropPath > 0)
                        {
                            var shape = new long[b.dim()];
                            shape[0] = b.shape[0];
                            for (var i = 1; i < shape.Length; i++)
                            {
                                shape[i] = 1;
                            }

                            var keep = global::TorchSharp.torch.empty(shape, dtype: b.dtype, device: b.device).bernoulli_(1 - dropPath).div_(1 - dropPath);
                            b = b.mul(keep);
                        }

                        return carry.add(b).MoveToOuterDisposeScope();
                    }
                }
                """);
        }
    }

    private static TorchSharpField? ModuleOf(PlannedLayer layer, bool nullable)
    {
        if (layer.Definition is { } definition)
        {
            return definition.TorchSharpModule(layer.Instance(Id(layer.Name), nullable));
        }

        string New(int r) => $"new {layer.Blocks[r].ClassName}({(layer.DropPathRates is { } rates ? LayerRules.Real(rates[r]) : "")})";
        return layer.Blocks.Count == 1
            ? new TorchSharpField(layer.Blocks[0].ClassName, New(0))
            : new TorchSharpField($"global::TorchSharp.Modules.ModuleList<{Module}>",
                $"{Nn}.ModuleList<{Module}>(\n" + string.Join(",\n", layer.Blocks.Select((_, r) => "    " + New(r))) + ")");
    }

    private static (string Type, string Construction) ProjectionModule(PlannedProjection p)
    {
        var d = p.Input.Layout == Layout.Image ? "2d" : "1d";
        return p.IsConvolution
            ? ("global::TorchSharp.Modules.Sequential",
                $"{Nn}.Sequential({Nn}.Conv{d}({p.InChannels}, {p.OutChannels}, 1{LayerRules.Named("stride", p.Stride, 1)}, bias: false), {Nn}.BatchNorm{d}({p.OutChannels}))")
            : ("global::TorchSharp.Modules.Linear", $"{Nn}.Linear({p.InChannels}, {p.OutChannels}, hasBias: false)");
    }

    /// <summary>A layer name as a C# identifier (keywords escaped).</summary>
    public static string Id(string name) => SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None ? "@" + name : name;

    private static string Xml(string text) => text.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");
}
