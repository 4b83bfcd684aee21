using System;
using System.Globalization;
using TorchSharp;
using static TorchSharp.torch;

namespace Dsl.Runtime.Devices;

/// <summary>
/// Picks the device a run uses: CUDA when TorchSharp sees a GPU, the CPU otherwise, or what the user asked for
/// (<c>cpu</c>, <c>cuda</c>, <c>cuda:1</c>). A GPU only counts when the application references a CUDA build of
/// libtorch (a <c>TorchSharp-cuda-*</c> package); with <c>TorchSharp-cpu</c> CUDA is never available.
/// </summary>
public static class DeviceChoice
{
    /// <summary>The device for <paramref name="spec"/>: null, empty or <c>auto</c> means CUDA when available, else CPU.</summary>
    /// <exception cref="ArgumentException">The text is not a device, or names a GPU that is not there.</exception>
    public static Device Resolve(string? spec)
    {
        var text = spec?.Trim().ToLowerInvariant();
        if (string.IsNullOrEmpty(text) || text == "auto")
        {
            return cuda.is_available() ? CUDA : CPU;
        }

        if (text == "cpu")
        {
            return CPU;
        }

        if (text == "cuda" || text.StartsWith("cuda:", StringComparison.Ordinal))
        {
            var index = 0;
            if (text.Length > "cuda".Length &&
                !int.TryParse(text.Substring("cuda:".Length), NumberStyles.None, CultureInfo.InvariantCulture, out index))
            {
                throw new ArgumentException($"device '{spec}' is not valid: write cuda:N with N a GPU index, e.g. cuda:0");
            }

            if (!cuda.is_available())
            {
                throw new ArgumentException(
                    $"device '{spec}' is not available: TorchSharp sees no CUDA GPU (no GPU or driver, or the application " +
                    "references TorchSharp-cpu rather than a CUDA package); use --device cpu");
            }

            var count = cuda.device_count();
            if (index >= count)
            {
                throw new ArgumentException($"device '{spec}' is not available: this machine has {count} CUDA GPU(s), cuda:0 to cuda:{count - 1}");
            }

            return new Device(DeviceType.CUDA, index);
        }

        throw new ArgumentException($"device '{spec}' is not known: use cpu, cuda or cuda:N");
    }

    /// <summary>A short description for logs: <c>cpu (2 threads)</c> or <c>cuda:0</c>.</summary>
    public static string Describe(Device device) =>
        device.type == DeviceType.CPU
            ? $"cpu ({get_num_threads()} threads)"
            : $"{device.type.ToString().ToLowerInvariant()}:{Math.Max(0, device.index)}";

    /// <summary>True for CUDA devices, where batches come from pinned memory with non-blocking copies.</summary>
    public static bool IsCuda(Device device) => device.type == DeviceType.CUDA;
}
