using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Dsl.Runtime.Tests.Fuzz;

/// <summary>One layer of a random chain, with every argument it may have (unused ones stay at their defaults).</summary>
internal sealed record FuzzLayer(
    string Kind,
    int Out = 0,
    int Kernel = 0,
    int Stride = 1,
    int Padding = 0,
    int Dilation = 1,
    int Groups = 1,
    int OutputPadding = 0,
    int Scale = 0,
    int SizeA = 0,
    int SizeB = 0,
    bool OnFeatures = false)
{
    public const string Conv = "Conv", ConvTranspose = "ConvTranspose", MaxPool = "MaxPool", AvgPool = "AvgPool", Upsample = "Upsample",
        BatchNorm = "BatchNorm", ReLU = "ReLU", Adaptive = "AdaptiveAvgPool", GlobalAvgPool = "GlobalAvgPool", Flatten = "Flatten", Linear = "Linear";

    /// <summary>The attribute as a user writes it; the layer is named <paramref name="name"/> so diagnostics map back to it.</summary>
    public string Attribute(string name, int spatialAxes)
    {
        var d = spatialAxes == 2 ? "2d" : "1d";
        var n = $"Name = \"{name}\"";
        return Kind switch
        {
            Conv => $"Conv{d}({Out}, {Kernel}, Stride = {Stride}, Padding = {Padding}, Dilation = {Dilation}, Groups = {Groups}, {n})",
            ConvTranspose => $"ConvTranspose{d}({Out}, {Kernel}, Stride = {Stride}, Padding = {Padding}, OutputPadding = {OutputPadding}, Dilation = {Dilation}, {n})",
            MaxPool or AvgPool => $"{Kind}{d}({Kernel}{(Stride > 0 ? $", Stride = {Stride}" : "")}, Padding = {Padding}, {n})",
            Upsample => $"Upsample({Scale}, {n})",
            BatchNorm => $"BatchNorm{(spatialAxes == 2 && !OnFeatures ? "2d" : "1d")}({n})",
            Adaptive => spatialAxes == 2 ? $"AdaptiveAvgPool2d({SizeA}, {SizeB}, {n})" : $"AdaptiveAvgPool1d({SizeA}, {n})",
            Linear => $"Linear({Out}, {n})",
            _ => $"{Kind}({n})",
        };
    }

    /// <summary>
    /// What TorchSharp does for this layer, written directly (fresh weights, channels from the input): an independent
    /// interpreter of the chain, used to check rejected models and the generated modules' shapes.
    /// </summary>
    public Tensor Apply(Tensor x)
    {
        var rank = x.dim(); // 4: image, 3: signal, 2: features
        var channels = x.shape[1];
        switch (Kind)
        {
            case Conv when rank == 4:
                using (var conv = nn.Conv2d(channels, Out, Kernel, stride: Stride, padding: Padding, dilation: Dilation, groups: Groups))
                {
                    return conv.call(x);
                }

            case Conv:
                using (var conv = nn.Conv1d(channels, Out, Kernel, stride: Stride, padding: Padding, dilation: Dilation, groups: Groups))
                {
                    return conv.call(x);
                }

            case ConvTranspose when TransposedSizes(x).Any(size => size <= 0):
                // libtorch (oneDNN) aborts the whole process on a transposed convolution whose output size would be below 1
                // ("could not construct a memory descriptor"), so that case is PyTorch's size formula, not a call.
                throw new NegativeSizeException($"[{string.Join(", ", x.shape.Take(2).Concat(TransposedSizes(x)))}] (PyTorch's formula for ConvTranspose; libtorch aborts the process on it)");
            case ConvTranspose when rank == 4:
                using (var deconv = nn.ConvTranspose2d(channels, Out, Kernel, stride: Stride, padding: Padding, output_padding: OutputPadding, dilation: Dilation))
                {
                    return deconv.call(x);
                }

            case ConvTranspose:
                using (var deconv = nn.ConvTranspose1d(channels, Out, Kernel, stride: Stride, padding: Padding, output_padding: OutputPadding, dilation: Dilation))
                {
                    return deconv.call(x);
                }

            case MaxPool when rank == 4:
                return F.max_pool2d(x, Kernel, stride: Stride > 0 ? Stride : Kernel, padding: Padding);
            case MaxPool:
                return F.max_pool1d(x, Kernel, stride: Stride > 0 ? Stride : Kernel, padding: Padding);
            case AvgPool when rank == 4:
                return F.avg_pool2d(x, Kernel, stride: Stride > 0 ? Stride : Kernel, padding: Padding);
            case AvgPool:
                return F.avg_pool1d(x, Kernel, stride: Stride > 0 ? Stride : Kernel, padding: Padding);
            case Upsample:
                return F.interpolate(x, scale_factor: new double[] { Scale, Scale }, mode: InterpolationMode.Nearest);
            case BatchNorm when rank == 4:
                using (var bn = nn.BatchNorm2d(channels))
                {
                    bn.eval();
                    return bn.call(x);
                }

            case BatchNorm:
                using (var bn = nn.BatchNorm1d(channels))
                {
                    bn.eval();
                    return bn.call(x);
                }

            case ReLU:
                return F.relu(x);
            case Adaptive when rank == 4:
                return F.adaptive_avg_pool2d(x, new long[] { SizeA, SizeB });
            case Adaptive:
                return F.adaptive_avg_pool1d(x, SizeA);
            case GlobalAvgPool:
                return x.mean(rank == 4 ? new long[] { 2, 3 } : new long[] { 2 });
            case Flatten:
                return x.flatten(1);
            case Linear:
                using (var fc = nn.Linear(channels, Out))
                {
                    return fc.call(x);
                }

            default:
                throw new InvalidOperationException("unknown kind " + Kind);
        }
    }

    /// <summary>PyTorch's output sizes of a transposed convolution: (in − 1)·s − 2p + d·(k − 1) + op + 1 per spatial axis.</summary>
    private long[] TransposedSizes(Tensor x) =>
        x.shape.Skip(2).Select(size => ((size - 1) * Stride) - (2 * Padding) + (Dilation * (Kernel - 1)) + OutputPadding + 1).ToArray();
}

/// <summary>A layer whose output would have a size below 1 (computed, where running it would abort the process).</summary>
internal sealed class NegativeSizeException : Exception
{
    public NegativeSizeException(string message)
        : base(message)
    {
    }
}

/// <summary>
/// With <c>DSL_FUZZ_TRACE=file</c>, every forward and interpreted layer is appended to that file before it runs, so a
/// native crash (which takes the test host down with it) can be traced to the model and size.
/// </summary>
internal static class FuzzTrace
{
    private static readonly string? Path = Environment.GetEnvironmentVariable("DSL_FUZZ_TRACE");

    public static void Write(string line)
    {
        if (!string.IsNullOrEmpty(Path))
        {
            System.IO.File.AppendAllText(Path, line + "\n");
        }
    }
}

/// <summary>A named dimension's [Dim] constraint (null Max: unbounded).</summary>
internal sealed record FuzzDim(string Name, int Min, int? Max, int MultipleOf)
{
    public bool IsDefault => Min == 1 && Max is null && MultipleOf == 1;

    public string Attribute()
    {
        var parts = new List<string> { $"\"{Name}\"" };
        if (Min != 1)
        {
            parts.Add($"Min = {Min}");
        }

        if (Max is { } max)
        {
            parts.Add($"Max = {max}");
        }

        if (MultipleOf != 1)
        {
            parts.Add($"MultipleOf = {MultipleOf}");
        }

        return $"Dim({string.Join(", ", parts)})";
    }

    /// <summary>The smallest allowed value.</summary>
    public long Smallest => ((Min + MultipleOf - 1) / MultipleOf) * MultipleOf;

    /// <summary>The largest allowed value that is at most <paramref name="cap"/> (at least the smallest).</summary>
    public long LargestUpTo(long cap)
    {
        var top = Math.Min(cap, Max ?? long.MaxValue);
        var value = top / MultipleOf * MultipleOf;
        return Math.Max(Smallest, value);
    }

    public bool Allows(long value) => value >= Min && (Max is null || value <= Max) && value % MultipleOf == 0;
}

/// <summary>A random chain over <c>[Model(C, "H", "W")]</c> or <c>[Model(C, "L")]</c>, emitted as one model per prefix.</summary>
internal sealed record FuzzChain(int Index, int SpatialAxes, int Channels, IReadOnlyList<FuzzDim> Dims, IReadOnlyList<FuzzLayer> Layers)
{
    public static string LayerName(int layer) => "l" + (layer + 1).ToString(CultureInfo.InvariantCulture);

    /// <summary>The class of the prefix of the first <paramref name="length"/> layers.</summary>
    public string ClassName(int length) => $"Fuzz{Index}_{length}";

    /// <summary>A large size for this kind of input (the axes of images stay small: they can be upsampled).</summary>
    public long LargeCap => SpatialAxes == 2 ? 40 : 300;

    public string Source(int length)
    {
        var text = new StringBuilder();
        var shape = string.Join(", ", new[] { Channels.ToString(CultureInfo.InvariantCulture) }.Concat(Dims.Select(d => $"\"{d.Name}\"")));
        text.Append($"[Model({shape})]\n");
        foreach (var dim in Dims.Where(d => !d.IsDefault))
        {
            text.Append('[').Append(dim.Attribute()).Append("]\n");
        }

        for (var i = 0; i < length; i++)
        {
            text.Append('[').Append(Layers[i].Attribute(LayerName(i), SpatialAxes)).Append("]\n");
        }

        text.Append($"public partial class {ClassName(length)} {{ }}\n\n");
        return text.ToString();
    }

    public string Describe() =>
        $"[Model({Channels}, {string.Join(", ", Dims.Select(d => $"\"{d.Name}\""))})] "
        + string.Join(" ", Dims.Where(d => !d.IsDefault).Select(d => "[" + d.Attribute() + "]")) + " "
        + string.Join(" ", Layers.Select((l, i) => "[" + l.Attribute(LayerName(i), SpatialAxes) + "]"));

    /// <summary>The example shape (no batch) for values of the named dimensions.</summary>
    public long[] Example(IReadOnlyDictionary<string, long> values) =>
        new long[] { Channels }.Concat(Dims.Select(d => values[d.Name])).ToArray();

    /// <summary>
    /// Runs the first <paramref name="length"/> layers with the interpreter; returns the index of the first layer that throws
    /// or makes a size below 1 (null: none did) and the last shape.
    /// </summary>
    public (int? FailedAt, string What, long[] Shape) Interpret(long[] example, int length, long batch = 2)
    {
        using var scope = NewDisposeScope();
        var x = randn(new[] { batch }.Concat(example).ToArray());
        for (var i = 0; i < length; i++)
        {
            FuzzTrace.Write($"interpret {Describe()}: layer {LayerName(i)} on [{string.Join(", ", x.shape)}]");
            try
            {
                x = Layers[i].Apply(x);
            }
            catch (NegativeSizeException e)
            {
                return (i, "size " + e.Message, x.shape);
            }
            catch (Exception e)
            {
                return (i, $"TorchSharp threw {e.GetType().Name}: {FirstLine(e.Message)}", x.shape);
            }

            if (x.shape.Any(s => s <= 0))
            {
                return (i, $"size [{string.Join(", ", x.shape)}]", x.shape);
            }
        }

        return (null, "", x.shape);
    }

    private static string FirstLine(string text) => text.Split('\n')[0];
}

/// <summary>Random valid-looking chains: arguments in the ranges of the DSL's checks, layouts respected; sizes may still collapse.</summary>
internal static class RandomChains
{
    public static FuzzChain Next(Random rng, int index)
    {
        var spatialAxes = rng.Next(2) == 0 ? 2 : 1;
        var channels = Pick(rng, 1, 2, 3, 4);
        var names = spatialAxes == 2 ? new[] { "H", "W" } : new[] { "L" };
        var dims = names.Select(n => RandomDim(rng, n, spatialAxes)).ToList();

        var layers = new List<FuzzLayer>();
        var width = channels;
        var spatial = true;      // an image or signal (false: features [N, C] after GlobalAvgPool)
        var fixedSize = false;   // after an adaptive pool: every axis a fixed number
        var growth = 0;          // upsamplings and strided transposed convolutions so far (kept small: the sizes multiply)
        var length = rng.Next(2, 9);
        for (var i = 0; i < length; i++)
        {
            FuzzLayer layer;
            if (!spatial)
            {
                layer = rng.Next(3) switch
                {
                    0 => new FuzzLayer(FuzzLayer.ReLU),
                    1 => new FuzzLayer(FuzzLayer.BatchNorm, OnFeatures: true),
                    _ => new FuzzLayer(FuzzLayer.Linear, Out: Pick(rng, 1, 3, 5, 10)),
                };
            }
            else if (i == 0)
            {
                // A layer that makes a rank-2 input a signal (ReLU or GlobalAvgPool first would leave it a sequence).
                var roll = rng.Next(20);
                layer = roll < 10 ? RandomConv(rng, width) : roll < 14 ? RandomPool(rng) : roll < 17 ? RandomTransposed(rng, width) : new FuzzLayer(FuzzLayer.BatchNorm);
            }
            else
            {
                var roll = rng.Next(100);
                layer = roll switch
                {
                    < 30 => RandomConv(rng, width),
                    < 45 => RandomPool(rng),
                    < 55 when growth < 2 => RandomTransposed(rng, width),
                    < 62 when growth < 2 && spatialAxes == 2 => new FuzzLayer(FuzzLayer.Upsample, Scale: 2),
                    < 72 => new FuzzLayer(FuzzLayer.BatchNorm),
                    < 84 => new FuzzLayer(FuzzLayer.ReLU),
                    < 90 => new FuzzLayer(FuzzLayer.Adaptive, SizeA: rng.Next(1, 5), SizeB: rng.Next(1, 5)),
                    _ => new FuzzLayer(FuzzLayer.GlobalAvgPool),
                };
            }

            layers.Add(layer);
            switch (layer.Kind)
            {
                case FuzzLayer.Conv or FuzzLayer.ConvTranspose or FuzzLayer.Linear:
                    width = layer.Out;
                    break;
                case FuzzLayer.GlobalAvgPool:
                    spatial = false;
                    break;
                case FuzzLayer.Adaptive:
                    fixedSize = true;
                    break;
            }

            if (layer.Kind == FuzzLayer.Upsample || (layer.Kind == FuzzLayer.ConvTranspose && layer.Stride > 1))
            {
                growth++;
            }

            // Flatten + Linear only where every size is fixed: after GlobalAvgPool (or an adaptive pool).
            if (i == length - 1 && (!spatial || fixedSize) && rng.Next(2) == 0)
            {
                layers.Add(new FuzzLayer(FuzzLayer.Flatten));
                layers.Add(new FuzzLayer(FuzzLayer.Linear, Out: Pick(rng, 2, 4, 10)));
                spatial = false;
            }
        }

        // A third of the chains end in GlobalAvgPool → Flatten → Linear, like a classifier.
        if (spatial && rng.Next(3) == 0)
        {
            layers.Add(new FuzzLayer(FuzzLayer.GlobalAvgPool));
            layers.Add(new FuzzLayer(FuzzLayer.Flatten));
            layers.Add(new FuzzLayer(FuzzLayer.Linear, Out: Pick(rng, 2, 4, 10)));
        }

        return new FuzzChain(index, spatialAxes, channels, dims, layers);
    }

    private static FuzzDim RandomDim(Random rng, string name, int spatialAxes)
    {
        if (rng.Next(5) == 0)
        {
            return new FuzzDim(name, 1, null, 1); // no [Dim]: any size ≥ 1
        }

        var multipleOf = Pick(rng, 1, 1, 1, 2, 3, 4, 8);
        var min = spatialAxes == 2 ? Pick(rng, 1, 1, 2, 3, 4, 5, 8, 12, 16) : Pick(rng, 1, 2, 4, 7, 8, 16, 24, 32);
        int? max = null;
        if (rng.Next(3) == 0)
        {
            var smallest = ((min + multipleOf - 1) / multipleOf) * multipleOf;
            max = smallest + (multipleOf * rng.Next(0, 12)) + rng.Next(0, multipleOf); // some Max that is not itself a multiple
        }

        return new FuzzDim(name, min, max, multipleOf);
    }

    private static FuzzLayer RandomConv(Random rng, int width)
    {
        var outChannels = Pick(rng, 2, 3, 4, 6, 8);
        var groups = width % 2 == 0 && outChannels % 2 == 0 && rng.Next(4) == 0 ? 2 : 1;
        return new FuzzLayer(FuzzLayer.Conv, Out: outChannels, Kernel: rng.Next(1, 6), Stride: rng.Next(1, 4), Padding: rng.Next(0, 3),
            Dilation: rng.Next(1, 3), Groups: groups);
    }

    private static FuzzLayer RandomPool(Random rng)
    {
        var kernel = rng.Next(2, 4);
        return new FuzzLayer(rng.Next(2) == 0 ? FuzzLayer.MaxPool : FuzzLayer.AvgPool, Kernel: kernel,
            Stride: rng.Next(2) == 0 ? 0 : rng.Next(1, 4), Padding: rng.Next(0, (kernel / 2) + 1));
    }

    private static FuzzLayer RandomTransposed(Random rng, int width)
    {
        int stride = rng.Next(1, 4), dilation = rng.Next(1, 3);
        var outputPadding = rng.Next(3) == 0 ? rng.Next(0, Math.Max(stride, dilation)) : 0;
        return new FuzzLayer(FuzzLayer.ConvTranspose, Out: Pick(rng, 2, 3, 4, 6), Kernel: rng.Next(1, 5), Stride: stride, Padding: rng.Next(0, 2),
            Dilation: dilation, OutputPadding: outputPadding);
    }

    private static int Pick(Random rng, params int[] values) => values[rng.Next(values.Length)];
}
