using System.Linq;
using Dsl.Generator.Common;
using Dsl.Generator.Parsing;

namespace Dsl.Generator.Shapes;

/// <summary>Reads a layer's arguments with their defaults, and where each was written (for diagnostics on the argument at fault).</summary>
public sealed class LayerArguments
{
    private readonly LayerDeclaration _layer;

    public LayerArguments(LayerDeclaration layer) => _layer = layer;

    public bool IsGiven(string name) => _layer.Arguments.Any(a => a.Name == name);

    public double Real(string name) =>
        _layer.Arguments.FirstOrDefault(a => a.Name == name)?.Value ?? LayerCatalog.DefaultValue(_layer.Kind, name);

    public int Int(string name) => (int)Real(name);

    public bool Bool(string name) => Real(name) != 0;

    /// <summary>The argument's own location, else the whole attribute's.</summary>
    public LocationInfo? Location(string name) =>
        _layer.Arguments.FirstOrDefault(a => a.Name == name)?.Location ?? _layer.Location;

    /// <summary>A pool's stride: the kernel size unless given.</summary>
    public int PoolStride => IsGiven("Stride") ? Int("Stride") : Int("KernelSize");
}
