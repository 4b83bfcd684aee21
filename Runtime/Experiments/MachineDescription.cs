using System;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace Dsl.Runtime.Experiments;

/// <summary>The machine a report's numbers were measured on, in one line.</summary>
internal static class MachineDescription
{
    public static string Current()
    {
        string cpu = CpuModel() ?? RuntimeInformation.ProcessArchitecture.ToString();
        string device = cuda.is_available() ? $"CUDA ({cuda.device_count()} device(s))" : "CPU";
        string torchSharp = typeof(TorchSharp.torch).Assembly.GetName().Version?.ToString(3) ?? "?";
        return $"{cpu}, {Environment.ProcessorCount} cores, libtorch threads {get_num_threads()}, trained on the {device}; " +
               $"{RuntimeInformation.OSDescription}; {RuntimeInformation.FrameworkDescription}; TorchSharp {torchSharp}";
    }

    private static string? CpuModel()
    {
        try
        {
            return File.Exists("/proc/cpuinfo")
                ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim()
                : null;
        }
        catch (IOException)
        {
            return null;
        }
    }
}
