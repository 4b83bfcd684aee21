using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace Dsl.Runtime.Reporting;

/// <summary>
/// Records per-layer gradient norms during training, to show whether gradients reach the input layers
/// (a deep plain network's norms shrink toward the input; with skip connections they do not).
/// Call <see cref="Record"/> after <c>backward()</c> and before <c>optimizer.step()</c>.
/// </summary>
/// <remarks>
/// A layer is a module path: the parameter name without its last segment (<c>stage1.0.conv1</c> for
/// <c>stage1.0.conv1.weight</c>; parameters of the root module itself form the layer <c>(root)</c>).
/// Its norm is the L2 norm over the gradients of all its parameters. By default only layers with a parameter of
/// rank 2 or more are recorded (convolutions, linear layers, attention projections), which leaves out
/// BatchNorm and LayerNorm. All norms of a step are computed on the device and copied to the CPU in one transfer.
/// </remarks>
public sealed class GradientFlowRecorder
{
    /// <summary>The layer name given to parameters that belong to the root module itself.</summary>
    public const string RootLayerName = "(root)";

    private readonly List<GradientNormSample> samples = new();
    private readonly ReadOnlyCollection<GradientNormSample> samplesView;

    /// <summary>Creates a recorder.</summary>
    /// <param name="every">Record one step in this many (steps 0, every, 2·every, …).</param>
    /// <param name="includeNormalisation">Also record layers whose parameters are all vectors (BatchNorm, LayerNorm, lone biases).</param>
    public GradientFlowRecorder(int every = 50, bool includeNormalisation = false)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(every, 1);
        Every = every;
        IncludeNormalisation = includeNormalisation;
        samplesView = samples.AsReadOnly();
    }

    /// <summary>Steps between two recorded steps.</summary>
    public int Every { get; }

    /// <summary>Whether layers without a matrix-shaped parameter (BatchNorm, LayerNorm) are recorded too.</summary>
    public bool IncludeNormalisation { get; }

    /// <summary>Everything recorded so far, in recording order (by step, then by layer index).</summary>
    public IReadOnlyList<GradientNormSample> Samples => samplesView;

    /// <summary>Whether <see cref="Record"/> records at this step: <c>step % Every == 0</c>.</summary>
    public bool ShouldRecord(long step) => step % Every == 0;

    /// <summary>
    /// Records the gradient norm of every layer of <paramref name="module"/> at <paramref name="step"/>, if
    /// <see cref="ShouldRecord"/> says so (otherwise does nothing). Parameters without a gradient are skipped;
    /// a layer none of whose parameters has one gives no sample but keeps its index.
    /// Samples already held for this step or later ones are replaced: a run resumed from an earlier checkpoint rewrites its future.
    /// </summary>
    public void Record(nn.Module module, long step, int epoch)
    {
        ArgumentNullException.ThrowIfNull(module);
        if (!ShouldRecord(step))
            return;

        // Reading p.grad creates a new tensor handle each time: the scope frees every handle made here.
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();

        IReadOnlyList<ParameterGroup> layers = ParameterGroup.ByLayer(module, IncludeNormalisation);
        var measured = new List<(ParameterGroup Layer, Tensor SumOfSquares)>();
        foreach (ParameterGroup layer in layers)
        {
            Tensor? sumOfSquares = layer.GradientSumOfSquares();
            if (sumOfSquares is not null)
                measured.Add((layer, sumOfSquares));
        }

        samples.RemoveAll(sample => sample.Step >= step);
        if (measured.Count == 0)
            return;

        double[] norms = NormsOnTheCpu(measured.Select(entry => entry.SumOfSquares).ToList());
        for (int i = 0; i < measured.Count; i++)
            samples.Add(new GradientNormSample(step, epoch, measured[i].Layer.Index, measured[i].Layer.Name, norms[i]));
    }

    /// <summary>
    /// Replaces everything recorded with <paramref name="restored"/>, for a run that resumes
    /// (for example with <see cref="RunReport.ReadGradientCsv"/> of the run's earlier log).
    /// </summary>
    public void Restore(IEnumerable<GradientNormSample> restored)
    {
        ArgumentNullException.ThrowIfNull(restored);
        List<GradientNormSample> copy = restored.ToList();
        samples.Clear();
        samples.AddRange(copy);
    }

    // One stack on the device, then a single copy to the CPU: a transfer per layer would synchronise the GPU once per layer.
    private static double[] NormsOnTheCpu(IReadOnlyList<Tensor> sumsOfSquares)
    {
        Device device = sumsOfSquares[0].device;
        ScalarType type = sumsOfSquares.Any(sum => sum.dtype == ScalarType.Float64) ? ScalarType.Float64 : ScalarType.Float32;
        Tensor[] aligned = sumsOfSquares.Select(sum => sum.to(type, device)).ToArray();
        Tensor norms = torch.stack(aligned).sqrt().cpu();
        return type == ScalarType.Float64
            ? norms.data<double>().ToArray()
            : norms.data<float>().ToArray().Select(norm => (double)norm).ToArray();
    }
}
