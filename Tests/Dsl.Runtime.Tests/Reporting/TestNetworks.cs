using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Dsl.Runtime.Tests.Reporting;

/// <summary>
/// A deep MLP of equal-width linear layers: plain (<c>h = act(W·h)</c>) or residual (<c>h = h + act(W·h)</c>).
/// Layers: <c>input</c>, <c>hidden.0</c> … <c>hidden.{depth-3}</c>, <c>output</c>.
/// </summary>
internal sealed class DeepMlp : nn.Module<Tensor, Tensor>
{
    private readonly Linear input;
    private readonly ModuleList<Linear> hidden = new();
    private readonly Linear output;
    private readonly bool residual;
    private readonly bool sigmoid;

    public DeepMlp(int depth, int inputs, int width, int classes, bool residual, bool sigmoid = false)
        : base(residual ? "ResidualMlp" : "PlainMlp")
    {
        input = nn.Linear(inputs, width);
        for (int i = 0; i < depth - 2; i++)
            hidden.Add(nn.Linear(width, width));
        output = nn.Linear(width, classes);
        this.residual = residual;
        this.sigmoid = sigmoid;
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        Tensor h = Activate(input.call(x));
        foreach (Linear layer in hidden)
            h = residual ? h + Activate(layer.call(h)) : Activate(layer.call(h));
        return output.call(h).MoveToOuterDisposeScope();
    }

    private Tensor Activate(Tensor x) => sigmoid ? torch.sigmoid(x) : torch.tanh(x);
}

/// <summary>A small CNN with BatchNorm after each convolution: layers conv1, bn1, conv2, bn2, head.</summary>
internal sealed class SmallCnn : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d conv1 = nn.Conv2d(1, 4, 3, padding: 1);
    private readonly BatchNorm2d bn1 = nn.BatchNorm2d(4);
    private readonly Conv2d conv2 = nn.Conv2d(4, 8, 3, padding: 1);
    private readonly BatchNorm2d bn2 = nn.BatchNorm2d(8);
    private readonly Linear head = nn.Linear(8, 3);

    public SmallCnn()
        : base("SmallCnn") => RegisterComponents();

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        Tensor h = nn.functional.relu(bn1.call(conv1.call(x)));
        h = nn.functional.relu(bn2.call(conv2.call(h)));
        return head.call(h.mean(new long[] { 2, 3 })).MoveToOuterDisposeScope();
    }
}

/// <summary>Two linear layers of which only <c>used</c> takes part in forward, so <c>unused</c> has no gradient.</summary>
internal sealed class HalfUsedNet : nn.Module<Tensor, Tensor>
{
    private readonly Linear unused = nn.Linear(4, 4);
    private readonly Linear used = nn.Linear(4, 2);

    public HalfUsedNet()
        : base("HalfUsedNet") => RegisterComponents();

    public override Tensor forward(Tensor x) => used.call(x);
}

internal static class Training
{
    /// <summary>Zeroes the gradients, then runs forward and a real backward pass of cross-entropy on a fixed random batch.</summary>
    public static void Backward(nn.Module<Tensor, Tensor> network, long[] inputShape, int classes, int seed)
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(seed);
        network.zero_grad();
        Tensor inputs = torch.randn(inputShape);
        Tensor targets = torch.randint(classes, new long[] { inputShape[0] });
        Tensor loss = nn.functional.cross_entropy(network.call(inputs), targets);
        loss.backward();
    }
}
