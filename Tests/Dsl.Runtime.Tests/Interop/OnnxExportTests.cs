using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Dsl.Runtime.Interop;
using Microsoft.ML.OnnxRuntime;
using TorchSharp;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Dsl.Runtime.Tests;

/// <summary>
/// <c>export onnx</c>: every model of the Examples catalogue and of this project's layer-kind and skip models, exported
/// and run by ONNX Runtime, gives TorchSharp's evaluation-mode output (at two input sizes where the model has named
/// dimensions); every file passes <c>onnx.checker.check_model</c>; named dimensions are symbolic.
/// </summary>
public sealed class OnnxExportTests
{
    private const double RelativeTolerance = 1e-5;
    // float32 rounding: the examples' largest differences are 7e-7 to 9.5e-7, and 1.3e-6 for the 12-block Transformer
    // without residual adds (SortNoSkip12), whose stacked LayerNorms amplify it; a wrong export differs by far more.
    private const double AbsoluteTolerance = 2e-6;

    private readonly ITestOutputHelper _output;

    public OnnxExportTests(ITestOutputHelper output) => _output = output;

    private static IReadOnlyList<ModelCatalogEntry> TestModels { get; } =
        DslApp.CatalogOf(typeof(Dsl.Runtime.Tests.Models.LayerKinds.Conv1dStrided).Assembly)!;

    public static TheoryData<string> ExampleNames() => new(Examples.Catalogue.Select(e => e.Name));

    /// <summary>This project's models that have an ONNX form (user modules and some adaptive pools have none).</summary>
    public static TheoryData<string> ExportableTestModels() => new(TestModels.Where(Exportable).Select(e => e.Name));

    private static bool Exportable(ModelCatalogEntry e)
    {
        try
        {
            e.OnnxGraph!();
            return true;
        }
        catch (NotSupportedException)
        {
            return false;
        }
    }

    [Theory]
    [MemberData(nameof(ExampleNames))]
    public void An_example_model_runs_in_onnx_runtime_as_in_torchsharp(string name) => AssertSameOutputs(Examples.Find(name));

    [Theory]
    [MemberData(nameof(ExportableTestModels))]
    public void A_layer_kind_or_skip_model_runs_in_onnx_runtime_as_in_torchsharp(string name) =>
        AssertSameOutputs(TestModels.Single(e => e.Name == name));

    [Fact]
    public void Every_example_model_and_most_test_models_are_exportable()
    {
        Assert.All(Examples.Catalogue, e => Assert.True(Exportable(e), e.Name));

        // The ones that are not say which layer and why, in one line.
        var refused = TestModels.Where(e => !Exportable(e)).ToDictionary(e => e.Name, e => Assert.Throws<NotSupportedException>(() => e.OnnxGraph!()).Message);
        Assert.Equal(new[] { "AdaptivePool1dNet", "AdaptivePool2dNet", "RepeatedModuleNet", "WithChannelsModule", "WithParameterlessModule", "WithShapedModule", "WithWrongModule" },
            refused.Keys.OrderBy(k => k, StringComparer.Ordinal));
        Assert.Contains("layer 'scale' is a [Module<ChannelScale>]", refused["WithChannelsModule"], StringComparison.Ordinal);
        Assert.StartsWith("RepeatedModuleNet cannot be exported to ONNX: layer 'stage.0.scale' is a [Module<ChannelScale>]", refused["RepeatedModuleNet"], StringComparison.Ordinal);
        Assert.Contains("has no ONNX form", refused["AdaptivePool2dNet"], StringComparison.Ordinal);
        Assert.All(refused.Values, m => Assert.DoesNotContain("\n", m, StringComparison.Ordinal));
    }

    [Fact]
    public void A_repeated_block_is_written_once_and_its_graph_holds_every_repetition()
    {
        // ResNet-56: 27 uses of five block classes, 55 convolutions besides the two projections. Every use's layers are in the graph under its state_dict prefix, and
        // the graph reads exactly the model's parameters and buffers.
        var graph = Examples.Find("ResNet56").OnnxGraph!();
        Assert.Equal(55, graph.Nodes.Count(n => n.Op == "Conv" && !n.Outputs[0].EndsWith("_conv", StringComparison.Ordinal)));
        Assert.Contains(graph.Nodes, n => n.Op == "Add" && n.Outputs[0] == "stage3.7.bn2_merged" && n.Inputs.SequenceEqual(new[] { "stage3.7.bn2", "stage3.6.relu2" }));
        Assert.Equal(graph.Nodes.Count, graph.Nodes.Select(n => n.Outputs[0]).Distinct().Count());
        using var model = (nn.Module<Tensor, Tensor>)Examples.Find("ResNet56").Create();
        var keys = model.state_dict().Keys.Where(k => !k.EndsWith("num_batches_tracked", StringComparison.Ordinal)).OrderBy(k => k, StringComparer.Ordinal);
        Assert.Equal(keys, graph.Weights.OrderBy(k => k, StringComparer.Ordinal));
        Assert.Equal(graph.Constants.Count, graph.Constants.Select(c => c.Name).Distinct().Count());
    }

    [Fact]
    public void A_constant_added_again_is_one_constant_and_a_different_one_under_its_name_is_refused()
    {
        var graph = new OnnxGraphDescription("g").Int64s("const_0", 1, 2).Floats("const_1", 0.5f).Int64s("const_0", 1, 2).Floats("const_1", 0.5f);
        Assert.Equal(new[] { "const_0", "const_1" }, graph.Constants.Select(c => c.Name));
        Assert.Throws<ArgumentException>(() => graph.Int64s("const_0", 1, 3));
        Assert.Throws<ArgumentException>(() => graph.Int64Scalar("const_0", 1));
        Assert.Throws<ArgumentException>(() => graph.Floats("const_1", 0.25f));
    }

    [Fact]
    public void Named_dimensions_are_symbolic_in_the_exported_input()
    {
        foreach (var entry in Examples.Catalogue)
        {
            using var scope = NewDisposeScope();
            using var model = (nn.Module<Tensor, Tensor>)entry.Create();
            using var session = new InferenceSession(OnnxExport.ToBytes(OnnxExport.GraphOf(entry), model));
            var input = session.InputMetadata["input"];
            Assert.Equal("N", input.SymbolicDimensions[0]);
            for (var i = 0; i < entry.InputShape.Length; i++)
            {
                if (entry.InputShape[i] < 0)
                {
                    Assert.NotEmpty(input.SymbolicDimensions[i + 1]);
                    Assert.Equal(-1, input.Dimensions[i + 1]);
                }
                else
                {
                    Assert.Equal(entry.InputShape[i], input.Dimensions[i + 1]);
                }
            }
        }
    }

    [Fact]
    public void Every_exported_file_passes_the_onnx_checker()
    {
        if (!Python.Available(_output.WriteLine))
        {
            return;
        }

        using var temp = new TempDirectory();
        var files = new List<string>();
        foreach (var entry in Examples.Catalogue.Concat(TestModels.Where(Exportable)))
        {
            using var scope = NewDisposeScope();
            using var model = (nn.Module<Tensor, Tensor>)entry.Create();
            var path = temp.File(entry.Name + ".onnx");
            OnnxExport.Write(OnnxExport.GraphOf(entry), model, path);
            files.Add(path);
        }

        var script = temp.File("check.py");
        File.WriteAllText(script, """
            import sys, onnx
            for path in sys.argv[1:]:
                model = onnx.load(path)
                onnx.checker.check_model(model)
                assert model.opset_import[0].version == 17, path
                dims = [d.dim_param or d.dim_value for d in model.graph.input[0].type.tensor_type.shape.dim]
                print(path.rsplit('/', 1)[-1], dims)
            print("checked", len(sys.argv) - 1)
            """);
        var output = Python.Run(script, files);
        _output.WriteLine(output);
        Assert.Contains($"checked {files.Count}", output, StringComparison.Ordinal);
        Assert.Contains("UNetOddSizes.onnx ['N', 1, 'H', 'W']", output, StringComparison.Ordinal);
    }

    [Fact]
    public void The_cli_writes_an_onnx_file_and_refuses_a_model_without_an_onnx_form()
    {
        using var temp = new TempDirectory();
        var path = temp.File("tiny.onnx");
        var console = Spectre.Console.AnsiConsole.Create(new Spectre.Console.AnsiConsoleSettings
        {
            Ansi = Spectre.Console.AnsiSupport.No,
            Interactive = Spectre.Console.InteractionSupport.No,
            Out = new Spectre.Console.AnsiConsoleOutput(new StringWriter()),
        });
        var error = new StringWriter();
        Assert.Equal(0, DslApp.Run(new[] { "export", "onnx", "TinyResNet", "--out", path }, Examples.Catalogue, console, error));
        Assert.True(new FileInfo(path).Length > 0);

        error = new StringWriter();
        Assert.Equal(1, DslApp.Run(new[] { "export", "onnx", "WithChannelsModule", "--out", temp.File("m.onnx") }, TestModels, console, error));
        Assert.StartsWith("error: WithChannelsModule cannot be exported to ONNX: layer 'scale' is a [Module<ChannelScale>]", error.ToString(), StringComparison.Ordinal);
        Assert.Single(error.ToString().TrimEnd().Split('\n'));

        error = new StringWriter();
        Assert.Equal(2, DslApp.Run(new[] { "export", "onnx", "TinyResNet" }, Examples.Catalogue, console, error));
        Assert.Contains("--out", error.ToString(), StringComparison.Ordinal);
    }

    private void AssertSameOutputs(ModelCatalogEntry entry)
    {
        using var scope = NewDisposeScope();
        manual_seed(11);
        using var model = (nn.Module<Tensor, Tensor>)entry.Create();
        Perturb(model);
        model.eval();
        using var session = new InferenceSession(OnnxExport.ToBytes(OnnxExport.GraphOf(entry), model));
        var sizes = new List<long[]> { entry.ExampleShape };
        if (entry.InputShape.Any(d => d < 0))
        {
            sizes.Add(SecondShape(entry));
        }

        foreach (var example in sizes)
        {
            var shape = new long[] { 2 }.Concat(example).ToArray();
            var x = entry.TakesTokenIds ? randint(0, Dsl.Runtime.App.ModelFacts.Vocabulary(model), shape) : randn(shape);
            Tensor expected;
            using (no_grad())
            {
                expected = model.call(x).contiguous();
            }

            var dims = shape.Select(d => (int)d).ToArray();
            var input = entry.TakesTokenIds
                ? NamedOnnxValue.CreateFromTensor("input", new Microsoft.ML.OnnxRuntime.Tensors.DenseTensor<long>(x.data<long>().ToArray(), dims))
                : NamedOnnxValue.CreateFromTensor("input", new Microsoft.ML.OnnxRuntime.Tensors.DenseTensor<float>(x.data<float>().ToArray(), dims));
            using var results = session.Run(new[] { input });
            var actual = results.Single().AsTensor<float>();
            Assert.Equal(expected.shape, actual.Dimensions.ToArray().Select(d => (long)d).ToArray());
            var want = expected.data<float>().ToArray();
            var got = actual.ToArray();
            double worst = 0, worstRelative = 0;
            for (var i = 0; i < want.Length; i++)
            {
                var difference = Math.Abs(got[i] - (double)want[i]);
                worst = Math.Max(worst, difference);
                worstRelative = Math.Max(worstRelative, difference / Math.Max(Math.Abs(want[i]), 1e-30));
                Assert.True(difference <= AbsoluteTolerance + (RelativeTolerance * Math.Abs(want[i])),
                    $"{entry.Name} at [{string.Join(", ", shape)}], element {i}: ONNX Runtime {got[i]:R}, TorchSharp {want[i]:R}");
            }

            _output.WriteLine($"{entry.Name} [{string.Join(", ", shape)}]: max |Δ| {worst:E2}, max relative {worstRelative:E2}");
        }
    }

    /// <summary>
    /// Fresh running statistics are 0 and 1 and several parameters start constant (norm affines, ReZero's α = 0,
    /// LayerScale's γ, gate biases): moved off those values, so BatchNorm's inference form and every scale are exercised.
    /// </summary>
    private static void Perturb(nn.Module model)
    {
        using var _ = no_grad();
        foreach (var (key, value) in model.state_dict())
        {
            if (!value.is_floating_point())
            {
                continue;
            }

            if (key.EndsWith("running_mean", StringComparison.Ordinal))
            {
                value.copy_(randn_like(value) * 0.1);
            }
            else if (key.EndsWith("running_var", StringComparison.Ordinal))
            {
                value.copy_(rand_like(value) + 0.5);
            }
            else if (value.numel() > 0 && value.min().item<float>() == value.max().item<float>())
            {
                value.add_((rand_like(value) * 0.2) + 0.1);
            }
        }
    }

    /// <summary>Another allowed input shape: every named dimension at the first candidate the model accepts other than the example's value.</summary>
    private static long[] SecondShape(ModelCatalogEntry entry)
    {
        foreach (var candidate in new long[] { 21, 24, 16, 12, 40, 48, 10, 8, 6, 4 })
        {
            var shape = entry.InputShape.Select((d, i) => d < 0 ? candidate : d).ToArray();
            if (shape.SequenceEqual(entry.ExampleShape))
            {
                continue;
            }

            try
            {
                entry.OutputShapeFor(shape);
                return shape;
            }
            catch (ArgumentException)
            {
            }
        }

        throw new InvalidOperationException($"no second input size for {entry.Name}");
    }
}
