using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using Dsl.Runtime.IO;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace Dsl.Runtime.Checkpoints;

/// <summary>
/// Reads a weights file into a plain dictionary of tensors, turning every way the file can be malformed into a
/// <see cref="CheckpointCorruptException"/> that names it (PyBridge's own errors range from JSON parse errors to
/// "Length of JSON exceeded int.MaxValue").
/// </summary>
internal static class WeightsFileReader
{
    /// <summary>The tensors are created in the caller's dispose scope.</summary>
    public static Dictionary<string, Tensor> Read(string path, WeightsFormat format)
    {
        try
        {
            using var stream = Open(path);
            return format == WeightsFormat.Safetensors ? ReadSafetensors(stream, path) : ReadPickle(stream, path);
        }
        catch (Exception e) when (IsMalformedInput(e))
        {
            var formatName = format == WeightsFormat.Safetensors ? "safetensors" : "PyTorch (torch.save zip)";
            throw new CheckpointCorruptException(path, $"it is not a valid {formatName} file ({FirstLine(e.Message)})", e);
        }
    }

    /// <summary>The validated header of a safetensors file (see <see cref="SafetensorsFile"/>).</summary>
    public static SafetensorsFile ReadSafetensorsHeader(string path)
    {
        using var stream = Open(path);
        return SafetensorsFile.ReadHeader(stream, path);
    }

    /// <summary>
    /// Loads a safetensors file into <paramref name="module"/>: the header validated, its names, shapes and dtypes
    /// matched to the module (every mismatch reported before any data is read), then only the tensors the module takes
    /// read, each exactly its own bytes; they are copied in once all are read, so a failure leaves the module as it was.
    /// Temporary tensors are created in the caller's dispose scope.
    /// </summary>
    public static void LoadSafetensors(nn.Module module, string path, bool strict, Func<string, string?>? keyMap)
    {
        using var stream = Open(path);
        var file = SafetensorsFile.ReadHeader(stream, path);
        var entries = new Dictionary<string, SafetensorsEntry>(file.Entries.Count, StringComparer.Ordinal);
        foreach (var entry in file.Entries)
            entries.Add(entry.Name, entry);
        var infos = new Dictionary<string, TensorInfo>(entries.Count, StringComparer.Ordinal);
        foreach (var (name, entry) in entries)
            infos.Add(name, new TensorInfo(entry.Shape, entry.DType));

        var plan = StateDictLoader.Plan(module, infos, $"the file {path}", strict, keyMap);
        var read = new List<(Tensor Source, Tensor Destination)>(plan.Count);
        try
        {
            foreach (var (fileKey, destination) in plan)
                read.Add((file.ReadTensor(stream, entries[fileKey]), destination));
        }
        catch (Exception e) when (e is EndOfStreamException)
        {
            throw new CheckpointCorruptException(path, "it became shorter while it was being read", e);
        }

        using var noGrad = torch.no_grad();
        foreach (var (source, destination) in read)
            destination.copy_(source);
    }

    private static Dictionary<string, Tensor> ReadSafetensors(FileStream stream, string path)
    {
        // Validated first (bounds, overlaps, sizes), so PyBridge never sees a header that makes it allocate beyond the file.
        SafetensorsFile.ReadHeader(stream, path);
        stream.Position = 0;
        return Safetensors.LoadStateDict(stream, leaveOpen: true);
    }

    /// <summary>Opens a weights file for reading, refusing a FIFO or device (which would block or never end).</summary>
    private static FileStream Open(string path)
    {
        RegularFile.Require(path, reason => new CheckpointCorruptException(path, reason));
        return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
    }

    private static Dictionary<string, Tensor> ReadPickle(FileStream stream, string path)
    {
        // PyBridge calls anything that is not a zip "the old PyTorch format", which misleads for a damaged file.
        Span<byte> start = stackalloc byte[4];
        if (stream.Length < 4 || stream.Read(start) < 4 || !start.SequenceEqual("PK\x03\x04"u8))
            throw new CheckpointCorruptException(path,
                "it is not a zip archive as torch.save writes (a damaged file, or the legacy pre-1.6 format, which is not supported)");
        stream.Position = 0;
        var table = PyTorchUnpickler.UnpickleStateDict(stream, leaveOpen: true, skipTensorRead: false);
        var tensors = new Dictionary<string, Tensor>(table.Count, StringComparer.Ordinal);
        foreach (DictionaryEntry entry in table)
        {
            if (entry.Key is not string key || entry.Value is not Tensor tensor)
                throw new CheckpointCorruptException(path,
                    $"it holds no plain state_dict: the entry \"{Names.Printable(entry.Key?.ToString() ?? "null")}\" is a {entry.Value?.GetType().Name ?? "null"}, not a tensor " +
                    "(a full training checkpoint? save model.state_dict() alone)");
            tensors.Add(key, tensor);
        }
        return tensors;
    }

    private static bool IsMalformedInput(Exception e) => e switch
    {
        CheckpointCorruptException => false,
        EndOfStreamException or InvalidDataException => true,
        // Other I/O failures (permissions, disk errors) are not about the content: let them through as they are.
        IOException or UnauthorizedAccessException or OutOfMemoryException => false,
        _ => true,
    };

    private static string FirstLine(string message)
    {
        var end = message.IndexOfAny(['\r', '\n']);
        return (end < 0 ? message : message[..end]).TrimEnd('.');
    }
}
