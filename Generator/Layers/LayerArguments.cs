using System;
using System.Linq;
using Dsl.Generator.Common;
using Dsl.Generator.Parsing;

namespace Dsl.Generator.Layers;

/// <summary>
/// A layer's arguments as the attribute declares them (every one present, with the attribute's own defaults), and
/// where each was written, for diagnostics on the argument at fault. Asking for an argument the attribute does not
/// declare throws: a definition and its attribute can never silently disagree.
/// </summary>
public sealed class LayerArguments
{
    private readonly LayerDeclaration _layer;

    public LayerArguments(LayerDeclaration layer) => _layer = layer;

    private LayerArgument Get(string name)
    {
        foreach (var argument in _layer.Arguments) // a loop, not FirstOrDefault: this runs for every argument of every layer
        {
            if (argument.Name == name)
            {
                return argument;
            }
        }

        throw new InvalidOperationException($"the {_layer.Kind} attribute declares no argument '{name}'");
    }

    public bool IsGiven(string name) => Get(name).IsGiven;

    public double Real(string name) => Get(name).Number;

    public int Int(string name) => (int)Get(name).Number;

    public bool Bool(string name) => Get(name).Number != 0;

    public EquatableArray<InputDimension>? Items(string name) => Get(name).Items;

    /// <summary>The argument's own location, else the whole attribute's.</summary>
    public LocationInfo? Location(string name) => Get(name).Location ?? _layer.Location;
}
