using System.Collections.Generic;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Dsl.Benchmarks;

/// <summary>
/// The CIFAR-style ResNet (He et al. 2016, §4.2) for 1×28×28 as people write it by hand in TorchSharp: a basic-block
/// class, a <c>ModuleList</c> per stage, a 1×1 projection where the width doubles, a dispose scope per call. Depth
/// 6n + 2: n = 3 is the example <c>ResNet20</c>, n = 9 <c>ResNet56</c>, with the same layers and parameter count.
/// With <c>inPlace</c>, every ReLU overwrites its input (<c>relu_</c>), as torchvision's <c>ReLU(inplace=True)</c> does:
/// the candidate change for the generator that <c>side-by-side --in-place</c> measures before the generator makes it.
/// Without <c>disposeScopes</c>, it is the network as first written, with no dispose scope anywhere: every intermediate
/// tensor waits for the garbage collector's finalizer (what <c>memory</c> measures).
/// </summary>
internal sealed class HandWrittenResNet : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d stem = nn.Conv2d(1, 16, 3, padding: 1, bias: false);
    private readonly BatchNorm2d bn = nn.BatchNorm2d(16);
    private readonly ModuleList<nn.Module<Tensor, Tensor>> blocks = new();
    private readonly Linear fc = nn.Linear(64, 10);

    private readonly bool inPlace;
    private readonly bool disposeScopes;

    public HandWrittenResNet(int n, bool inPlace = false, bool disposeScopes = true)
        : base("HandWrittenResNet")
    {
        this.inPlace = inPlace;
        this.disposeScopes = disposeScopes;
        var width = 16;
        for (var stage = 0; stage < 3; stage++)
        {
            for (var i = 0; i < n; i++)
            {
                var down = stage > 0 && i == 0;
                blocks.Add(new Basic(down ? width / 2 : width, width, down ? 2 : 1, inPlace, disposeScopes));
            }

            width *= 2;
        }

        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = disposeScopes ? NewDisposeScope() : null;
        var h = Relu(bn.call(stem.call(x)), inPlace);
        foreach (var block in blocks)
        {
            h = block.call(h);
        }

        var y = fc.call(h.mean(new long[] { 2, 3 }));
        return disposeScopes ? y.MoveToOuterDisposeScope() : y;
    }

    /// <summary>ReLU, in place where allowed: BatchNorm's and an add's backward do not read their outputs, so overwriting them is safe.</summary>
    private static Tensor Relu(Tensor x, bool inPlace) => inPlace ? x.relu_() : nn.functional.relu(x);

    private sealed class Basic : nn.Module<Tensor, Tensor>
    {
        private readonly Conv2d conv1;
        private readonly BatchNorm2d bn1;
        private readonly Conv2d conv2;
        private readonly BatchNorm2d bn2;
        private readonly Sequential? shortcut;
        private readonly bool inPlace;
        private readonly bool disposeScopes;

        public Basic(int input, int output, int stride, bool inPlace, bool disposeScopes)
            : base("Basic")
        {
            this.inPlace = inPlace;
            this.disposeScopes = disposeScopes;
            conv1 = nn.Conv2d(input, output, 3, stride: stride, padding: 1, bias: false);
            bn1 = nn.BatchNorm2d(output);
            conv2 = nn.Conv2d(output, output, 3, padding: 1, bias: false);
            bn2 = nn.BatchNorm2d(output);
            shortcut = stride == 1 ? null : nn.Sequential(nn.Conv2d(input, output, 1, stride: stride, bias: false), nn.BatchNorm2d(output));
            RegisterComponents();
        }

        public override Tensor forward(Tensor x)
        {
            using var scope = disposeScopes ? NewDisposeScope() : null;
            var h = Relu(bn1.call(conv1.call(x)), inPlace);
            h = bn2.call(conv2.call(h));
            var y = Relu(inPlace ? h.add_(shortcut is null ? x : shortcut.call(x)) : h + (shortcut is null ? x : shortcut.call(x)), inPlace);
            return disposeScopes ? y.MoveToOuterDisposeScope() : y;
        }
    }
}
