using System.Collections.Generic;
using Dsl.Generator.Common;
using Dsl.Generator.Diagnostics;
using Dsl.Generator.Parsing;
using Dsl.Generator.Shapes;
using Dsl.Generator.Shapes.Symbolic;

namespace Dsl.Generator.Layers;

/// <summary>What a definition is told when it infers one layer's output.</summary>
public sealed class LayerContext
{
    public LayerContext(string name, LayerDeclaration declaration, Shape input, DimDomain domain, Dim bodyInputWidth,
        IReadOnlyCollection<string>? dimensionNames = null)
    {
        DimensionNames = dimensionNames ?? System.Array.Empty<string>();
        Name = name;
        Declaration = declaration;
        Arguments = new LayerArguments(declaration);
        Input = input;
        Domain = domain;
        BodyInputWidth = bodyInputWidth;
    }

    /// <summary>The layer's qualified name, as diagnostics show it (<c>stage2.conv1</c>).</summary>
    public string Name { get; }

    public LayerDeclaration Declaration { get; }

    public LayerArguments Arguments { get; }

    public Shape Input { get; }

    /// <summary>The model's [Dim] constraints.</summary>
    public DimDomain Domain { get; }

    /// <summary>The named dimensions of the model's input shape.</summary>
    public IReadOnlyCollection<string> DimensionNames { get; }

    /// <summary>The channel width of the enclosing block's (or model's) input, for <c>Channels.Input</c>.</summary>
    public Dim BodyInputWidth { get; }

    public LocationInfo? Location => Declaration.Location;
}

/// <summary>What one layer does: its output shape, parameter and multiply-accumulate counts, resolved widths — or the error.</summary>
public sealed class LayerResult
{
    private LayerResult(Shape? output, long parameters, bool parametersKnown, Dim macs, long inChannels, long outChannels, DiagnosticInfo? error)
    {
        Output = output;
        Parameters = parameters;
        ParametersKnown = parametersKnown;
        Macs = macs;
        InChannels = inChannels;
        OutChannels = outChannels;
        Error = error;
    }

    public Shape? Output { get; }

    /// <summary>Learned parameters (0 when unknown, see <see cref="ParametersKnown"/>).</summary>
    public long Parameters { get; }

    /// <summary>False for a user's module, whose parameters are only known at run time.</summary>
    public bool ParametersKnown { get; }

    /// <summary>Multiply-accumulates per example (see docs: the conventions per kind).</summary>
    public Dim Macs { get; }

    /// <summary>Input channels or features (the inferred argument users never write).</summary>
    public long InChannels { get; }

    /// <summary>Output channels or features, with relative counts resolved.</summary>
    public long OutChannels { get; }

    public DiagnosticInfo? Error { get; }

    public static LayerResult Ok(Shape output, long parameters = 0, Dim? macs = null, long inChannels = 0, long outChannels = 0) =>
        new(output, parameters, true, macs ?? Dim.Of(0), inChannels, outChannels, null);

    public static LayerResult Unknown(Shape output, long inChannels, long outChannels) =>
        new(output, 0, false, Dim.Of(0), inChannels, outChannels, null);

    public static LayerResult Fail(DiagnosticInfo error) => new(null, 0, true, Dim.Of(0), 0, 0, error);
}

/// <summary>A planned layer as its emitters see it: field name, arguments, shapes and inferred facts.</summary>
public sealed class LayerInstance
{
    public LayerInstance(string field, LayerDeclaration declaration, Shape input, LayerResult result, bool nullable)
    {
        Nullable = nullable;
        Field = field;
        Declaration = declaration;
        Arguments = new LayerArguments(declaration);
        Input = input;
        Result = result;
    }

    /// <summary>The field (and state_dict key) of the layer, already a valid C# identifier.</summary>
    public string Field { get; }

    public LayerDeclaration Declaration { get; }

    public LayerArguments Arguments { get; }

    public Shape Input { get; }

    public Shape Output => Result.Output!;

    public LayerResult Result { get; }

    /// <summary>Whether the consumer's C# has nullable annotations (8 or later); without them the code must be C# 7.3.</summary>
    public bool Nullable { get; }

    /// <summary>An expression of a nullable TorchSharp member known to be set: with <c>!</c> where the consumer's C# has it.</summary>
    public string NotNull(string expression) => NotNull(expression, Nullable);

    /// <inheritdoc cref="NotNull(string)"/>
    public static string NotNull(string expression, bool nullable) => nullable ? expression + "!" : expression;
}

/// <summary>A module field of the generated class: its C# type and the expression that constructs it.</summary>
public sealed record TorchSharpField(string Type, string Construction);

/// <summary>
/// ONE DEFINITION PER LAYER KIND. Everything about a kind lives in its subclass: argument validation (the arguments
/// and their defaults are the attribute's own, see <see cref="LayerArguments"/>), the shape rule (symbolic),
/// parameter and multiply-accumulate counts, and its emitted code per target. Each target is a separate group of
/// members (TorchSharp C#, then PyTorch), so another target (ONNX) is added per kind beside them.
/// Registering a kind is one line in <see cref="LayerRegistry"/>.
/// </summary>
public abstract class LayerDefinition
{
    protected const string Nn = "global::TorchSharp.torch.nn";
    protected const string Functional = "global::TorchSharp.torch.nn.functional";
    protected const string Torch = "global::TorchSharp.torch";

    /// <summary>The kind's name as users see it in summaries and messages (<c>Conv2d</c>).</summary>
    public abstract string Kind { get; }

    /// <summary>The attribute's metadata name (<c>Conv2dAttribute</c>; <c>ModuleAttribute`1</c> for generic ones).</summary>
    public virtual string AttributeName => Kind + "Attribute";

    /// <summary>The prefix of default layer names (<c>conv</c> → <c>conv1</c>, <c>conv2</c>, …).</summary>
    public abstract string NamePrefix { get; }

    /// <summary>
    /// For a rank-2 model input: the layout this kind wants (a 1-D layer: a signal; a sequence layer: a sequence);
    /// null for kinds that keep whatever they get. The first layer that wants one decides the input's layout.
    /// </summary>
    public virtual Layout? PreferredInputLayout => null;

    /// <summary>Whether the kind turns a sequence into a signal and back (so a layout wanted after it is the other one before it).</summary>
    public virtual bool SwapsLayout => false;

    /// <summary>Checks of the arguments that need no shape (zero channels, zero stride, …), reported on the argument.</summary>
    public virtual IEnumerable<DiagnosticInfo> Validate(LayerArguments args, string name) => System.Array.Empty<DiagnosticInfo>();

    /// <summary>The shape rule, with parameter and multiply-accumulate counts; or the diagnostic that says why not.</summary>
    public abstract LayerResult Infer(LayerContext context);

    // ---- Target: TorchSharp C# ----

    /// <summary>The module field of a layer with state (null: stateless, written as a functional call in forward).</summary>
    public abstract TorchSharpField? TorchSharpModule(LayerInstance layer);

    /// <summary>The forward expression that computes the layer's output from <paramref name="x"/>.</summary>
    public abstract string TorchSharpForward(LayerInstance layer, string x);

    /// <summary>Extra instance fields the forward expression needs besides the module (plain state, never registered), as declarations.</summary>
    public virtual IEnumerable<string> TorchSharpStateFields(LayerInstance layer) => System.Array.Empty<string>();

    /// <summary>Helper members the forward expression calls (emitted once per module class), keyed by name.</summary>
    public virtual IEnumerable<(string Name, string Code)> TorchSharpHelpers(LayerInstance layer) => System.Array.Empty<(string, string)>();

    /// <summary>
    /// For the generated <c>fuse()</c>: whether a BatchNorm right after a layer of this kind can be folded into its weights
    /// (a TorchSharp <c>Convolution</c> whose weight's first axis is the output channels).
    /// </summary>
    public virtual bool AbsorbsFollowingNorm => false;

    /// <summary>For the generated <c>fuse()</c>: whether this kind is a BatchNorm that inference can fold into the layer before it.</summary>
    public virtual bool FoldsIntoLayerBefore => false;

    // ---- Target: PyTorch (Python source; the layer's module is the attribute <c>self.{Field}</c>, Field unescaped) ----

    /// <summary>The <c>nn.Module</c> construction of a layer with state (null: stateless, a functional call in forward).</summary>
    public abstract string? PyTorchModule(LayerInstance layer);

    /// <summary>The Python forward expression that computes the layer's output from <paramref name="x"/>, as the TorchSharp one does.</summary>
    public abstract string PyTorchForward(LayerInstance layer, string x);

    /// <summary>Module-level Python helpers (functions, classes) the construction or forward uses, keyed by name.</summary>
    public virtual IEnumerable<(string Name, string Code)> PyTorchHelpers(LayerInstance layer) => System.Array.Empty<(string, string)>();

    // ---- Target: ONNX (opset 17, evaluation mode) ----

    /// <summary>
    /// Adds the layer's nodes reading <paramref name="x"/> and returns its output's value name; initializers are the
    /// layer's state_dict keys (<c>g.Weight(layer.Field + ".weight")</c>). Throws <see cref="OnnxNotExportableException"/>
    /// for a layer with no ONNX form.
    /// </summary>
    public abstract string Onnx(LayerInstance layer, OnnxBuilder g, string x);
}
