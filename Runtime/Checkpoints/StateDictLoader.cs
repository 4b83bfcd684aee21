using System.Collections.Generic;
using System.Linq;
using Dsl.Runtime.IO;
using TorchSharp;
using static TorchSharp.torch;

namespace Dsl.Runtime.Checkpoints;

/// <summary>A tensor's shape and dtype as a file declares it, before (or without) its data being read.</summary>
internal readonly record struct TensorInfo(long[] Shape, ScalarType DType)
{
    public static TensorInfo Of(Tensor tensor) => new(tensor.shape, tensor.dtype);
}

/// <summary>
/// Copies a state dict read from a file into a module, after checking every entry first: a mismatch anywhere
/// means nothing is copied, and every mismatch is reported at once, naming the tensor and both shapes or dtypes.
/// The check needs only names, shapes and dtypes (<see cref="Plan"/>), so a file's tensors can be matched to the
/// model before any of their data is read. Names from the file are shown escaped (<see cref="Names.Printable"/>).
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
        var infos = saved.ToDictionary(s => s.Key, s => TensorInfo.Of(s.Value), System.StringComparer.Ordinal);
        var plan = Plan(module, infos, source, strict, keyMap);
        using var noGrad = torch.no_grad();
        foreach (var (fileKey, destination) in plan)
            destination.copy_(saved[fileKey]);
    }

    /// <summary>
    /// Which file tensor goes into which tensor of the module: every file key (mapped by <paramref name="keyMap"/>)
    /// paired with the model's tensor of the same name, after checking names, shapes and dtypes.
    /// </summary>
    /// <exception cref="WeightsMismatchException">Anything differs; lists every mismatch.</exception>
    public static List<(string FileKey, Tensor Destination)> Plan(nn.Module module, IReadOnlyDictionary<string, TensorInfo> saved, string source,
        bool strict, System.Func<string, string?>? keyMap = null)
    {
        var target = module.state_dict();
        var problems = new List<string>();
        Dictionary<string, string>? fileKeys = null;
        var mapped = keyMap is null ? saved : Rename(saved, keyMap, source, problems, out fileKeys);
        problems.AddRange(Compare(target, mapped, source, strict, fileKeys));
        if (problems.Count > 0)
            throw new WeightsMismatchException(source, problems);

        var plan = new List<(string, Tensor)>();
        foreach (var key in mapped.Keys)
        {
            if (target.TryGetValue(key, out var destination))
                plan.Add((fileKeys is not null && fileKeys.TryGetValue(key, out var original) ? original : key, destination));
        }
        return plan;
    }

    /// <summary>The file's tensors under the model's keys; dropped ones left out, collisions reported.</summary>
    private static Dictionary<string, TensorInfo> Rename(IReadOnlyDictionary<string, TensorInfo> saved, System.Func<string, string?> keyMap,
        string source, List<string> problems, out Dictionary<string, string> original)
    {
        var mapped = new Dictionary<string, TensorInfo>(System.StringComparer.Ordinal);
        original = new Dictionary<string, string>(System.StringComparer.Ordinal);
        foreach (var (key, tensor) in saved)
        {
            if (keyMap(key) is not { } modelKey)
                continue;
            if (original.TryGetValue(modelKey, out var earlier))
            {
                problems.Add($"{Names.Printable(modelKey)}: {source} has both {Names.Printable(earlier)} and {Names.Printable(key)} mapped to it");
                continue;
            }
            mapped[modelKey] = tensor;
            original[modelKey] = key;
        }
        return mapped;
    }

    /// <summary>Every mismatch between the model's state_dict and the saved tensors (already under the model's keys).</summary>
    /// <param name="model">The model's state_dict.</param>
    /// <param name="saved">The saved tensors' shapes and dtypes.</param>
    /// <param name="source">Where they came from, as a phrase.</param>
    /// <param name="strict">Whether missing and unexpected keys are mismatches.</param>
    /// <param name="fileKeys">For renamed keys: the model's key → the file's, so a mismatch names both.</param>
    public static List<string> Compare(IReadOnlyDictionary<string, Tensor> model, IReadOnlyDictionary<string, TensorInfo> saved, string source, bool strict,
        IReadOnlyDictionary<string, string>? fileKeys = null)
    {
        string Key(string key) => fileKeys is not null && fileKeys.TryGetValue(key, out var original) && original != key
            ? $"{Names.Printable(key)} (the file's {Names.Printable(original)})"
            : Names.Printable(key);
        var problems = new List<string>();
        foreach (var (key, expected) in model)
        {
            if (!saved.TryGetValue(key, out var actual))
            {
                if (strict)
                    problems.Add($"{Names.Printable(key)}: missing from {source} (the model has {Shape(expected.shape)} {expected.dtype})");
                continue;
            }
            if (!actual.Shape.SequenceEqual(expected.shape))
                problems.Add($"{Key(key)}: {source} has {Shape(actual.Shape)}, the model has {Shape(expected.shape)}");
            if (actual.DType != expected.dtype)
                problems.Add($"{Key(key)}: {source} has dtype {actual.DType}, the model has {expected.dtype}");
        }
        if (strict)
        {
            foreach (var (key, actual) in saved)
            {
                if (!model.ContainsKey(key))
                    problems.Add($"{Key(key)}: unexpected, {source} has {Shape(actual.Shape)} {actual.DType} but the model has no such tensor");
            }
        }
        return problems;
    }

    public static string Shape(Tensor tensor) => Shape(tensor.shape);

    public static string Shape(long[] shape) => "[" + string.Join(", ", shape) + "]";
}
