using System;
using System.Buffers.Binary;
using System.Collections;
using System.Collections.Generic;
using System.IO;
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
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
            return format == WeightsFormat.Safetensors ? ReadSafetensors(stream, path) : ReadPickle(stream, path);
        }
        catch (Exception e) when (IsMalformedInput(e))
        {
            var formatName = format == WeightsFormat.Safetensors ? "safetensors" : "PyTorch (torch.save zip)";
            throw new CheckpointCorruptException(path, $"it is not a valid {formatName} file ({FirstLine(e.Message)})", e);
        }
    }

    private static Dictionary<string, Tensor> ReadSafetensors(FileStream stream, string path)
    {
        // The header starts with its own length; check it against the file before PyBridge allocates that much.
        Span<byte> lengthBytes = stackalloc byte[8];
        if (stream.Length < 8)
            throw new CheckpointCorruptException(path, $"it is too short for a safetensors file ({stream.Length} bytes)");
        stream.ReadExactly(lengthBytes);
        var headerLength = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
        if (headerLength > (ulong)(stream.Length - 8))
            throw new CheckpointCorruptException(path, $"its safetensors header claims {headerLength} bytes but the file has {stream.Length}");
        stream.Position = 0;
        return Safetensors.LoadStateDict(stream, leaveOpen: true);
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
                    $"it holds no plain state_dict: the entry \"{entry.Key}\" is a {entry.Value?.GetType().Name ?? "null"}, not a tensor " +
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
