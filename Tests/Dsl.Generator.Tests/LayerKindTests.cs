using System;
using System.Linq;
using Dsl.Generator.Tests.Infrastructure;
using Xunit;
using Xunit.Sdk;

namespace Dsl.Generator.Tests;

/// <summary>
/// One tiny model per layer kind, run through the generator: no diagnostics at all (the generated code compiles
/// cleanly against TorchSharp), the TorchSharp constructor call, the forward line with its shape comment, the output
/// shape and the parameter count. Parameter counts are PyTorch's, written out by hand:
/// Conv2d out·(in/groups)·k² (+ out), ConvTranspose2d in·out·k² (+ out), Linear in·out (+ out), BatchNorm2d and
/// LayerNorm 2C, Embedding V·D, MultiheadAttention 4D² + 4D, projections a bias-free 1×1 conv + BatchNorm2d
/// (images) or a bias-free linear map.
/// </summary>
public class LayerKindTests
{
    private const string Nn = "global::TorchSharp.torch.nn.";
    private const string F = "global::TorchSharp.torch.nn.functional.";

    // ---- Conv2d ----

    [Theory]
    [InlineData("[Conv2d(8, 3)]", "3, 32, 32", "Conv2d(3, 8, 3)", "8, 30, 30", (8 * 3 * 3 * 3) + 8)]
    [InlineData("[Conv2d(8, 3, Stride = 2, Padding = 1)]", "3, 28, 28", "Conv2d(3, 8, 3, stride: 2, padding: 1)", "8, 14, 14", (8 * 3 * 3 * 3) + 8)]
    [InlineData("[Conv2d(4, 5, Dilation = 2)]", "1, 28, 28", "Conv2d(1, 4, 5, dilation: 2)", "4, 20, 20", (4 * 1 * 5 * 5) + 4)]
    [InlineData("[Conv2d(8, 3, Padding = 1, Groups = 4)]", "4, 8, 8", "Conv2d(4, 8, 3, padding: 1, groups: 4)", "8, 8, 8", (8 * (4 / 4) * 3 * 3) + 8)]
    [InlineData("[Conv2d(8, 1, Bias = false)]", "3, 5, 5", "Conv2d(3, 8, 1, bias: false)", "8, 5, 5", 8 * 3 * 1 * 1)]
    [InlineData(
        "[Conv2d(6, 3, Stride = 2, Padding = 2, Dilation = 2, Groups = 3, Bias = false)]", "3, 9, 9",
        "Conv2d(3, 6, 3, stride: 2, padding: 2, dilation: 2, groups: 3, bias: false)", "6, 5, 5", 6 * (3 / 3) * 3 * 3)]
    [InlineData("[Conv2d(8, 3, Stride = 1, Padding = 0, Dilation = 1, Groups = 1, Bias = true)]", "2, 4, 4", "Conv2d(2, 8, 3)", "8, 2, 2", (8 * 2 * 3 * 3) + 8)]
    public void Conv2d(string layer, string input, string construction, string output, int parameters)
    {
        var source = Generate(layer, input);

        AssertConstruction(source, "conv1", "Conv2d", Nn + construction);
        AssertForward(source, "var conv1 = this.conv1.call(input);", Shape(output));
        AssertFacts(source, output, parameters);
    }

    // ---- ConvTranspose2d ----

    [Theory]
    [InlineData("[ConvTranspose2d(8, 4, Stride = 2, Padding = 1)]", "16, 7, 7", "ConvTranspose2d(16, 8, 4, stride: 2, padding: 1)", "8, 14, 14", (16 * 8 * 4 * 4) + 8)]
    [InlineData(
        "[ConvTranspose2d(4, 3, Stride = 2, Padding = 1, OutputPadding = 1)]", "8, 7, 7",
        "ConvTranspose2d(8, 4, 3, stride: 2, padding: 1, output_padding: 1)", "4, 14, 14", (8 * 4 * 3 * 3) + 4)]
    [InlineData("[ConvTranspose2d(4, 2, Stride = 2, Bias = false)]", "8, 14, 14", "ConvTranspose2d(8, 4, 2, stride: 2, bias: false)", "4, 28, 28", 8 * 4 * 2 * 2)]
    [InlineData("[ConvTranspose2d(2, 3, Dilation = 2)]", "4, 5, 5", "ConvTranspose2d(4, 2, 3, dilation: 2)", "2, 9, 9", (4 * 2 * 3 * 3) + 2)]
    [InlineData("[ConvTranspose2d(3, 4)]", "1, 1, 1", "ConvTranspose2d(1, 3, 4)", "3, 4, 4", (1 * 3 * 4 * 4) + 3)]
    public void ConvTranspose2d(string layer, string input, string construction, string output, int parameters)
    {
        var source = Generate(layer, input);

        AssertConstruction(source, "deconv1", "ConvTranspose2d", Nn + construction);
        AssertForward(source, "var deconv1 = this.deconv1.call(input);", Shape(output));
        AssertFacts(source, output, parameters);
    }

    // ---- Linear ----

    [Theory]
    [InlineData("[Linear(10)]", "20", "Linear(20, 10)", "10", (20 * 10) + 10)]
    [InlineData("[Linear(10, Bias = false)]", "20", "Linear(20, 10, hasBias: false)", "10", 20 * 10)]
    [InlineData("[Linear(8)]", "6, 20", "Linear(20, 8)", "6, 8", (20 * 8) + 8)] // [N, T, F]: the last dimension only
    [InlineData("[Linear(8, Bias = false)]", "6, 20", "Linear(20, 8, hasBias: false)", "6, 8", 20 * 8)]
    public void Linear(string layer, string input, string construction, string output, int parameters)
    {
        var source = Generate(layer, input);

        AssertConstruction(source, "fc1", "Linear", Nn + construction);
        AssertForward(source, "var fc1 = this.fc1.call(input);", Shape(output));
        AssertFacts(source, output, parameters);
    }

    // ---- Normalisation ----

    [Fact]
    public void BatchNorm2d()
    {
        var source = Generate("[BatchNorm2d]", "4, 6, 6");

        AssertConstruction(source, "bn1", "BatchNorm2d", Nn + "BatchNorm2d(4)");
        AssertForward(source, "var bn1 = this.bn1.call(input);", "[N, 4, 6, 6]");
        AssertFacts(source, "4, 6, 6", 2 * 4);
    }

    [Theory]
    [InlineData("12", "[N, 12]")]
    [InlineData("5, 12", "[N, 5, 12]")]
    public void LayerNorm(string input, string shape)
    {
        var source = Generate("[LayerNorm]", input);

        AssertConstruction(source, "ln1", "LayerNorm", Nn + "LayerNorm(12)");
        AssertForward(source, "var ln1 = this.ln1.call(input);", shape);
        AssertFacts(source, input, 2 * 12);
    }

    // ---- Element-wise ----

    [Theory]
    [InlineData("[ReLU]", "var relu1 = " + F + "relu(input);")]
    [InlineData("[GELU]", "var gelu1 = " + F + "gelu(input);")]
    [InlineData("[Sigmoid]", "var sigmoid1 = global::TorchSharp.torch.sigmoid(input);")]
    [InlineData("[Tanh]", "var tanh1 = global::TorchSharp.torch.tanh(input);")]
    public void Activation(string layer, string statement)
    {
        var source = Generate(layer, "3, 4, 4");

        AssertForward(source, statement, "[N, 3, 4, 4]");
        AssertFacts(source, "3, 4, 4", 0);
        Assert.DoesNotContain("private readonly", source, StringComparison.Ordinal); // stateless: no module field
    }

    [Theory]
    [InlineData("[Dropout(0.25)]", "Dropout(0.25)")]
    [InlineData("[Dropout]", "Dropout(0.5)")]
    [InlineData("[Dropout(0)]", "Dropout(0.0)")]
    public void Dropout(string layer, string construction)
    {
        var source = Generate(layer, "10");

        // A module, not a functional call, so that train() and eval() switch it.
        AssertConstruction(source, "dropout1", "Dropout", Nn + construction);
        AssertForward(source, "var dropout1 = this.dropout1.call(input);", "[N, 10]");
        AssertFacts(source, "10", 0);
    }

    // ---- Pooling and resizing ----

    [Theory]
    [InlineData("[MaxPool2d(3, Stride = 2, Padding = 1)]", "2, 7, 7", "max_pool2d(input, 3, stride: 2, padding: 1)", "2, 4, 4")]
    [InlineData("[MaxPool2d(2)]", "2, 7, 7", "max_pool2d(input, 2)", "2, 3, 3")] // default stride = kernel; floor
    [InlineData("[MaxPool2d(2, Stride = 1)]", "2, 7, 7", "max_pool2d(input, 2, stride: 1)", "2, 6, 6")]
    public void MaxPool2d(string layer, string input, string call, string output)
    {
        var source = Generate(layer, input);

        AssertForward(source, "var maxpool1 = " + F + call + ";", Shape(output));
        AssertFacts(source, output, 0);
    }

    [Theory]
    [InlineData("[AvgPool2d(3)]", "2, 10, 10", "avg_pool2d(input, 3)", "2, 3, 3")] // default stride = kernel
    [InlineData("[AvgPool2d(2)]", "5, 8, 6", "avg_pool2d(input, 2)", "5, 4, 3")]
    [InlineData("[AvgPool2d(3, Stride = 1, Padding = 1)]", "2, 5, 5", "avg_pool2d(input, 3, stride: 1, padding: 1)", "2, 5, 5")]
    public void AvgPool2d(string layer, string input, string call, string output)
    {
        var source = Generate(layer, input);

        AssertForward(source, "var avgpool1 = " + F + call + ";", Shape(output));
        AssertFacts(source, output, 0);
    }

    [Fact]
    public void GlobalAvgPool()
    {
        var source = Generate("[GlobalAvgPool]", "8, 5, 5");

        AssertForward(source, "var globalpool1 = input.mean(new long[] { 2, 3 });", "[N, 8]");
        AssertFacts(source, "8", 0);
    }

    [Theory]
    [InlineData("3, 4, 5", "60")]
    [InlineData("6, 7", "42")]
    public void Flatten(string input, string output)
    {
        var source = Generate("[Flatten]", input);

        AssertForward(source, "var flatten1 = input.flatten(1);", Shape(output));
        AssertFacts(source, output, 0);
    }

    [Fact]
    public void Upsample()
    {
        var source = Generate("[Upsample(2)]", "3, 4, 5");

        AssertForward(
            source,
            "var up1 = " + F + "interpolate(input, scale_factor: new double[] { 2, 2 }, mode: global::TorchSharp.torch.InterpolationMode.Nearest);",
            "[N, 3, 8, 10]");
        AssertFacts(source, "3, 8, 10", 0);
    }

    // ---- Sequences ----

    [Fact]
    public void Embedding()
    {
        var source = Generate("[Embedding(50, 16)]", "7");

        AssertConstruction(source, "embed1", "Embedding", Nn + "Embedding(50, 16)");
        AssertForward(source, "var embed1 = this.embed1.call(input);", "[N, 7, 16]");
        AssertFacts(source, "7, 16", 50 * 16);
    }

    [Theory]
    [InlineData("[MultiHeadAttention(4)]", "new SelfAttention(16, 4, causal: false, dropout: 0.0)")]
    [InlineData("[MultiHeadAttention(2, Dropout = 0.1)]", "new SelfAttention(16, 2, causal: false, dropout: 0.1)")]
    [InlineData("[MultiHeadAttention(2, Causal = true)]", "new SelfAttention(16, 2, causal: true, dropout: 0.0)")]
    public void MultiHeadAttention(string layer, string construction)
    {
        var source = Generate(layer, "6, 16");

        AssertConstruction(source, "attn1", "SelfAttention", construction, fieldType: "SelfAttention");
        AssertForward(source, "var attn1 = this.attn1.call(input);", "[N, 6, 16]");
        // Batch-first attention through scaled_dot_product_attention: no [T, N, D] transposes, no attention weights.
        Assert.Contains("scaled_dot_product_attention(qkv[0], qkv[1], qkv[2], p: training ? _dropout : 0.0, is_casual: _causal)", source, StringComparison.Ordinal);
        Assert.DoesNotContain("need_weights", source, StringComparison.Ordinal);
        Assert.Contains("private readonly global::TorchSharp.Modules.Parameter in_proj_weight;", source, StringComparison.Ordinal);
        AssertFacts(source, "6, 16", (4 * 16 * 16) + (4 * 16));
    }

    // ---- 1-D layers over signals [N, C, L] ----

    [Theory]
    [InlineData("[Conv1d(8, 3)]", "3, 32", "Conv1d(3, 8, 3)", "8, 30", (8 * 3 * 3) + 8)]
    [InlineData("[Conv1d(8, 5, Stride = 2, Padding = 2, Dilation = 1, Groups = 1)]", "4, 31", "Conv1d(4, 8, 5, stride: 2, padding: 2)", "8, 16", (8 * 4 * 5) + 8)]
    [InlineData("[Conv1d(6, 3, Dilation = 2, Groups = 3, Bias = false)]", "3, 20", "Conv1d(3, 6, 3, dilation: 2, groups: 3, bias: false)", "6, 16", 6 * 1 * 3)]
    public void Conv1d(string layer, string input, string construction, string output, int parameters)
    {
        var source = Generate(layer, input);

        AssertConstruction(source, "conv1", "Conv1d", Nn + construction);
        AssertForward(source, "var conv1 = this.conv1.call(input);", Shape(output) + " (signal)");
        AssertFacts(source, output, parameters);
    }

    [Theory]
    [InlineData("[ConvTranspose1d(4, 4, Stride = 2, Padding = 1)]", "8, 10", "ConvTranspose1d(8, 4, 4, stride: 2, padding: 1)", "4, 20", (8 * 4 * 4) + 4)]
    [InlineData("[ConvTranspose1d(2, 3, Stride = 2, Padding = 1, OutputPadding = 1, Bias = false)]", "4, 7", "ConvTranspose1d(4, 2, 3, stride: 2, padding: 1, output_padding: 1, bias: false)", "2, 14", 4 * 2 * 3)]
    public void ConvTranspose1d(string layer, string input, string construction, string output, int parameters)
    {
        var source = Generate(layer, input);

        AssertConstruction(source, "deconv1", "ConvTranspose1d", Nn + construction);
        AssertFacts(source, output, parameters);
    }

    [Theory]
    [InlineData("4, 9", "[N, 4, 9] (signal)")]
    [InlineData("4", "[N, 4]")]
    public void BatchNorm1d(string input, string shape)
    {
        var source = Generate("[BatchNorm1d]", input);

        AssertConstruction(source, "bn1", "BatchNorm1d", Nn + "BatchNorm1d(4)");
        AssertForward(source, "var bn1 = this.bn1.call(input);", shape);
        AssertFacts(source, input, 2 * 4);
    }

    [Theory]
    [InlineData("[MaxPool1d(2)]", "max_pool1d(input, 2)", "3, 4")]
    [InlineData("[MaxPool1d(3, Stride = 2, Padding = 1)]", "max_pool1d(input, 3, stride: 2, padding: 1)", "3, 5")]
    [InlineData("[AvgPool1d(4)]", "avg_pool1d(input, 4)", "3, 2")]
    public void Pool1d(string layer, string call, string output)
    {
        var source = Generate("[Conv1d(3, 1)]\n" + layer, "3, 9");

        Assert.Contains(F + call.Replace("input", "conv1", StringComparison.Ordinal), source, StringComparison.Ordinal);
        AssertFacts(source, output, (3 * 3) + 3);
    }

    [Theory]
    [InlineData("8, 5, 5", "[N, 8, 5, 5]")]
    [InlineData("8, 7", "[N, 8, 7] (signal)")]
    public void GroupNorm(string input, string shape)
    {
        var source = Generate("[GroupNorm(4)]", input);

        AssertConstruction(source, "gn1", "GroupNorm", "WithAffineIdentity(" + Nn + "GroupNorm(4, 8))");
        Assert.Contains("init.ones_(norm.weight!);", source, StringComparison.Ordinal);
        AssertForward(source, "var gn1 = this.gn1.call(input);", shape);
        AssertFacts(source, input, 2 * 8);
    }

    [Theory]
    [InlineData("[SiLU]", "var silu1 = " + F + "silu(input);")]
    [InlineData("[LeakyReLU(0.2)]", "var leakyrelu1 = " + F + "leaky_relu(input, 0.2);")]
    [InlineData("[LeakyReLU]", "var leakyrelu1 = " + F + "leaky_relu(input, 0.01);")]
    [InlineData("[Softmax]", "var softmax1 = " + F + "softmax(input, -1);")]
    public void New_activations(string layer, string statement)
    {
        var source = Generate(layer, "5, 7");

        AssertForward(source, statement, "[N, 5, 7]");
        AssertFacts(source, "5, 7", 0);
        Assert.DoesNotContain("private readonly", source, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[AdaptiveAvgPool2d(3, 2)]", "6, 17, 9", "adaptive_avg_pool2d(input, new long[] { 3, 2 })", "6, 3, 2")]
    [InlineData("[Conv1d(6, 1), AdaptiveAvgPool1d(5)]", "6, 23", "adaptive_avg_pool1d(conv1, 5)", "6, 5")]
    public void Adaptive_pools(string layer, string input, string call, string output)
    {
        var source = Generate(layer, input);

        Assert.Contains(F + call, source, StringComparison.Ordinal);
        Assert.Contains($"public static long[] OutputShape => new long[] {{ {output} }};", source, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[GlobalAvgPool]", "4, 6", "input.mean(new long[] { 1 })", "6")]                    // a sequence: mean over T
    [InlineData("[Conv1d(4, 1), GlobalAvgPool]", "3, 10", "conv1.mean(new long[] { 2 })", "4")]     // a signal: mean over L
    [InlineData("[GlobalAvgPool]", "3, 5, 5", "input.mean(new long[] { 2, 3 })", "3")]              // an image
    public void GlobalAvgPool_by_layout(string layer, string input, string expression, string output)
    {
        var source = Generate(layer, input);

        Assert.Contains("var globalpool1 = " + expression + ";", source, StringComparison.Ordinal);
        AssertFacts(source, output, layer.Contains("Conv1d", StringComparison.Ordinal) ? (4 * 3) + 4 : 0);
    }

    [Fact]
    public void Transpose_swaps_the_last_two_dimensions_and_the_layout()
    {
        var source = Generate("[Linear(8), Transpose, Conv1d(4, 3)]", "10, 6");

        AssertForward(source, "var transpose1 = fc1.transpose(1, 2);", "[N, 8, 10] (signal)");
        AssertFacts(source, "4, 8", ((6 * 8) + 8) + ((4 * 8 * 3) + 4));
    }

    [Fact]
    public void PositionalEmbedding()
    {
        var source = Generate("[Embedding(50, 16), PositionalEmbedding(12)]", "7");

        AssertConstruction(source, "pos1", "Embedding", Nn + "Embedding(12, 16)");
        AssertForward(source, "var pos1 = AddPositions(this.pos1, embed1);", "[N, 7, 16]");
        Assert.Contains("var rows = positions.weight!.narrow(0, 0, x.shape[1]);", source, StringComparison.Ordinal);
        AssertFacts(source, "7, 16", (50 * 16) + (12 * 16));
    }

    private const string UserModules = """
        using TorchSharp;

        namespace Sample;

        public sealed class Widen : torch.nn.Module<torch.Tensor, torch.Tensor>
        {
            private readonly TorchSharp.Modules.Linear fc;

            public Widen(long inFeatures) : base(nameof(Widen))
            {
                fc = torch.nn.Linear(inFeatures, 12);
                RegisterComponents();
            }

            public override torch.Tensor forward(torch.Tensor x) => fc.call(x);
        }

        public sealed class Identity : torch.nn.Module<torch.Tensor, torch.Tensor>
        {
            public Identity() : base(nameof(Identity)) { }

            public override torch.Tensor forward(torch.Tensor x) => x.alias();
        }
        """;

    [Theory]
    [InlineData("[Module<Widen>(Channels = 12)]", "new global::Sample.Widen(6L)", "global::Sample.Widen", "12")]
    [InlineData("[Module<Identity>]", "new global::Sample.Identity()", "global::Sample.Identity", "6")]
    [InlineData("[Module<Identity>(Shape = new object[] { 3, 2 })]", "new global::Sample.Identity()", "global::Sample.Identity", "3, 2")]
    public void Module(string layer, string construction, string type, string output)
    {
        var source = Generate(layer, "6", UserModules);

        AssertConstruction(source, "module1", "", construction, fieldType: type);
        Assert.Contains("private bool module1_checked;", source, StringComparison.Ordinal);
        Assert.Contains("var module1 = CheckedCall(this.module1, input, ref this.module1_checked, \"module1\", new long[] { " + output + " });", source, StringComparison.Ordinal);
        Assert.Contains($"public static long[] OutputShape => new long[] {{ {output} }};", source, StringComparison.Ordinal);
        Assert.Contains("Total parameters: 0 + unknown (in 1 user module)\n", source, StringComparison.Ordinal);
        Assert.Contains("Trainable parameters: 0 + unknown\n", source, StringComparison.Ordinal);
        Assert.Contains("Multiply-accumulates per example: 0 (without the user modules')\n", source, StringComparison.Ordinal);
        Assert.Contains("Parameter memory (float32): 0 bytes + unknown\n", source, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[Linear(Channels.Half)]", "8", "Linear(8, 4)")]
    [InlineData("[Linear(Channels.Quarter)]", "8", "Linear(8, 2)")]
    [InlineData("[Linear(Channels.Quadruple), Linear(Channels.Input)]", "8", "Linear(32, 8)")]
    public void Relative_widths_for_bottlenecks_and_MLPs(string layers, string input, string construction)
    {
        var source = Generate(layers, input);

        Assert.Contains(Nn + construction + ";", source, StringComparison.Ordinal);
    }

    // ---- Blocks ----

    private const string MlpBlock = """
        using Dsl;

        namespace Sample;

        [Block]
        [Linear(Channels.Same), ReLU]
        public partial class Mlp
        {
        }
        """;

    [Fact]
    public void Use_a_block_once()
    {
        var source = Generate("[Use<Mlp>]\n[Linear(2)]", "8", MlpBlock);

        AssertConstruction(source, "mlp1", "Mlp_8", "new Mlp_8()", fieldType: "Mlp_8");
        AssertForward(source, "var mlp1 = this.mlp1.call(input);", "[N, 8]");
        AssertForward(source, "var fc1 = this.fc1.call(mlp1);", "[N, 2]");
        Assert.Contains("private sealed class Mlp_8 : global::TorchSharp.torch.nn.Module<", source, StringComparison.Ordinal);
        Assert.Contains("public Mlp_8() : base(\"Mlp\")", source, StringComparison.Ordinal);
        Assert.Contains("fc1 = " + Nn + "Linear(8, 8);", source, StringComparison.Ordinal); // inside the block
        AssertFacts(source, "2", ((8 * 8) + 8) + ((8 * 2) + 2));
    }

    [Fact]
    public void Use_a_block_with_Repeat()
    {
        var source = Generate("[Use<Mlp>(Repeat = 3)]\n[Linear(2)]", "8", MlpBlock);

        const string List = "global::TorchSharp.Modules.ModuleList<global::TorchSharp.torch.nn.Module<global::TorchSharp.torch.Tensor, global::TorchSharp.torch.Tensor>>";
        Assert.Contains($"private readonly {List} mlp1;", source, StringComparison.Ordinal);
        Assert.Contains(
            "mlp1 = " + Nn + "ModuleList<global::TorchSharp.torch.nn.Module<global::TorchSharp.torch.Tensor, global::TorchSharp.torch.Tensor>>(\n                new Mlp_8(),\n                new Mlp_8(),\n                new Mlp_8());",
            source,
            StringComparison.Ordinal);
        AssertForward(source, "var mlp1_0 = this.mlp1[0].call(input);", "[N, 8]");
        AssertForward(source, "var mlp1_1 = this.mlp1[1].call(mlp1_0);", "[N, 8]");
        AssertForward(source, "var mlp1 = this.mlp1[2].call(mlp1_1);", "[N, 8]");
        Assert.Single(Occurrences(source, "private sealed class Mlp_8 ")); // one class for the three copies
        AssertFacts(source, "2", (3 * ((8 * 8) + 8)) + ((8 * 2) + 2));
    }

    [Fact]
    public void Use_a_shape_changing_block_with_Repeat_specialises_it_per_input_shape()
    {
        const string down = """
            using Dsl;

            namespace Sample;

            [Block]
            [Conv2d(Channels.Double, 3, Stride = 2, Padding = 1)]
            public partial class Down
            {
            }
            """;

        var source = Generate("[Use<Down>(Repeat = 2, Name = \"encoder\")]", "4, 16, 16", down);

        Assert.Contains("encoder = " + Nn + "ModuleList<", source, StringComparison.Ordinal);
        Assert.Contains("(\n                new Down_4x16x16(),\n                new Down_8x8x8());", source, StringComparison.Ordinal);
        Assert.Contains("conv1 = " + Nn + "Conv2d(4, 8, 3, stride: 2, padding: 1);", source, StringComparison.Ordinal);
        Assert.Contains("conv1 = " + Nn + "Conv2d(8, 16, 3, stride: 2, padding: 1);", source, StringComparison.Ordinal);
        AssertForward(source, "var encoder_0 = this.encoder[0].call(input);", "[N, 8, 8, 8]");
        AssertForward(source, "var encoder = this.encoder[1].call(encoder_0);", "[N, 16, 4, 4]");
        AssertFacts(source, "16, 4, 4", ((8 * 4 * 3 * 3) + 8) + ((16 * 8 * 3 * 3) + 16));
    }

    // ---- Relative channels ----

    [Theory]
    [InlineData("[Conv2d(Channels.Same, 1)]", "3, 4, 4", "conv1", "Conv2d(3, 3, 1)", "3, 4, 4", (3 * 3) + 3)]
    [InlineData("[Conv2d(Channels.Double, 3, Padding = 1)]", "3, 4, 4", "conv1", "Conv2d(3, 6, 3, padding: 1)", "6, 4, 4", (6 * 3 * 3 * 3) + 6)]
    [InlineData("[Conv2d(Channels.Triple, 1, Groups = 2)]", "2, 4, 4", "conv1", "Conv2d(2, 6, 1, groups: 2)", "6, 4, 4", (6 * (2 / 2)) + 6)]
    [InlineData("[Conv2d(Channels.Quadruple, 1, Bias = false)]", "2, 4, 4", "conv1", "Conv2d(2, 8, 1, bias: false)", "8, 4, 4", 8 * 2)]
    [InlineData("[ConvTranspose2d(Channels.Double, 2, Stride = 2)]", "3, 4, 4", "deconv1", "ConvTranspose2d(3, 6, 2, stride: 2)", "6, 8, 8", (3 * 6 * 2 * 2) + 6)]
    [InlineData("[Linear(Channels.Same)]", "5", "fc1", "Linear(5, 5)", "5", (5 * 5) + 5)]
    [InlineData("[Linear(Channels.Double)]", "5", "fc1", "Linear(5, 10)", "10", (5 * 10) + 10)]
    [InlineData("[Linear(Channels.Quadruple)]", "3, 8", "fc1", "Linear(8, 32)", "3, 32", (8 * 32) + 32)]
    public void Relative_channels(string layer, string input, string name, string construction, string output, int parameters)
    {
        var source = Generate(layer, input);

        Assert.Contains($"{name} = {Nn}{construction};", source, StringComparison.Ordinal);
        AssertForward(source, $"var {name} = this.{name}.call(input);", Shape(output));
        AssertFacts(source, output, parameters);
    }

    [Fact]
    public void Relative_channels_follow_the_input_of_each_layer()
    {
        var source = Generate(
            "[Conv2d(Channels.Double, 1), Conv2d(Channels.Same, 1), GlobalAvgPool, Linear(Channels.Quadruple), Linear(Channels.Same)]",
            "3, 8, 8");

        Assert.Contains("conv1 = " + Nn + "Conv2d(3, 6, 1);", source, StringComparison.Ordinal);
        Assert.Contains("conv2 = " + Nn + "Conv2d(6, 6, 1);", source, StringComparison.Ordinal);
        Assert.Contains("fc1 = " + Nn + "Linear(6, 24);", source, StringComparison.Ordinal);
        Assert.Contains("fc2 = " + Nn + "Linear(24, 24);", source, StringComparison.Ordinal);
        AssertFacts(source, "24", ((6 * 3) + 6) + ((6 * 6) + 6) + ((6 * 24) + 24) + ((24 * 24) + 24));
    }

    // ---- Skips ----

    [Fact]
    public void Skip_Add()
    {
        var source = Generate(
            "[Conv2d(4, 3, Padding = 1, Name = \"a\"), ReLU, Conv2d(4, 3, Padding = 1, Name = \"b\")]\n[Skip(\"a\", \"b\")]",
            "4, 6, 6");

        AssertForward(source, "var a = this.a.call(input);", "[N, 4, 6, 6]");
        AssertForward(source, "var b_out = this.b.call(relu1);", "[N, 4, 6, 6]");
        AssertForward(source, "var b = b_out.add(a);", "[N, 4, 6, 6]: skip from 'a' (Add)");
        Assert.Contains("b = " + Nn + "Conv2d(4, 4, 3, padding: 1);", source, StringComparison.Ordinal);
        Assert.DoesNotContain("_to_", source, StringComparison.Ordinal); // equal shapes: no projection
        AssertFacts(source, "4, 6, 6", 2 * ((4 * 4 * 3 * 3) + 4));
    }

    [Fact]
    public void Skip_Add_from_the_input()
    {
        var source = Generate("[Linear(6), Tanh(Name = \"t\")]\n[Skip(\"input\", \"t\")]", "6");

        AssertForward(source, "var t_out = global::TorchSharp.torch.tanh(fc1);", "[N, 6]");
        AssertForward(source, "var t = t_out.add(input);", "[N, 6]: skip from 'input' (Add)");
        Assert.DoesNotContain("input.Dispose()", source, StringComparison.Ordinal); // the caller's tensor
        AssertFacts(source, "6", (6 * 6) + 6);
    }

    [Fact]
    public void Skip_Add_with_a_strided_convolution_projection()
    {
        var source = Generate(
            "[Conv2d(8, 3, Stride = 2, Padding = 1, Name = \"down\")]\n[Skip(\"input\", \"down\", Projection = true)]",
            "4, 8, 8");

        AssertConstruction(
            source,
            "input_to_down",
            "Sequential",
            Nn + "Sequential(" + Nn + "Conv2d(4, 8, 1, stride: 2, bias: false), " + Nn + "BatchNorm2d(8))");
        AssertForward(source, "var down_out = this.down.call(input);", "[N, 8, 4, 4]");
        AssertForward(source, "var input_to_down = this.input_to_down.call(input);", "[N, 8, 4, 4]: projection of 'input'");
        AssertForward(source, "var down = down_out.add(input_to_down);", "[N, 8, 4, 4]: skip from 'input' (Add, projected)");
        // conv + projection (1×1 conv without bias, then BatchNorm2d's weight and bias)
        AssertFacts(source, "8, 4, 4", ((8 * 4 * 3 * 3) + 8) + ((8 * 4 * 1 * 1) + (2 * 8)));
    }

    [Fact]
    public void Skip_Add_with_a_convolution_projection_that_only_changes_channels()
    {
        var source = Generate(
            "[Conv2d(6, 3, Padding = 1, Name = \"a\"), Conv2d(10, 3, Padding = 1, Name = \"b\")]\n[Skip(\"a\", \"b\", Projection = true)]",
            "2, 5, 5");

        AssertConstruction(source, "a_to_b", "Sequential", Nn + "Sequential(" + Nn + "Conv2d(6, 10, 1, bias: false), " + Nn + "BatchNorm2d(10))");
        AssertForward(source, "var a_to_b = this.a_to_b.call(a);", "[N, 10, 5, 5]: projection of 'a'");
        AssertForward(source, "var b = b_out.add(a_to_b);", "[N, 10, 5, 5]: skip from 'a' (Add, projected)");
        AssertFacts(source, "10, 5, 5", ((6 * 2 * 3 * 3) + 6) + ((10 * 6 * 3 * 3) + 10) + ((10 * 6) + (2 * 10)));
    }

    [Theory]
    [InlineData("6", "10")]
    [InlineData("5, 6", "5, 10")] // sequences: the projection maps the last dimension
    public void Skip_Add_with_a_linear_projection(string input, string output)
    {
        var source = Generate("[Linear(10, Name = \"wide\")]\n[Skip(\"input\", \"wide\", Projection = true)]", input);

        AssertConstruction(source, "input_to_wide", "Linear", Nn + "Linear(6, 10, hasBias: false)");
        AssertForward(source, "var input_to_wide = this.input_to_wide.call(input);", Shape(output) + ": projection of 'input'");
        AssertForward(source, "var wide = wide_out.add(input_to_wide);", Shape(output) + ": skip from 'input' (Add, projected)");
        AssertFacts(source, output, ((6 * 10) + 10) + (6 * 10));
    }

    [Fact]
    public void Skip_Concat_of_images_joins_channels()
    {
        var source = Generate(
            "[Conv2d(5, 3, Padding = 1, Name = \"a\"), Conv2d(7, 1, Name = \"b\")]\n[Skip(\"a\", \"b\", Mode = SkipMode.Concat)]",
            "3, 8, 8");

        AssertForward(source, "var b_out = this.b.call(a);", "[N, 7, 8, 8]");
        AssertForward(source, "var b = global::TorchSharp.torch.cat(new[] { b_out, a }, 1);", "[N, 12, 8, 8]: skip from 'a' (Concat)");
        AssertFacts(source, "12, 8, 8", ((5 * 3 * 3 * 3) + 5) + ((7 * 5 * 1 * 1) + 7));
    }

    [Fact]
    public void Skip_Concat_of_sequences_joins_the_last_dimension()
    {
        var source = Generate("[Linear(3, Name = \"a\")]\n[Skip(\"input\", \"a\", Mode = SkipMode.Concat)]", "4, 6");

        AssertForward(source, "var a = global::TorchSharp.torch.cat(new[] { a_out, input }, 2);", "[N, 4, 9]: skip from 'input' (Concat)");
        AssertFacts(source, "4, 9", (6 * 3) + 3);
    }

    [Fact]
    public void A_concatenated_layer_feeds_the_next_layer_its_merged_width()
    {
        var source = Generate(
            "[Linear(3, Name = \"a\")]\n[Skip(\"input\", \"a\", Mode = SkipMode.Concat)]\n[Linear(2)]",
            "6");

        Assert.Contains("fc1 = " + Nn + "Linear(9, 2);", source, StringComparison.Ordinal);
        AssertForward(source, "var fc1 = this.fc1.call(a);", "[N, 2]");
        AssertFacts(source, "2", ((6 * 3) + 3) + ((9 * 2) + 2));
    }

    // ---- Helpers ----

    /// <summary>
    /// Generates <c>Sample.Net</c> with <c>[Model(input)]</c> and the given layer attributes (and any other sources),
    /// asserts that the run has no diagnostics at all, and returns the generated source of Net.
    /// </summary>
    private static string Generate(string layers, string input, params string[] otherSources)
    {
        var model = $$"""
            using Dsl;

            namespace Sample;

            [Model({{input}})]
            {{layers}}
            public partial class Net
            {
            }
            """;
        var run = GeneratorHarness.Run(new[] { model }.Concat(otherSources).ToArray());
        run.AssertNoDiagnostics();
        return run.GeneratedSource("Sample.Net.g.cs");
    }

    private static string Shape(string dims) => "[N, " + dims + "]";

    /// <summary>The field of that type and its construction in the constructor.</summary>
    private static void AssertConstruction(string source, string field, string module, string construction, string? fieldType = null)
    {
        var type = fieldType ?? "global::TorchSharp.Modules." + module;
        Assert.Contains($"private readonly {type} {field};", source, StringComparison.Ordinal);
        Assert.Contains($"{field} = {construction};", source, StringComparison.Ordinal);
    }

    /// <summary>The OutputShape and ParameterCount facts.</summary>
    private static void AssertFacts(string source, string output, long parameters)
    {
        Assert.Contains($"public static long[] OutputShape => new long[] {{ {output} }};", source, StringComparison.Ordinal);
        Assert.Contains($"public const long ParameterCount = {parameters};", source, StringComparison.Ordinal);
    }

    /// <summary>A forward line: exactly <paramref name="statement"/>, padded, then <c>// comment</c>.</summary>
    private static void AssertForward(string source, string statement, string comment)
    {
        var lines = source.Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith(statement, StringComparison.Ordinal)).ToList();
        if (lines.Count != 1)
        {
            throw new XunitException(
                $"Expected one line starting with\n  {statement}\nfound {lines.Count}. Generated source:\n{GeneratorHarness.WithLineNumbers(source)}");
        }

        var rest = lines[0].Substring(statement.Length);
        var expected = "// " + comment;
        if (rest.TrimStart() != expected || (rest.Length > expected.Length && !rest.StartsWith("  ", StringComparison.Ordinal)))
        {
            throw new XunitException(
                $"The line\n  {lines[0]}\nshould end in\n  {expected}\nGenerated source:\n{GeneratorHarness.WithLineNumbers(source)}");
        }
    }

    private static string[] Occurrences(string source, string text) =>
        source.Split('\n').Where(l => l.Contains(text, StringComparison.Ordinal)).ToArray();
}
