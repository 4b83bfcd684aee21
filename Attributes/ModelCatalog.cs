using System;

namespace Dsl;

/// <summary>
/// One model of an assembly, as the generator's catalogue lists it (see <see cref="ModelCatalogAttribute"/>): what a
/// command-line tool needs to list, summarise, draw, build and train it without a hand-kept list.
/// </summary>
public sealed class ModelCatalogEntry
{
    /// <summary>An entry; the generated catalogue makes one per model.</summary>
    public ModelCatalogEntry(string name, string fullName, string description, long[] inputShape, long[] outputShape, bool takesTokenIds,
        long parameterCount, long multiplyAccumulates, string summary, string summaryExpanded, string diagram,
        Func<long[], long[]> outputShapeFor, Func<object> create, long[]? exampleShape = null, string pyTorchSource = "",
        Func<OnnxGraphDescription>? onnxGraph = null)
    {
        PyTorchSource = pyTorchSource;
        OnnxGraph = onnxGraph;
        ExampleShape = exampleShape ?? inputShape;
        Name = name;
        FullName = fullName;
        Description = description;
        InputShape = inputShape;
        OutputShape = outputShape;
        TakesTokenIds = takesTokenIds;
        ParameterCount = parameterCount;
        MultiplyAccumulates = multiplyAccumulates;
        Summary = summary;
        SummaryExpanded = summaryExpanded;
        Diagram = diagram;
        OutputShapeFor = outputShapeFor;
        Create = create;
    }

    /// <summary>The class name.</summary>
    public string Name { get; }

    /// <summary>The class name with its namespace and containing types.</summary>
    public string FullName { get; }

    /// <summary>The class's XML <c>&lt;summary&gt;</c> as one line of text (empty when it has none).</summary>
    public string Description { get; }

    /// <summary>One example's input shape (no batch dimension); -1 at a named dimension.</summary>
    public long[] InputShape { get; }

    /// <summary>
    /// A concrete input shape the model accepts (no batch dimension): <see cref="InputShape"/> with each named
    /// dimension at an allowed value (32, or the allowed value nearest to it).
    /// </summary>
    public long[] ExampleShape { get; }

    /// <summary>One example's output shape (no batch dimension); -1 where it depends on a named dimension.</summary>
    public long[] OutputShape { get; }

    /// <summary>Whether the input is token ids (the first layer is an Embedding).</summary>
    public bool TakesTokenIds { get; }

    /// <summary>The learned parameters known at compile time.</summary>
    public long ParameterCount { get; }

    /// <summary>Multiply-accumulates of one example's forward pass; -1 when they depend on named dimensions.</summary>
    public long MultiplyAccumulates { get; }

    /// <summary>The summary table, repeated blocks folded.</summary>
    public string Summary { get; }

    /// <summary>The summary table with every layer of every repeated block.</summary>
    public string SummaryExpanded { get; }

    /// <summary>The network as a Graphviz DOT graph.</summary>
    public string Diagram { get; }

    /// <summary>The network as one self-contained Python file (a PyTorch <c>nn.Module</c> with the same state_dict keys and forward).</summary>
    public string PyTorchSource { get; }

    /// <summary>One example's output shape for one example's input shape (throws <see cref="ArgumentException"/> for one the model rejects).</summary>
    public Func<long[], long[]> OutputShapeFor { get; }

    /// <summary>Builds the network with fresh weights: a <c>TorchSharp.torch.nn.Module&lt;Tensor, Tensor&gt;</c>.</summary>
    public Func<object> Create { get; }

    /// <summary>The network as an ONNX graph without weights (the model's generated <c>OnnxGraph()</c>); null for catalogues from before it.</summary>
    public Func<OnnxGraphDescription>? OnnxGraph { get; }

    /// <inheritdoc />
    public override string ToString() => Name;
}

/// <summary>
/// Put on an assembly by the generator: <see cref="Catalog"/> has a public static <c>Models</c> property, a
/// <see cref="ModelCatalogEntry"/>[] of every model in the assembly, in name order.
/// </summary>
[AttributeUsage(AttributeTargets.Assembly, AllowMultiple = false)]
public sealed class ModelCatalogAttribute : Attribute
{
    /// <param name="catalog">The generated catalogue class.</param>
    public ModelCatalogAttribute(Type catalog) => Catalog = catalog;

    /// <summary>The generated catalogue class.</summary>
    public Type Catalog { get; }
}
