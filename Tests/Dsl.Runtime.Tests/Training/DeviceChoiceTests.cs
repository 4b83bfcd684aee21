using System;
using Dsl.Runtime.Devices;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Dsl.Runtime.Tests.Training;

public class DeviceChoiceTests
{
    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("auto")]
    public void Auto_is_cuda_when_available_and_the_cpu_otherwise(string? spec)
    {
        var expected = cuda.is_available() ? DeviceType.CUDA : DeviceType.CPU;
        Assert.Equal(expected, DeviceChoice.Resolve(spec).type);
    }

    [Theory]
    [InlineData("cpu")]
    [InlineData(" CPU ")]
    public void Cpu_is_always_there(string spec)
    {
        Assert.Equal(DeviceType.CPU, DeviceChoice.Resolve(spec).type);
    }

    [Fact]
    public void A_gpu_that_is_not_there_is_refused_with_what_is_there()
    {
        var error = Assert.Throws<ArgumentException>(() => DeviceChoice.Resolve("cuda:99"));
        if (cuda.is_available())
        {
            Assert.Contains($"has {cuda.device_count()} CUDA GPU(s)", error.Message);
        }
        else
        {
            Assert.Contains("no CUDA GPU", error.Message);
            Assert.Contains("--device cpu", error.Message);
        }
    }

    [Theory]
    [InlineData("gpu")]
    [InlineData("cuda:")]
    [InlineData("cuda:x")]
    [InlineData("cuda:-1")]
    public void Text_that_is_not_a_device_is_refused_with_the_text_in_the_message(string spec)
    {
        var error = Assert.Throws<ArgumentException>(() => DeviceChoice.Resolve(spec));
        Assert.Contains($"'{spec}'", error.Message);
    }
}
