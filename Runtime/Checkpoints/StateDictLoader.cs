using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace Dsl.Runtime.Checkpoints;

/// <summary>
/// Copies a state dict read from a file into a module, after checking every entry first: a mismatch anywhere
/// means nothing is copied, and every mismatch is reported at once, naming the tensor and both shapes or dtypes.
/// </summary>
internal static class StateDictLoader
{
    /// <param name="module">The module to load into.</param>
    /// <param name="saved">The tensors read from the source (left to the caller to dispose).</param>
    /// <param name="source">Where they came from, as a phrase: "the file /x/model.safetensors".</param>
    /// <param name="strict">Whether missing and unexpected keys are mismatches (shapes and dtypes always are).</param>
    public static void Load(nn.Module module, IReadOnlyDictionary<string, Tensor> saved, string source, bool strict)
    {
        var target = module.state_dict();
        var problems = Compare(target, saved, source, strict);
        if (problems.Count > 0)
            throw new WeightsMismatchException(source, problems);

        using var noGrad = torch.no_grad();
        foreach (var (key, tensor) in saved)
        {
            if (target.TryGetValue(key, out var destination))
                destination.copy_(tensor);
        }
    }

    public static List<string> Compare(IReadOnlyDictionary<string, Tensor> model, IReadOnlyDictionary<string, Tensor> saved, string source, bool strict)
    {
        var problems = new List<string>();
        foreach (var (key, expected) in model)
        {
            if (!saved.TryGetValue(key, out var actual))
            {
                if (strict)
                    problems.Add($"{key}: missing from {source} (the model has {Shape(expected)} {expected.dtype})");
                continue;
            }
            if (!actual.shape.SequenceEqual(expected.shape))
                problems.Add($"{key}: {source} has {Shape(actual)}, the model has {Shape(expected)}");
            if (actual.dtype != expected.dtype)
                problems.Add($"{key}: {source} has dtype {actual.dtype}, the model has {expected.dtype}");
        }
        if (strict)
        {
            foreach (var (key, actual) in saved)
            {
                if (!model.ContainsKey(key))
                    problems.Add($"{key}: unexpected, {source} has {Shape(actual)} {actual.dtype} but the model has no such tensor");
            }
        }
        return problems;
    }

    public static string Shape(Tensor tensor) => "[" + string.Join(", ", tensor.shape) + "]";
}
