using System;
using System.Collections.Generic;
using System.IO;
using Dsl.Runtime.IO;
using TorchSharp;
using static TorchSharp.torch;

namespace Dsl.Runtime.Checkpoints;

/// <summary>
/// Reads weights files into a module, validating each file's index before any tensor data is read
/// (<see cref="SafetensorsFile"/>, <see cref="PthFile"/>), and turning every way a file can be malformed into a
/// <see cref="CheckpointCorruptException"/> that names it.
/// </summary>
internal static class WeightsFileReader
{
    /// <summary>
    /// Loads the weights file at <paramref name="path"/> into <paramref name="module"/>: the file's index (a safetensors
    /// header, or a <c>.pth</c> file's pickle and zip entries) validated, its names, shapes and dtypes matched to the
    /// module (every mismatch reported before any data is read), then only the tensors the module takes read, each
    /// exactly its own bytes; they are copied in once all are read, so a failure leaves the module as it was.
    /// Temporary tensors are created in the caller's dispose scope.
    /// </summary>
    public static void Load(nn.Module module, string path, WeightsFormat format, bool strict, Func<string, string?>? keyMap)
    {
        try
        {
            using var stream = Open(path);
            if (format == WeightsFormat.Safetensors)
                LoadSafetensors(module, stream, path, strict, keyMap);
            else
                LoadPickle(module, stream, path, strict, keyMap);
        }
        catch (Exception e) when (IsMalformedInput(e))
        {
            var formatName = format == WeightsFormat.Safetensors ? "safetensors" : "PyTorch (torch.save zip)";
            throw new CheckpointCorruptException(path, $"it is not a valid {formatName} file ({Names.FirstLine(e.Message)})", e);
        }
    }

    /// <summary>The validated header of a safetensors file (see <see cref="SafetensorsFile"/>).</summary>
    public static SafetensorsFile ReadSafetensorsHeader(string path)
    {
        using var stream = Open(path);
        return SafetensorsFile.ReadHeader(stream, path);
    }

    private static void LoadSafetensors(nn.Module module, FileStream stream, string path, bool strict, Func<string, string?>? keyMap)
    {
        var file = SafetensorsFile.ReadHeader(stream, path);
        LoadMatched(module, file.Entries, e => e.Name, e => new TensorInfo(e.Shape, e.DType), e => file.ReadTensor(stream, e), path, strict, keyMap);
    }

    private static void LoadPickle(nn.Module module, FileStream stream, string path, bool strict, Func<string, string?>? keyMap)
    {
        using var file = PthFile.Open(stream, path, PthFile.MaxPickleBytes(module.state_dict().Count));
        LoadMatched(module, file.Entries, e => e.Name, e => new TensorInfo(e.Shape, e.DType), e => file.ReadTensor(e, path), path, strict, keyMap);
    }

    /// <summary>
    /// Matches a file's entries (already validated, names unique) to the module by name, shape and dtype, then reads the
    /// planned ones and copies them all in: a file that fails halfway leaves the module untouched.
    /// </summary>
    private static void LoadMatched<TEntry>(nn.Module module, IReadOnlyList<TEntry> fileEntries, Func<TEntry, string> nameOf,
        Func<TEntry, TensorInfo> infoOf, Func<TEntry, Tensor> readTensor, string path, bool strict, Func<string, string?>? keyMap)
    {
        var entries = new Dictionary<string, TEntry>(fileEntries.Count, StringComparer.Ordinal);
        var infos = new Dictionary<string, TensorInfo>(fileEntries.Count, StringComparer.Ordinal);
        foreach (var entry in fileEntries)
        {
            entries.Add(nameOf(entry), entry);
            infos.Add(nameOf(entry), infoOf(entry));
        }

        var plan = StateDictLoader.Plan(module, infos, $"the file {path}", strict, keyMap);
        var read = new List<(Tensor Source, Tensor Destination)>(plan.Count);
        try
        {
            foreach (var (fileKey, destination) in plan)
                read.Add((readTensor(entries[fileKey]), destination));
        }
        catch (Exception e) when (e is EndOfStreamException)
        {
            throw new CheckpointCorruptException(path, "it became shorter while it was being read", e);
        }

        using var noGrad = torch.no_grad();
        foreach (var (source, destination) in read)
            destination.copy_(source);
    }

    /// <summary>Opens a weights file for reading, refusing a FIFO or device (which would block or never end).</summary>
    private static FileStream Open(string path)
    {
        RegularFile.Require(path, reason => new CheckpointCorruptException(path, reason));
        return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
    }

    private static bool IsMalformedInput(Exception e) => e switch
    {
        CheckpointCorruptException or WeightsMismatchException => false,
        EndOfStreamException or InvalidDataException => true,
        // Other I/O failures (permissions, disk errors) are not about the content: let them through as they are.
        IOException or UnauthorizedAccessException or OutOfMemoryException => false,
        _ => true,
    };
}
