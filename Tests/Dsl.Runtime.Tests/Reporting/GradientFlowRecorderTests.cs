using System;
using System.Collections.Generic;
using System.Linq;
using Dsl.Runtime.Reporting;
using TorchSharp;
using TorchSharp.Modules;
using Xunit;
using static TorchSharp.torch;

namespace Dsl.Runtime.Tests.Reporting;

public sealed class GradientFlowRecorderTests
{
    private static readonly long[] MlpInput = [8, 6];
    private static readonly long[] CnnInput = [4, 1, 6, 6];

    private static DeepMlp Mlp(bool residual)
    {
        torch.manual_seed(7);
        return new DeepMlp(depth: 5, inputs: 6, width: 8, classes: 3, residual);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Layers_are_module_paths_numbered_from_input_to_output(bool residual)
    {
        using DeepMlp network = Mlp(residual);
        Training.Backward(network, MlpInput, classes: 3, seed: 1);
        var recorder = new GradientFlowRecorder(every: 1);

        recorder.Record(network, step: 0, epoch: 0);

        Assert.Equal(["input", "hidden.0", "hidden.1", "hidden.2", "output"], recorder.Samples.Select(s => s.Layer));
        Assert.Equal([0, 1, 2, 3, 4], recorder.Samples.Select(s => s.LayerIndex));
        Assert.All(recorder.Samples, sample => Assert.Equal((0L, 0), (sample.Step, sample.Epoch)));
    }

    [Fact]
    public void A_layer_norm_is_the_L2_norm_over_all_its_parameter_gradients()
    {
        using DeepMlp network = Mlp(residual: true);
        Training.Backward(network, MlpInput, classes: 3, seed: 2);
        var recorder = new GradientFlowRecorder(every: 1);

        recorder.Record(network, step: 0, epoch: 0);

        // Independently: sqrt(|grad W|² + |grad b|²) from each parameter's own norm().
        Dictionary<string, double> expected = network.named_parameters()
            .GroupBy(p => p.name[..p.name.LastIndexOf('.')])
            .ToDictionary(layer => layer.Key, layer => Math.Sqrt(layer.Sum(p => Math.Pow(GradientNorm(p.parameter), 2))));
        Assert.Equal(5, recorder.Samples.Count);
        foreach (GradientNormSample sample in recorder.Samples)
        {
            Assert.True(sample.Norm > 0, $"{sample.Layer} has no gradient");
            Assert.Equal(expected[sample.Layer], sample.Norm, tolerance: 1e-5 * expected[sample.Layer]);
        }
    }

    [Fact]
    public void Only_every_kth_step_is_recorded()
    {
        using DeepMlp network = Mlp(residual: false);
        Training.Backward(network, MlpInput, classes: 3, seed: 3);
        var recorder = new GradientFlowRecorder(every: 3);

        for (long step = 0; step < 10; step++)
            recorder.Record(network, step, epoch: (int)(step / 5));

        Assert.Equal([0L, 3, 6, 9], recorder.Samples.Select(s => s.Step).Distinct());
        Assert.Equal([0, 0, 1, 1], recorder.Samples.GroupBy(s => s.Step).Select(g => g.First().Epoch));
        Assert.True(recorder.ShouldRecord(300));
        Assert.False(recorder.ShouldRecord(301));
    }

    [Fact]
    public void BatchNorm_is_left_out_by_default_and_kept_on_request()
    {
        torch.manual_seed(11);
        using var network = new SmallCnn();
        Training.Backward(network, CnnInput, classes: 3, seed: 4);
        var withoutNorms = new GradientFlowRecorder(every: 1);
        var withNorms = new GradientFlowRecorder(every: 1, includeNormalisation: true);

        withoutNorms.Record(network, step: 0, epoch: 0);
        withNorms.Record(network, step: 0, epoch: 0);

        Assert.Equal(["conv1", "conv2", "head"], withoutNorms.Samples.Select(s => s.Layer));
        Assert.Equal([0, 1, 2], withoutNorms.Samples.Select(s => s.LayerIndex));
        Assert.Equal(["conv1", "bn1", "conv2", "bn2", "head"], withNorms.Samples.Select(s => s.Layer));
        Assert.Equal([0, 1, 2, 3, 4], withNorms.Samples.Select(s => s.LayerIndex));
    }

    [Fact]
    public void A_layer_without_gradients_gives_no_sample_but_keeps_its_index()
    {
        using var network = new HalfUsedNet();
        Training.Backward(network, [5, 4], classes: 2, seed: 5);
        var recorder = new GradientFlowRecorder(every: 1);

        recorder.Record(network, step: 0, epoch: 0);

        GradientNormSample only = Assert.Single(recorder.Samples);
        Assert.Equal(("used", 1), (only.Layer, only.LayerIndex));
    }

    [Fact]
    public void Recording_leaks_no_tensors()
    {
        using DeepMlp network = Mlp(residual: true);
        Training.Backward(network, MlpInput, classes: 3, seed: 6);
        var recorder = new GradientFlowRecorder(every: 1);
        recorder.Record(network, step: 0, epoch: 0); // warm-up: first-use allocations are not leaks

        long before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        for (long step = 1; step <= 20; step++)
            recorder.Record(network, step, epoch: 0);
        long after = DisposeScopeManager.Statistics.ThreadTotalLiveCount;

        Assert.Equal(before, after);
        Assert.Equal(21 * 5, recorder.Samples.Count);
    }

    [Fact]
    public void Recording_a_step_again_replaces_it_and_everything_after_it()
    {
        using DeepMlp network = Mlp(residual: false);
        Training.Backward(network, MlpInput, classes: 3, seed: 7);
        var recorder = new GradientFlowRecorder(every: 2);
        for (long step = 0; step <= 6; step += 2)
            recorder.Record(network, step, epoch: 0);

        // A resumed run goes back to step 4.
        recorder.Record(network, step: 4, epoch: 1);

        Assert.Equal([0L, 2, 4], recorder.Samples.Select(s => s.Step).Distinct());
        Assert.All(recorder.Samples.Where(s => s.Step == 4), sample => Assert.Equal(1, sample.Epoch));
    }

    [Fact]
    public void Restore_replaces_the_samples()
    {
        var recorder = new GradientFlowRecorder(every: 10);
        recorder.Restore([new GradientNormSample(0, 0, 0, "a", 1.5)]);
        GradientNormSample[] restored = [new(10, 1, 0, "a", 0.5), new(10, 1, 1, "b", 0.25)];

        recorder.Restore(restored);

        Assert.Equal(restored, recorder.Samples);
    }

    [Fact]
    public void Every_must_be_positive()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new GradientFlowRecorder(every: 0));
    }

    private static double GradientNorm(Parameter parameter)
    {
        using var scope = torch.NewDisposeScope();
        return parameter.grad!.norm().item<float>();
    }
}
