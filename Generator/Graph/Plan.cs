using System.Collections.Generic;
using Dsl.Generator.Parsing;
using Dsl.Generator.Shapes;

namespace Dsl.Generator.Graph;

/// <summary>A learned projection on a skip (ResNet option B): 1×1 convolution + BatchNorm2d for images, a linear map otherwise.</summary>
public sealed class PlannedProjection
{
    public PlannedProjection(string fieldName, bool isConvolution, int inChannels, int outChannels, int stride, Shape output)
    {
        FieldName = fieldName;
        IsConvolution = isConvolution;
        InChannels = inChannels;
        OutChannels = outChannels;
        Stride = stride;
        Output = output;
    }

    public string FieldName { get; }

    public bool IsConvolution { get; }

    public int InChannels { get; }

    public int OutChannels { get; }

    public int Stride { get; }

    public Shape Output { get; }

    /// <summary>Conv weight (no bias) plus BatchNorm weight and bias; or the linear weight (no bias).</summary>
    public long Parameters => ((long)InChannels * OutChannels) + (IsConvolution ? 2L * OutChannels : 0);
}

/// <summary>One skip merged into a layer's output, in source order.</summary>
public sealed class PlannedMerge
{
    public PlannedMerge(string from, MergeMode mode, Shape fromShape, Shape result, PlannedProjection? projection)
    {
        From = from;
        Mode = mode;
        FromShape = fromShape;
        Result = result;
        Projection = projection;
    }

    /// <summary>The layer merged in, or <c>input</c>.</summary>
    public string From { get; }

    public MergeMode Mode { get; }

    public Shape FromShape { get; }

    /// <summary>The shape after this merge.</summary>
    public Shape Result { get; }

    public PlannedProjection? Projection { get; }
}

/// <summary>A layer with everything inferred: shapes, channel counts, parameters, merges, and for blocks their specialised classes.</summary>
public sealed class PlannedLayer
{
    public PlannedLayer(string name, LayerDeclaration declaration, Shape input, Shape output, LayerShape? shape,
        IReadOnlyList<BlockSpecialisation> blocks, IReadOnlyList<PlannedMerge> merges)
    {
        Name = name;
        Declaration = declaration;
        Input = input;
        Output = output;
        Shape = shape;
        Blocks = blocks;
        Merges = merges;
    }

    public string Name { get; }

    public LayerDeclaration Declaration { get; }

    public LayerKind Kind => Declaration.Kind;

    public LayerArguments Arguments => new(Declaration);

    public Shape Input { get; }

    /// <summary>The layer's own output, before skips are merged.</summary>
    public Shape Output { get; }

    /// <summary>The layer's value as everything downstream sees it: after the skips that end at it are merged.</summary>
    public Shape Final => Merges.Count == 0 ? Output : Merges[Merges.Count - 1].Result;

    /// <summary>Inferred channel counts of ordinary layers (null for block uses).</summary>
    public LayerShape? Shape { get; }

    /// <summary>For a block use: one specialised class per repetition.</summary>
    public IReadOnlyList<BlockSpecialisation> Blocks { get; }

    public IReadOnlyList<PlannedMerge> Merges { get; }

    public long OwnParameters
    {
        get
        {
            long total = Shape?.Parameters ?? 0;
            foreach (var block in Blocks)
            {
                total += block.Body.Parameters;
            }

            return total;
        }
    }

    public long Parameters
    {
        get
        {
            var total = OwnParameters;
            foreach (var merge in Merges)
            {
                total += merge.Projection?.Parameters ?? 0;
            }

            return total;
        }
    }
}

/// <summary>The checked, shape-annotated layers of a model or of one block specialisation.</summary>
public sealed class PlannedBody
{
    public PlannedBody(Shape input, IReadOnlyList<PlannedLayer> layers)
    {
        Input = input;
        Layers = layers;
    }

    public Shape Input { get; }

    public IReadOnlyList<PlannedLayer> Layers { get; }

    public Shape Output => Layers.Count == 0 ? Input : Layers[Layers.Count - 1].Final;

    public long Parameters
    {
        get
        {
            long total = 0;
            foreach (var layer in Layers)
            {
                total += layer.Parameters;
            }

            return total;
        }
    }
}

/// <summary>A block specialised for one input shape: emitted as a nested module class of the model.</summary>
public sealed class BlockSpecialisation
{
    public BlockSpecialisation(string className, string blockName, PlannedBody body)
    {
        ClassName = className;
        BlockName = blockName;
        Body = body;
    }

    public string ClassName { get; }

    public string BlockName { get; }

    public PlannedBody Body { get; }
}
