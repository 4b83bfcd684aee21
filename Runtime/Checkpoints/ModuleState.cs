using System.IO;
using TorchSharp;
using static TorchSharp.torch;

namespace Dsl.Runtime.Checkpoints;

/// <summary>
/// A module's parameters and buffers as bytes in TorchSharp's own format (<c>module.save(BinaryWriter)</c>), for a
/// checkpoint section. Loading checks every tensor before copying any, unlike <c>module.load</c>, which stops at the
/// first mismatch with "Mismatched tensor shape while loading" (no tensor named) after overwriting earlier tensors.
/// </summary>
public static class ModuleState
{
    /// <summary>The module's state_dict in TorchSharp's format.</summary>
    public static byte[] SaveModuleState(nn.Module module)
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true))
            module.save(writer);
        return stream.ToArray();
    }

    /// <summary>Loads bytes made by <see cref="SaveModuleState"/> into <paramref name="module"/>, all or nothing.</summary>
    /// <param name="module">The module to load into.</param>
    /// <param name="state">The bytes.</param>
    /// <param name="sourceName">Where they came from, for messages, e.g. "/runs/a/last.ckpt (section model)".</param>
    /// <param name="strict">When false, missing and unexpected tensors are ignored; shapes and dtypes must match anyway.</param>
    /// <exception cref="CheckpointCorruptException">The bytes are truncated or malformed.</exception>
    /// <exception cref="WeightsMismatchException">Tensors differ in shape, dtype or (when strict) names; lists them all.</exception>
    public static void LoadModuleState(nn.Module module, byte[] state, string sourceName, bool strict = true)
    {
        System.ArgumentNullException.ThrowIfNull(module);
        System.ArgumentNullException.ThrowIfNull(state);
        using var scope = torch.NewDisposeScope();
        var saved = TorchSharpStateReader.Read(state, sourceName);
        StateDictLoader.Load(module, saved, sourceName, strict);
    }
}
