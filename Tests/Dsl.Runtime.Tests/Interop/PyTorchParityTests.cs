using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Text.Json;
using Dsl.Runtime.Checkpoints;
using TorchSharp;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Dsl.Runtime.Tests.Interop;

/// <summary>
/// Every example model's <c>PyTorchSource</c> against the TorchSharp module it was generated beside: the C# weights
/// (.pth) loaded into the Python module give the same eval outputs, and one training-mode forward and backward on the
/// same batch gives the same gradient for every parameter, by state_dict name. Dropout, attention dropout and
/// stochastic depth are switched off on both sides for the gradients (BatchNorm keeps its batch statistics).
/// An input with an axis too many is rejected with the same message on both sides.
/// Tolerance: |python − C#| ≤ 1e-6 + 1e-5·|C#| element-wise (1e-5 relative, with 1e-6 absolute for values near zero).
/// Outputs are compared in float32. Gradients are compared in float64 (both models cast after the eval pass): in
/// float32 the two libtorch builds' different convolution kernels round differently, and through the 56 layers of
/// ResNet56 that alone reaches ~2e-4 relative, which would hide rather than show a real difference.
/// All models run in one Python process (torch's start-up is seconds).
/// </summary>
public sealed class PyTorchParityTests
{
    private const double RelativeTolerance = 1e-5;
    private const double AbsoluteTolerance = 1e-6;

    private readonly ITestOutputHelper _output;

    public PyTorchParityTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public void Every_example_model_exported_to_PyTorch_gives_the_same_outputs_and_gradients()
    {
        if (!Python.Available(_output.WriteLine)) return;

        using var dir = new TempDirectory();
        var manifest = new List<Dictionary<string, object>>();
        foreach (var entry in Examples.Catalogue)
        {
            manifest.Add(Export(entry, dir));
        }

        File.WriteAllText(dir.File("manifest.json"), JsonSerializer.Serialize(manifest));
        File.WriteAllText(dir.File("parity.py"), Script);
        var printed = Python.Run(dir.File("parity.py"),
            [dir.File("manifest.json"), RelativeTolerance.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
             AbsoluteTolerance.ToString("R", System.Globalization.CultureInfo.InvariantCulture)], dir.Path);
        _output.WriteLine(printed);
        Assert.Contains($"checked {Examples.Catalogue.Count} models", printed);
    }

    /// <summary>Writes one model's source, weights, input, eval output, loss weights and gradients; returns its manifest entry.</summary>
    private static Dictionary<string, object> Export(ModelCatalogEntry entry, TempDirectory dir)
    {
        using var scope = NewDisposeScope();
        manual_seed(11);
        var model = Examples.Create(entry);
        var name = entry.Name;
        File.WriteAllText(dir.File(name + ".py"), entry.PyTorchSource);
        Weights.Save(model, dir.File(name + ".pth"));

        var input = entry.SampleInput(2);
        model.eval();

        // An input with one axis too many: both sides must reject it with the same message.
        using var wrong = input.unsqueeze(-1);
        var rejection = Assert.Throws<ArgumentException>(() => model.call(wrong)).Message.Replace(" (Parameter 'input')", "", StringComparison.Ordinal);
        Tensor output;
        using (no_grad())
        {
            output = model.call(input);
        }

        // Training mode with every source of randomness off: Dropout and attention modules in eval (they hold no
        // batch statistics), stochastic-depth rates set to 0.
        model.train();
        foreach (var (_, m) in model.named_modules())
        {
            if (m is TorchSharp.Modules.Dropout || m.GetType().Name == "SelfAttention") m.eval();
            if (m.GetType().GetField("_dropPath", System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic) is { } rate)
                rate.SetValue(m, 0.0);
        }

        model.to(ScalarType.Float64);
        var batch = entry.TakesTokenIds ? input : input.to(ScalarType.Float64);
        var trained = model.call(batch);
        var lossWeights = randn(trained.shape, dtype: ScalarType.Float64);
        trained.mul(lossWeights).sum().backward();
        var gradients = new Dictionary<string, object>();
        foreach (var (key, p) in model.named_parameters())
        {
            Assert.True(p.grad is not null, $"{name}: parameter {key} got no gradient in C#");
            gradients[key] = Raw(p.grad!, dir, $"{name}.grad.{key}");
        }

        return new Dictionary<string, object>
        {
            ["name"] = name,
            ["source"] = dir.File(name + ".py"),
            ["weights"] = dir.File(name + ".pth"),
            ["input"] = Raw(input, dir, name + ".input"),
            ["output"] = Raw(output, dir, name + ".output"),
            ["wrong_input"] = Raw(wrong, dir, name + ".wronginput"),
            ["rejection"] = rejection,
            ["loss_weights"] = Raw(lossWeights, dir, name + ".lossweights"),
            ["gradients"] = gradients,
        };
    }

    /// <summary>A tensor as raw little-endian bytes (float32 or int64) and its shape, for torch.frombuffer.</summary>
    private static Dictionary<string, object> Raw(Tensor t, TempDirectory dir, string name)
    {
        var c = t.detach().contiguous().cpu();
        byte[] bytes = c.dtype switch
        {
            ScalarType.Float32 => MemoryMarshal.AsBytes<float>(c.data<float>().ToArray()).ToArray(),
            ScalarType.Float64 => MemoryMarshal.AsBytes<double>(c.data<double>().ToArray()).ToArray(),
            ScalarType.Int64 => MemoryMarshal.AsBytes<long>(c.data<long>().ToArray()).ToArray(),
            var other => throw new InvalidOperationException($"no raw form for {other}"),
        };
        return new Dictionary<string, object>
        {
            ["file"] = dir.Write(name + ".bin", bytes),
            ["shape"] = c.shape,
            ["dtype"] = c.dtype switch { ScalarType.Int64 => "int64", ScalarType.Float64 => "float64", _ => "float32" },
        };
    }

    private const string Script = """
        import importlib.util, json, sys
        import torch
        import torch.nn as nn

        manifest, rtol, atol = json.load(open(sys.argv[1])), float(sys.argv[2]), float(sys.argv[3])
        torch.set_num_threads(2)


        def load(t):
            data = bytearray(open(t["file"], "rb").read())
            dtype = {"int64": torch.int64, "float64": torch.float64, "float32": torch.float32}[t["dtype"]]
            return torch.frombuffer(data, dtype=dtype).reshape(t["shape"]) if data else torch.zeros(t["shape"], dtype=dtype)


        def compare(what, actual, expected):
            # The worst element by the combined criterion, and the largest relative error where |expected| > atol.
            if actual.shape != expected.shape:
                return what + ": shape " + str(tuple(actual.shape)) + " but C# has " + str(tuple(expected.shape)), 0.0
            diff = (actual.double() - expected.double()).abs()
            bound = atol + rtol * expected.double().abs()
            big = expected.double().abs() > atol
            rel = (diff[big] / expected.double().abs()[big]).max().item() if big.any() else 0.0
            if not bool((diff <= bound).all()):
                i = int(torch.argmax(diff - bound))
                return what + ": differs by " + str(diff.flatten()[i].item()) + " at " + str(expected.flatten()[i].item()), rel
            return None, rel


        failures, worst_output, worst_gradient = [], 0.0, 0.0
        for m in manifest:
            spec = importlib.util.spec_from_file_location(m["name"], m["source"])
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            model = getattr(module, m["name"])()
            model.load_state_dict(torch.load(m["weights"]), strict=True)
            x = load(m["input"])
            model.eval()
            try:
                model(load(m["wrong_input"]))
                failures.append(m["name"] + ": accepted an input with an axis too many")
            except ValueError as e:
                if str(e) != m["rejection"]:
                    failures.append(m["name"] + ": rejects with " + repr(str(e)) + " but C# with " + repr(m["rejection"]))
            with torch.no_grad():
                y = model(x)
            problem, out_rel = compare(m["name"] + " output", y, load(m["output"]))
            worst_output = max(worst_output, out_rel)
            if problem:
                failures.append(problem)
            model.train()
            for sub in model.modules():
                if isinstance(sub, nn.Dropout) or type(sub).__name__ == "SelfAttention":
                    sub.eval()
                if hasattr(sub, "_drop_path"):
                    sub._drop_path = 0.0
            model.double()
            batch = x if x.dtype == torch.int64 else x.double()
            model.zero_grad()
            (model(batch) * load(m["loss_weights"])).sum().backward()
            named = dict(model.named_parameters())
            if set(named) != set(m["gradients"]):
                failures.append(m["name"] + ": parameters " + str(sorted(set(named) ^ set(m["gradients"]))) + " are not on both sides")
            model_worst = 0.0
            for key, g in m["gradients"].items():
                if key not in named:
                    continue
                grad = named[key].grad if named[key].grad is not None else torch.zeros_like(named[key])
                problem, rel = compare(m["name"] + " gradient " + key, grad, load(g))
                model_worst = max(model_worst, rel)
                if problem:
                    failures.append(problem)
            worst_gradient = max(worst_gradient, model_worst)
            print(m["name"] + ": output max rel " + format(out_rel, ".2e") + ", gradients max rel " + format(model_worst, ".2e"))

        print("worst relative error: outputs " + format(worst_output, ".2e") + ", gradients " + format(worst_gradient, ".2e"))
        if failures:
            print("\n".join(failures))
            sys.exit(1)
        print("checked " + str(len(manifest)) + " models")
        """;
}
