using System;
using TorchSharp;
using static TorchSharp.torch;

namespace Dsl.Runtime.Tests.Checkpoints;

/// <summary>Small hand-written networks with parameters and buffers (BatchNorm running stats, num_batches_tracked).</summary>
internal static class SmallNets
{
    /// <summary>Conv(1→channels) → BatchNorm → ReLU → Flatten → Linear(→3), for 1×8×8 inputs.</summary>
    public static nn.Module<Tensor, Tensor> ConvNet(int channels = 4) =>
        nn.Sequential(
            nn.Conv2d(1, channels, 3),
            nn.BatchNorm2d(channels),
            nn.ReLU(),
            nn.Flatten(),
            nn.Linear(channels * 6 * 6, 3));

    /// <summary>A batch for <see cref="ConvNet"/>.</summary>
    public static Tensor Input(long batch = 5) => randn(batch, 1, 8, 8);

    /// <summary>Runs training-mode forwards so the BatchNorm running stats move away from their defaults.</summary>
    public static void UpdateRunningStats(nn.Module<Tensor, Tensor> net, int batches = 2)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        net.train();
        for (var i = 0; i < batches; i++)
            net.call(Input() * 3 + 1);
    }

    /// <summary>Whether every state_dict tensor of the two modules is equal (same keys, values, dtypes).</summary>
    public static bool SameState(nn.Module a, nn.Module b)
    {
        var left = a.state_dict();
        var right = b.state_dict();
        if (left.Count != right.Count)
            return false;
        foreach (var (key, tensor) in left)
        {
            if (!right.TryGetValue(key, out var other) || !Identical(tensor, other))
                return false;
        }
        return true;
    }

    /// <summary>torch.equal plus dtype: same dtype, same shape, same elements.</summary>
    public static bool Identical(Tensor a, Tensor b) =>
        a.dtype == b.dtype && a.shape.AsSpan().SequenceEqual(b.shape) && a.Equals(b);
}
