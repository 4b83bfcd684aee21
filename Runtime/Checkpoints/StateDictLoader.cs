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
    /// <param name="keyMap">File key → model key, or null to drop it; null: the keys as they are.</param>
    public static void Load(nn.Module module, IReadOnlyDictionary<string, Tensor> saved, string source, bool strict,
        System.Func<string, string?>? keyMap = null)
    {
        var target = module.state_dict();
        var problems = new List<string>();
        Dictionary<string, string>? fileKeys = null;
        var mapped = keyMap is null ? saved : Rename(saved, keyMap, source, problems, out fileKeys);
        problems.AddRange(Compare(target, mapped, source, strict, fileKeys));
        if (problems.Count > 0)
            throw new WeightsMismatchException(source, problems);

        using var noGrad = torch.no_grad();
        foreach (var (key, tensor) in mapped)
        {
            if (target.TryGetValue(key, out var destination))
                destination.copy_(tensor);
        }
    }

    /// <summary>The file's tensors under the model's keys; dropped ones left out, collisions reported.</summary>
    private static Dictionary<string, Tensor> Rename(IReadOnlyDictionary<string, Tensor> saved, System.Func<string, string?> keyMap,
        string source, List<string> problems, out Dictionary<string, string> original)
    {
        var mapped = new Dictionary<string, Tensor>();
        original = new Dictionary<string, string>();
        foreach (var (key, tensor) in saved)
        {
            if (keyMap(key) is not { } modelKey)
                continue;
            if (original.TryGetValue(modelKey, out var earlier))
            {
                problems.Add($"{modelKey}: {source} has both {earlier} and {key} mapped to it");
                continue;
            }
            mapped[modelKey] = tensor;
            original[modelKey] = key;
        }
        return mapped;
    }

    /// <summary>Every mismatch between the model's state_dict and the saved tensors (already under the model's keys).</summary>
    /// <param name="model">The model's state_dict.</param>
    /// <param name="saved">The saved tensors.</param>
    /// <param name="source">Where they came from, as a phrase.</param>
    /// <param name="strict">Whether missing and unexpected keys are mismatches.</param>
    /// <param name="fileKeys">For renamed keys: the model's key → the file's, so a mismatch names both.</param>
    public static List<string> Compare(IReadOnlyDictionary<string, Tensor> model, IReadOnlyDictionary<string, Tensor> saved, string source, bool strict,
        IReadOnlyDictionary<string, string>? fileKeys = null)
    {
        string Key(string key) => fileKeys is not null && fileKeys.TryGetValue(key, out var original) && original != key
            ? $"{key} (the file's {original})"
            : key;
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
                problems.Add($"{Key(key)}: {source} has {Shape(actual)}, the model has {Shape(expected)}");
            if (actual.dtype != expected.dtype)
                problems.Add($"{Key(key)}: {source} has dtype {actual.dtype}, the model has {expected.dtype}");
        }
        if (strict)
        {
            foreach (var (key, actual) in saved)
            {
                if (!model.ContainsKey(key))
                    problems.Add($"{Key(key)}: unexpected, {source} has {Shape(actual)} {actual.dtype} but the model has no such tensor");
            }
        }
        return problems;
    }

    public static string Shape(Tensor tensor) => "[" + string.Join(", ", tensor.shape) + "]";
}
