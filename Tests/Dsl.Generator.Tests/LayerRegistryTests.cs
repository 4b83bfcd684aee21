using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.Linq;
using System.Reflection;
using Dsl.Generator.Layers;
using Dsl.Generator.Parsing;
using Dsl.Generator.Shapes;
using Dsl.Generator.Shapes.Symbolic;
using Dsl.Generator.Tests.Infrastructure;
using Xunit;
using static Dsl.Generator.Tests.DiagnosticChecks;

namespace Dsl.Generator.Tests;

/// <summary>
/// A layer kind is one definition: every layer attribute has exactly one, every definition has its attribute,
/// defaults live on the attribute alone, and a layer attribute without a definition is an error, never dropped.
/// </summary>
public class LayerRegistryTests
{
    /// <summary>The layer attributes of Dsl.Attributes, by metadata name (<c>Conv2dAttribute</c>, <c>ModuleAttribute`1</c>); [Use&lt;T&gt;] is a block, not a kind.</summary>
    private static IEnumerable<Type> LayerAttributes(Assembly assembly) =>
        assembly.GetTypes().Where(t => !t.IsAbstract && typeof(LayerAttribute).IsAssignableFrom(t) && t != typeof(UseAttribute<>));

    /// <summary>What is missing on either side; empty when attributes and definitions match one to one.</summary>
    public static List<string> Mismatches(IEnumerable<Type> attributes, IEnumerable<LayerDefinition> definitions)
    {
        var names = attributes.Select(t => t.Name).ToList();
        var defined = definitions.Select(d => d.AttributeName).ToList();
        return names.Except(defined).Select(n => $"the attribute {n} has no layer definition")
            .Concat(defined.Except(names).Select(n => $"the definition of {n} has no attribute"))
            .Concat(defined.GroupBy(n => n).Where(g => g.Count() > 1).Select(g => $"{g.Key} has {g.Count()} definitions"))
            .ToList();
    }

    [Fact]
    public void Every_layer_attribute_has_one_definition_and_every_definition_an_attribute()
    {
        Assert.Empty(Mismatches(LayerAttributes(typeof(ModelAttribute).Assembly), LayerRegistry.All));
        Assert.True(LayerRegistry.All.Count >= 31, "every kind of the contract is registered");
    }

    /// <summary>The completeness check above can fail: an attribute without a definition, and a definition without an attribute.</summary>
    [Fact]
    public void The_completeness_check_fails_for_an_attribute_without_a_definition()
    {
        var attributes = LayerAttributes(typeof(ModelAttribute).Assembly).Append(typeof(Conv3dAttribute)).ToList();

        Assert.Equal(["the attribute Conv3dAttribute has no layer definition"], Mismatches(attributes, LayerRegistry.All));
        Assert.Equal(["the definition of Conv2dAttribute has no attribute"],
            Mismatches(attributes.Where(a => a != typeof(Conv2dAttribute) && a != typeof(Conv3dAttribute)), LayerRegistry.All));
    }

    /// <summary>Only a stand-in for the test above: a layer attribute the generator has no definition for.</summary>
    private sealed class Conv3dAttribute : LayerAttribute
    {
    }

    [Fact]
    public void A_layer_attribute_without_a_definition_is_an_error_not_a_dropped_layer()
    {
        var run = GeneratorHarness.Run(Prelude + """
            [Model(8, 8, 8)]
            [Conv3d]                                         // DSL000
            public partial class Volume { }
            """, """
            namespace Dsl
            {
                [System.AttributeUsage(System.AttributeTargets.Class, AllowMultiple = true)]
                public sealed class Conv3dAttribute : LayerAttribute { }
            }
            """, ValidModel);

        var diagnostic = Assert.Single(run.GeneratorDiagnostics, d => d.Id == "DSL000");
        AssertAt(run, diagnostic, "// DSL000");
        Assert.Contains("the layer attribute 'Conv3dAttribute' has no layer definition in the generator", Message(diagnostic), StringComparison.Ordinal);
        Assert.DoesNotContain(BuiltModels(run), m => m.Contains("Volume", StringComparison.Ordinal));
    }

    public static TheoryData<string> Kinds => new(LayerRegistry.All.Select(d => d.Kind));

    /// <summary>
    /// Defaults are read from the attribute's own declaration: every settable property carries a [DefaultValue]
    /// equal to what a fresh attribute holds (reference-typed ones default to null), so the generator's reading and the
    /// C# initialisers can never disagree.
    /// </summary>
    [Theory]
    [MemberData(nameof(Kinds))]
    public void Every_settable_argument_declares_its_default_and_it_matches_the_initialiser(string kind)
    {
        var type = AttributeType(kind);
        var constructor = type.GetConstructors().OrderBy(c => c.GetParameters().Length).First();
        var instance = constructor.Invoke(constructor.GetParameters().Select(p => p.HasDefaultValue ? p.DefaultValue : Activator.CreateInstance(p.ParameterType)).ToArray());
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.SetMethod is { IsPublic: true } && p.Name != "Name"))
        {
            var declared = property.GetCustomAttribute<DefaultValueAttribute>();
            if (!property.PropertyType.IsValueType)
            {
                Assert.Null(property.GetValue(instance));
                continue;
            }

            Assert.True(declared is not null, $"{type.Name}.{property.Name} has no [DefaultValue]");
            Assert.Equal(Convert.ToDouble(declared!.Value), Convert.ToDouble(property.GetValue(instance)));
        }
    }

    /// <summary>
    /// Every definition reads only arguments its attribute declares (LayerArguments throws otherwise) and answers every
    /// layout with a shape or a diagnostic, never an exception.
    /// </summary>
    [Theory]
    [MemberData(nameof(Kinds))]
    public void Every_definition_answers_every_layout_with_a_shape_or_a_diagnostic(string kind)
    {
        var definition = LayerRegistry.ForKind(kind);
        var layer = TestLayers.Declare(kind, ("OutChannels", 4), ("OutFeatures", 4), ("KernelSize", 1), ("Scale", 2), ("Heads", 2),
            ("VocabularySize", 10), ("Dim", 4), ("MaxLength", 64), ("Groups", 2), ("Height", 1), ("Width", 1), ("Length", 1), ("P", 0.5));
        Assert.Empty(definition.Validate(new LayerArguments(layer), "layer"));
        var domain = DimDomain.Empty;
        var inputs = new[]
        {
            new Shape(Layout.Vector, Dim.Of(8)),
            new Shape(Layout.Sequence, Dim.Of(6), Dim.Of(8)),
            new Shape(Layout.Signal, Dim.Of(8), Dim.Of(6)),
            new Shape(Layout.Image, Dim.Of(8), Dim.Of(6), Dim.Of(6)),
            new Shape(Layout.Signal, Dim.Of(8), domain.Named("L")),
            new Shape(Layout.Image, Dim.Of(8), domain.Named("H"), domain.Named("W")),
        };
        foreach (var input in inputs)
        {
            var result = TestLayers.Infer(layer, input, domain);
            Assert.True(result.Error is not null ^ result.Output is not null, $"{kind} on {input.Describe()}: a shape or a diagnostic, not both");
        }
    }

    /// <summary>
    /// Every kind emits PyTorch beside TorchSharp: a forward expression of its input, and a module exactly where the
    /// TorchSharp side has one (so both state_dicts have the same keys); a user's [Module&lt;T&gt;] becomes a placeholder that says why.
    /// </summary>
    [Theory]
    [MemberData(nameof(Kinds))]
    public void Every_definition_emits_PyTorch_with_a_module_where_TorchSharp_has_one(string kind)
    {
        var definition = LayerRegistry.ForKind(kind);
        var declared = TestLayers.Declare(kind, ("OutChannels", 4), ("OutFeatures", 4), ("KernelSize", 1), ("Scale", 2), ("Heads", 2),
            ("VocabularySize", 10), ("Dim", 4), ("MaxLength", 64), ("Groups", 2), ("Height", 1), ("Width", 1), ("Length", 1), ("P", 0.5));
        var layer = declared with { TypeArgument = new TypeArgumentInfo("Demo.UserBlock", "UserBlock", true, true, false) };
        var domain = DimDomain.Empty;
        var inputs = new[]
        {
            new Shape(Layout.Vector, Dim.Of(8)),
            new Shape(Layout.Sequence, Dim.Of(6), Dim.Of(8)),
            new Shape(Layout.Signal, Dim.Of(8), Dim.Of(6)),
            new Shape(Layout.Image, Dim.Of(8), Dim.Of(6), Dim.Of(6)),
        };
        var emitted = 0;
        foreach (var input in inputs)
        {
            var result = TestLayers.Infer(layer, input, domain);
            if (result.Output is null)
            {
                continue;
            }

            var instance = new LayerInstance("layer", layer, input, result, nullable: true);
            var forward = definition.PyTorchForward(instance, "x");
            Assert.Contains("x", forward, StringComparison.Ordinal);
            Assert.DoesNotContain("global::", forward, StringComparison.Ordinal);
            Assert.Equal(definition.TorchSharpModule(instance) is null, definition.PyTorchModule(instance) is null);
            Assert.All(definition.PyTorchHelpers(instance), h => Assert.Contains(h.Name, h.Code, StringComparison.Ordinal));
            emitted++;
        }

        Assert.True(emitted > 0, $"{kind} accepted none of the test inputs");
        if (kind == "Module")
        {
            var instance = new LayerInstance("layer", layer, inputs[3], TestLayers.Infer(layer, inputs[3], domain), nullable: true);
            Assert.Contains("NotImplementedError", Assert.Single(definition.PyTorchHelpers(instance)).Code, StringComparison.Ordinal);
        }
    }

    /// <summary>
    /// Every definition has an ONNX form for every input it accepts (nodes added, an output named), except a user's
    /// module, which has none and says so in one line naming the layer.
    /// </summary>
    [Theory]
    [MemberData(nameof(Kinds))]
    public void Every_definition_exports_to_onnx_where_it_accepts_its_input(string kind)
    {
        var definition = LayerRegistry.ForKind(kind);
        var layer = TestLayers.Declare(kind, ("OutChannels", 4), ("OutFeatures", 4), ("KernelSize", 1), ("Scale", 2), ("Heads", 2),
            ("VocabularySize", 10), ("Dim", 4), ("MaxLength", 64), ("Groups", 2), ("Height", 1), ("Width", 1), ("Length", 1), ("P", 0.5));
        var domain = DimDomain.Empty;
        var inputs = new[]
        {
            new Shape(Layout.Vector, Dim.Of(8)),
            new Shape(Layout.Sequence, Dim.Of(6), Dim.Of(8)),
            new Shape(Layout.Signal, Dim.Of(8), Dim.Of(6)),
            new Shape(Layout.Image, Dim.Of(8), Dim.Of(6), Dim.Of(6)),
            new Shape(Layout.Signal, Dim.Of(8), domain.Named("L")),
            new Shape(Layout.Image, Dim.Of(8), domain.Named("H"), domain.Named("W")),
        };
        if (definition is ModuleLayer)
        {
            var instance = new LayerInstance("mine", layer, inputs[3], LayerResult.Unknown(inputs[3], 8, 8), nullable: true);
            var refused = Assert.Throws<OnnxNotExportableException>(() => definition.Onnx(instance, new OnnxBuilder { Prefix = "stage1." }, "input"));
            Assert.StartsWith("layer 'stage1.mine' is a [Module<", refused.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("\n", refused.Message, StringComparison.Ordinal);
            return;
        }

        var exported = 0;
        foreach (var input in inputs)
        {
            var result = TestLayers.Infer(layer, input, domain);
            if (result.Output is null)
            {
                continue;
            }

            var g = new OnnxBuilder();
            g.Reserve("input");
            var output = definition.Onnx(new LayerInstance("layer", layer, input, result, nullable: true), g, "input");
            Assert.StartsWith("layer", output, StringComparison.Ordinal);
            Assert.Contains(g.Lines, l => l.StartsWith("g.Node(", StringComparison.Ordinal) && l.Contains($"new[] {{ \"{output}\" }}", StringComparison.Ordinal));
            exported++;
        }

        Assert.True(exported > 0, $"{kind} accepted none of the test inputs");
    }

    [Fact]
    public void Default_layer_names_come_from_the_definitions()
    {
        Assert.All(LayerRegistry.All, d => Assert.Matches("^[a-z]+$", d.NamePrefix));
        Assert.Equal("conv", LayerRegistry.ForKind("Conv1d").NamePrefix);
        Assert.Equal("bn", LayerRegistry.ForKind("BatchNorm1d").NamePrefix);
    }

    private static Type AttributeType(string kind)
    {
        var name = LayerRegistry.ForKind(kind).AttributeName;
        return typeof(ModelAttribute).Assembly.GetTypes().Single(t => t.Name == name) is { IsGenericTypeDefinition: true } open
            ? open.MakeGenericType(typeof(object))
            : typeof(ModelAttribute).Assembly.GetTypes().Single(t => t.Name == name);
    }
}
