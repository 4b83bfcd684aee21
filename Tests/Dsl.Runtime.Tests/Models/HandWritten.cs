using System.Collections.Generic;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Dsl.Runtime.Tests.Models;

/// <summary>TinyResNet written by hand in TorchSharp, with the same field names (so the same state_dict keys).</summary>
internal sealed class HandWrittenTinyResNet : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d stem = nn.Conv2d(1, 16, 3, padding: 1);
    private readonly BatchNorm2d bn1 = nn.BatchNorm2d(16);
    private readonly Conv2d conv1 = nn.Conv2d(16, 16, 3, padding: 1);
    private readonly BatchNorm2d bn3 = nn.BatchNorm2d(16);
    private readonly Conv2d conv2 = nn.Conv2d(16, 16, 3, padding: 1);
    private readonly BatchNorm2d bn2 = nn.BatchNorm2d(16);
    private readonly Linear fc1 = nn.Linear(16, 10);

    public HandWrittenTinyResNet()
        : base("HandWrittenTinyResNet") => RegisterComponents();

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var s = stem.call(x);
        var h = nn.functional.relu(bn1.call(s));
        h = nn.functional.relu(bn3.call(conv1.call(h)));
        h = bn2.call(conv2.call(h)) + s;
        h = nn.functional.relu(h).mean(new long[] { 2, 3 });
        return fc1.call(h).MoveToOuterDisposeScope();
    }
}

/// <summary>The U-Net example written by hand.</summary>
internal sealed class HandWrittenUNet : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d conv1 = nn.Conv2d(1, 16, 3, padding: 1);
    private readonly Conv2d conv2 = nn.Conv2d(16, 32, 3, padding: 1);
    private readonly Conv2d conv3 = nn.Conv2d(32, 64, 3, padding: 1);
    private readonly Conv2d conv4 = nn.Conv2d(96, 32, 3, padding: 1);
    private readonly ConvTranspose2d up1 = nn.ConvTranspose2d(32, 16, 2, stride: 2);
    private readonly Conv2d conv5 = nn.Conv2d(32, 16, 3, padding: 1);
    private readonly Conv2d head = nn.Conv2d(16, 1, 1);

    public HandWrittenUNet()
        : base("HandWrittenUNet") => RegisterComponents();

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var enc1 = nn.functional.relu(conv1.call(x));
        var enc2 = nn.functional.relu(conv2.call(nn.functional.max_pool2d(enc1, 2)));
        var bottleneck = nn.functional.relu(conv3.call(nn.functional.max_pool2d(enc2, 2)));
        var up2 = cat(new[] { nn.functional.interpolate(bottleneck, scale_factor: new double[] { 2, 2 }), enc2 }, 1);
        var dec = cat(new[] { up1.call(nn.functional.relu(conv4.call(up2))), enc1 }, 1);
        return head.call(nn.functional.relu(conv5.call(dec))).MoveToOuterDisposeScope();
    }
}

/// <summary>The pre-norm Transformer block example written by hand.</summary>
internal sealed class HandWrittenTinyTransformer : nn.Module<Tensor, Tensor>
{
    private readonly Embedding embed = nn.Embedding(100, 32);
    private readonly LayerNorm ln1 = nn.LayerNorm(32);
    private readonly MultiheadAttention attn = nn.MultiheadAttention(32, 4);
    private readonly LayerNorm ln2 = nn.LayerNorm(32);
    private readonly Linear fc1 = nn.Linear(32, 128);
    private readonly Linear fc2 = nn.Linear(128, 32);
    private readonly LayerNorm ln3 = nn.LayerNorm(32);
    private readonly Linear head = nn.Linear(16 * 32, 4);

    public HandWrittenTinyTransformer()
        : base("HandWrittenTinyTransformer") => RegisterComponents();

    public override Tensor forward(Tensor tokens)
    {
        using var scope = NewDisposeScope();
        var x = embed.call(tokens);
        var normed = ln1.call(x).transpose(0, 1);
        var h = x + attn.call(normed, normed, normed, null, false, null).Item1.transpose(0, 1);
        var y = h + fc2.call(nn.functional.gelu(fc1.call(ln2.call(h))));
        return head.call(ln3.call(y).flatten(1)).MoveToOuterDisposeScope();
    }
}

internal static class ModuleFacts
{
    public static long ParameterCount(nn.Module module)
    {
        long total = 0;
        foreach (var p in module.parameters())
        {
            total += p.numel();
        }

        return total;
    }

    public static SortedDictionary<string, string> StateShapes(nn.Module module)
    {
        var result = new SortedDictionary<string, string>();
        foreach (var (key, tensor) in module.state_dict())
        {
            result[key] = string.Join("x", tensor.shape);
        }

        return result;
    }
}
