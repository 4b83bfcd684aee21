using System.Collections.Generic;
using System.Linq;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Dsl.Runtime.Reporting;

/// <summary>The parameters of one layer (one module path), in the order <c>named_parameters()</c> lists them.</summary>
internal sealed class ParameterGroup
{
    private ParameterGroup(string name, int index, IReadOnlyList<Parameter> parameters)
    {
        Name = name;
        Index = index;
        Parameters = parameters;
    }

    public string Name { get; }

    public int Index { get; }

    public IReadOnlyList<Parameter> Parameters { get; }

    /// <summary>Groups the module's parameters by layer, numbering the kept layers by first appearance.</summary>
    public static IReadOnlyList<ParameterGroup> ByLayer(nn.Module module, bool includeVectorOnlyLayers)
    {
        var order = new List<string>();
        var byName = new Dictionary<string, List<Parameter>>();
        foreach ((string name, Parameter parameter) in module.named_parameters())
        {
            string layer = LayerOf(name);
            if (!byName.TryGetValue(layer, out List<Parameter>? parameters))
            {
                parameters = new List<Parameter>();
                byName.Add(layer, parameters);
                order.Add(layer);
            }
            parameters.Add(parameter);
        }

        // A layer with a matrix or kernel is a convolution, linear layer or projection; vector-only layers are normalisations.
        return order
            .Where(layer => includeVectorOnlyLayers || byName[layer].Any(parameter => parameter.dim() >= 2))
            .Select((layer, index) => new ParameterGroup(layer, index, byName[layer]))
            .ToList();
    }

    /// <summary>The layer of a parameter: its name without the last segment.</summary>
    public static string LayerOf(string parameterName)
    {
        int lastDot = parameterName.LastIndexOf('.');
        return lastDot < 0 ? GradientFlowRecorder.RootLayerName : parameterName[..lastDot];
    }

    /// <summary>
    /// The sum of the squares of all the layer's gradients as a scalar on their device, or null when none has a gradient.
    /// Half-precision gradients are summed in float32 so that the squares do not overflow.
    /// </summary>
    public Tensor? GradientSumOfSquares()
    {
        Tensor? total = null;
        foreach (Parameter parameter in Parameters)
        {
            Tensor? gradient = parameter.grad;
            if (gradient is null)
                continue;
            ScalarType accumulator = gradient.dtype == ScalarType.Float64 ? ScalarType.Float64 : ScalarType.Float32;
            Tensor sum = gradient.to_type(accumulator).square().sum();
            total = total is null ? sum : total + sum.to(total.dtype, total.device);
        }
        return total;
    }
}
