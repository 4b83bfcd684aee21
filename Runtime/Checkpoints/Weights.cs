using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using Dsl.Runtime.IO;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace Dsl.Runtime.Checkpoints;

/// <summary>
/// Model weights in PyTorch's file formats, chosen by extension: <c>.safetensors</c> (safe to load from anyone),
/// or <c>.pt</c> / <c>.pth</c> / <c>.bin</c> (a state_dict pickled in a zip, as <c>torch.save</c> writes it; it is read
/// as data, never unpickled: only a dict of tensors is accepted, and no Python global is imported or called).
/// </summary>
public static class Weights
{
    /// <summary>The extensions <see cref="Save"/> and <see cref="Load(nn.Module, string, bool)"/> accept.</summary>
    public const string SupportedExtensions = ".safetensors, .pt, .pth, .bin";

    /// <summary>The safetensors metadata key that holds the input normalisation as JSON (<c>{"Mean":[…],"Std":[…]}</c>).</summary>
    public const string NormalizationMetadataKey = "dsl.normalization";

    /// <summary>Saves the module's state_dict atomically (temporary file, flush, rename) in the format of the extension.</summary>
    /// <param name="module">The module.</param>
    /// <param name="path">The file; its extension chooses the format.</param>
    /// <param name="normalization">For <c>.safetensors</c>: stored in the header's <c>__metadata__</c> under
    /// <see cref="NormalizationMetadataKey"/>, so evaluation applies what training did (PyTorch ignores it).
    /// A <c>.pth</c> file has no place for it.</param>
    /// <exception cref="ArgumentException">The extension is not one of <see cref="SupportedExtensions"/>.</exception>
    public static void Save(nn.Module module, string path, Data.Normalization? normalization = null)
    {
        ArgumentNullException.ThrowIfNull(module);
        var format = FormatOf(path);
        AtomicFile.Write(path, stream =>
        {
            if (format == WeightsFormat.Safetensors)
            {
                using var buffer = new MemoryStream();
                module.save_safetensors(buffer, skip: null, leaveOpen: true);
                var metadata = normalization is null
                    ? null
                    : new System.Collections.Generic.Dictionary<string, string> { [NormalizationMetadataKey] = JsonSerializer.Serialize(normalization) };
                SafetensorsMetadata.Write(buffer.ToArray(), metadata, stream);
            }
            else
                module.save_py(stream, skip: null, leaveOpen: true);
        });
    }

    /// <summary>The normalisation stored in a <c>.safetensors</c> file's metadata, or null (none stored, or another format).</summary>
    /// <exception cref="CheckpointCorruptException">The stored value is not a normalisation.</exception>
    public static Data.Normalization? ReadNormalization(string path)
    {
        if (FormatOf(path) != WeightsFormat.Safetensors)
            return null;
        var fullPath = Path.GetFullPath(path);
        var metadata = WeightsFileReader.ReadSafetensorsHeader(fullPath).Metadata;
        if (metadata is null || !metadata.TryGetValue(NormalizationMetadataKey, out var json))
            return null;
        try
        {
            return JsonSerializer.Deserialize<Data.Normalization>(json);
        }
        catch (Exception e) when (e is JsonException or ArgumentException)
        {
            throw new CheckpointCorruptException(fullPath, $"its metadata {NormalizationMetadataKey} is not a normalisation ({e.Message})", e);
        }
    }

    /// <summary>
    /// Loads weights into <paramref name="module"/>. The file is checked and compared with the module's state_dict
    /// first; only when every tensor fits are the values copied in, so a mismatch leaves the module as it was. A
    /// <c>.safetensors</c> file's header is validated completely (bounded, offsets inside the file, ranges contiguous
    /// and non-overlapping, sizes equal to dtype × shape) and its names matched to the model before any tensor data is
    /// read, so loading one takes memory of the order of the model's size whatever the file says.
    /// </summary>
    /// <param name="module">The module to load into.</param>
    /// <param name="path">A <c>.safetensors</c>, <c>.pt</c>, <c>.pth</c> or <c>.bin</c> file.</param>
    /// <param name="strict">
    /// When true, a tensor the model has but the file lacks, or the reverse, is a mismatch; when false, those are
    /// ignored and the common tensors are loaded. Shapes and dtypes must always match.
    /// </param>
    /// <exception cref="ArgumentException">The extension is not supported.</exception>
    /// <exception cref="FileNotFoundException">There is no file at <paramref name="path"/>.</exception>
    /// <exception cref="CheckpointCorruptException">The file cannot be read in its format.</exception>
    /// <exception cref="WeightsMismatchException">Shapes, dtypes or (when strict) keys differ; lists them all.</exception>
    public static void Load(nn.Module module, string path, bool strict = true) => Load(module, path, strict, keyMap: null);

    /// <summary>
    /// Loads weights whose keys differ from the module's: <paramref name="keyMap"/> turns each key of the file into the
    /// module's key, or null to leave that tensor out (a file with <c>module.</c> prefixes from DistributedDataParallel:
    /// <c>key =&gt; key.StartsWith("module.") ? key.Substring(7) : key</c>). Otherwise as <see cref="Load(nn.Module, string, bool)"/>;
    /// a mismatch names both keys, and two file keys mapped to one model key is a mismatch.
    /// </summary>
    /// <param name="module">The module to load into.</param>
    /// <param name="path">A <c>.safetensors</c>, <c>.pt</c>, <c>.pth</c> or <c>.bin</c> file.</param>
    /// <param name="strict">When true, the model's keys no file key maps to, and the file's keys mapped to no key of the model, are mismatches.</param>
    /// <param name="keyMap">File key → model key, or null to drop the tensor; null: the keys as they are.</param>
    /// <exception cref="ArgumentException">The extension is not supported.</exception>
    /// <exception cref="FileNotFoundException">There is no file at <paramref name="path"/>.</exception>
    /// <exception cref="CheckpointCorruptException">The file cannot be read in its format.</exception>
    /// <exception cref="WeightsMismatchException">Shapes, dtypes or (when strict) keys differ; lists them all.</exception>
    public static void Load(nn.Module module, string path, bool strict, Func<string, string?>? keyMap)
    {
        ArgumentNullException.ThrowIfNull(module);
        var format = FormatOf(path);
        var fullPath = Path.GetFullPath(path);
        if (!File.Exists(fullPath))
            throw new FileNotFoundException($"The weights file {fullPath} does not exist.", fullPath);

        // Index checked, names matched, then only the matched tensors read: memory follows the model, not the file.
        using var scope = torch.NewDisposeScope();
        WeightsFileReader.Load(module, fullPath, format, strict, keyMap);
    }

    /// <summary>
    /// Loads weights whose keys differ from the module's by prefixes: each file key starting with a key of
    /// <paramref name="prefixRenames"/> has that prefix replaced by its value (the longest prefix that matches; a value
    /// of <c>""</c> strips it), e.g. <c>{ ["module."] = "" }</c>, or <c>ResNet18.TorchvisionKeys</c>
    /// (<c>layer2.0.</c> → <c>layer2_0.</c>). Otherwise as <see cref="Load(nn.Module, string, bool, Func{string, string})"/>.
    /// </summary>
    /// <param name="module">The module to load into.</param>
    /// <param name="path">A <c>.safetensors</c>, <c>.pt</c>, <c>.pth</c> or <c>.bin</c> file.</param>
    /// <param name="strict">When true, keys unmatched on either side are mismatches.</param>
    /// <param name="prefixRenames">The file's prefix → the model's prefix.</param>
    /// <exception cref="WeightsMismatchException">Shapes, dtypes or (when strict) keys differ; lists them all.</exception>
    public static void Load(nn.Module module, string path, bool strict, IReadOnlyDictionary<string, string> prefixRenames) =>
        Load(module, path, strict, RenamePrefixes(prefixRenames));

    /// <summary>The key map of <see cref="Load(nn.Module, string, bool, IReadOnlyDictionary{string, string})"/>: the longest matching prefix replaced, other keys kept.</summary>
    public static Func<string, string?> RenamePrefixes(IReadOnlyDictionary<string, string> prefixRenames)
    {
        ArgumentNullException.ThrowIfNull(prefixRenames);
        // Longest first, so "layer2.0." wins over "layer2." whatever the table's order.
        var renames = prefixRenames.OrderByDescending(r => r.Key.Length).ToArray();
        return key =>
        {
            foreach (var (from, to) in renames)
            {
                if (key.StartsWith(from, StringComparison.Ordinal))
                    return to + key.Substring(from.Length);
            }
            return key;
        };
    }

    internal static WeightsFormat FormatOf(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".safetensors" => WeightsFormat.Safetensors,
            ".pt" or ".pth" or ".bin" => WeightsFormat.PyTorchPickle,
            "" => throw new ArgumentException(
                $"The weights file {path} has no extension; the supported extensions are {SupportedExtensions}.", nameof(path)),
            var other => throw new ArgumentException(
                $"The weights file {path} has the extension \"{other}\"; the supported extensions are {SupportedExtensions}.", nameof(path)),
        };
    }
}

/// <summary>The two weight file formats.</summary>
internal enum WeightsFormat
{
    Safetensors,
    PyTorchPickle,
}
