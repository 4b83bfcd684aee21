using System;
using System.ComponentModel;
using System.Linq;
using System.Reflection;
using Dsl.Generator.Common;
using Dsl.Generator.Layers;
using Dsl.Generator.Parsing;
using Dsl.Generator.Shapes;
using Dsl.Generator.Shapes.Symbolic;

namespace Dsl.Generator.Tests.Infrastructure;

/// <summary>
/// Layer declarations made by hand for unit tests of the definitions: every argument the attribute declares, with
/// its declared default (read by reflection from <c>Dsl.Attributes</c>, as the parser reads it from the symbols),
/// overridden by the given values (names the attribute does not declare are ignored).
/// </summary>
public static class TestLayers
{
    public static LayerDeclaration Declare(string kind, params (string Name, double Value)[] given)
    {
        var definition = LayerRegistry.ForKind(kind);
        var type = typeof(ModelAttribute).Assembly.GetTypes().Single(t => t.Name == definition.AttributeName.Split('`')[0] + (definition.AttributeName.Contains('`') ? "`1" : ""));
        var arguments = type.GetConstructors().OrderByDescending(c => c.GetParameters().Length).First().GetParameters()
            .Select(p => (Name: char.ToUpperInvariant(p.Name![0]) + p.Name.Substring(1), Default: p.HasDefaultValue ? p.DefaultValue : null))
            .Concat(type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
                .Where(p => p.SetMethod is { IsPublic: true } && p.Name != "Name")
                .Select(p => (p.Name, Default: p.GetCustomAttribute<DefaultValueAttribute>()?.Value)))
            .Select(a =>
            {
                var written = given.Where(g => g.Name == a.Name).Select(g => (double?)g.Value).FirstOrDefault();
                var value = written ?? a.Default switch { int i => i, double d => d, bool b => b ? 1 : 0, null => 0, var o => Convert.ToDouble(o) };
                return new LayerArgument(a.Name, value, null, null, written is not null, null);
            });
        return new LayerDeclaration(kind, null, null, arguments.ToEquatableArray(), null, null);
    }

    public static LayerResult Infer(LayerDeclaration layer, Shape input, DimDomain? domain = null) =>
        LayerRegistry.ForKind(layer.Kind).Infer(new LayerContext("layer", layer, input, domain ?? DimDomain.Empty, input.Channels));
}
