using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace Dsl.Benchmarks;

/// <summary>
/// Where a training step's time goes, by phase (zero_grad, forward, loss, backward, optimiser step, reading the loss),
/// with the forward pass split by layer kind through forward hooks on every leaf module. TorchSharp 0.107 exposes no
/// libtorch profiler, and backward runs inside libtorch in one call, so backward is one phase; the PyTorch side
/// (Benchmarks/PyTorch/side_by_side.py, op "phases") measures the same phases the same way.
/// </summary>
internal static class StepPhases
{
    /// <summary>The phases in the order a step runs them; forward kinds are added as "forward: Conv2d" and so on.</summary>
    public static readonly string[] Order = { "zero_grad", "forward", "loss", "backward", "step", "item" };

    /// <summary>Times <paramref name="steps"/> training steps; one dictionary of milliseconds per phase and per forward kind for each step.</summary>
    public static List<Dictionary<string, double>> Measure(nn.Module<Tensor, Tensor> net, Tensor x, Tensor target, string task, int steps)
    {
        var byKind = new Dictionary<string, double>();
        var started = new Dictionary<nn.Module, long>(ReferenceEqualityComparer.Instance);
        var removers = new List<Action>();
        foreach (var (_, module) in net.named_modules())
        {
            if (module.children().Any() || module is not nn.Module<Tensor, Tensor> leaf)
            {
                continue;
            }

            var kind = "forward: " + module.GetType().Name;
            var pre = leaf.register_forward_pre_hook((m, input) =>
            {
                started[m] = Stopwatch.GetTimestamp();
                return input;
            });
            var post = leaf.register_forward_hook((m, input, output) =>
            {
                byKind[kind] = byKind.GetValueOrDefault(kind) + Stopwatch.GetElapsedTime(started[m]).TotalMilliseconds;
                return output;
            });
            removers.Add(() => pre.remove());
            removers.Add(() => post.remove());
        }

        var result = new List<Dictionary<string, double>>();
        try
        {
            net.train();
            using var optimizer = optim.SGD(net.parameters(), 0.01, momentum: 0.9);
            for (var i = 0; i < steps; i++)
            {
                byKind.Clear();
                var phase = new Dictionary<string, double>();
                var clock = Stopwatch.StartNew();
                double Lap()
                {
                    var ms = clock.Elapsed.TotalMilliseconds;
                    clock.Restart();
                    return ms;
                }

                using (var scope = NewDisposeScope())
                {
                    optimizer.zero_grad();
                    phase["zero_grad"] = Lap();
                    var output = net.call(x);
                    phase["forward"] = Lap();
                    var loss = task == "classify" ? nn.functional.cross_entropy(output, target) : nn.functional.mse_loss(output, target);
                    phase["loss"] = Lap();
                    loss.backward();
                    phase["backward"] = Lap();
                    optimizer.step();
                    phase["step"] = Lap();
                    _ = loss.item<float>();
                    phase["item"] = Lap();
                }

                foreach (var (kind, ms) in byKind)
                {
                    phase[kind] = ms;
                }

                phase["forward: other (functional ops, merges)"] = phase["forward"] - byKind.Values.Sum();
                result.Add(phase);
            }
        }
        finally
        {
            foreach (var remove in removers)
            {
                remove();
            }
        }

        return result;
    }
}
