using BenchmarkDotNet.Attributes;
using Dsl.Examples.Models;
using Dsl.Runtime.Data;
using Dsl.Runtime.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Dsl.Benchmarks;

/// <summary>
/// What the trainer costs over the loop users write by hand (the baseline): one epoch of TinyResNet on 1,024 embedded
/// Fashion-MNIST images, batch 128, SGD, same data loader, CPU, one thread. The trainer adds a schedule, device-side
/// metric sums, progress and (in the third case) a gradient-norm record at every step, the worst case of
/// <see cref="TrainerOptions.GradientLogEvery"/>.
/// </summary>
[MemoryDiagnoser]
public class TrainingBenchmarks
{
    private DataSplit _data = null!;
    private TensorDataset _train = null!;

    [GlobalSetup]
    public void Setup()
    {
        set_num_threads(1);
        _data = FashionMnist.LoadEmbedded();
        _train = _data.Train.Subset(0, 1024);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _train.Dispose();
        _data.Dispose();
    }

    [Benchmark(Baseline = true, Description = "hand-written loop")]
    public double HandWrittenLoop()
    {
        manual_seed(0);
        using var model = new TinyResNet();
        using var optimizer = optim.SGD(model.parameters(), 0.05, momentum: 0.9);
        var loader = new DataLoader(_train, 128, shuffle: true);
        var total = 0.0;
        foreach (var batch in loader.Epoch(0, 0, CPU))
        {
            using (batch)
            using (NewDisposeScope())
            {
                optimizer.zero_grad();
                var loss = nn.functional.cross_entropy(model.call(batch.Inputs), batch.Labels);
                loss.backward();
                optimizer.step();
                total += loss.item<float>();
            }
        }

        return total;
    }

    [Benchmark(Description = "Trainer.Fit")]
    public double TrainerFit() => Fit(gradientLogEvery: 0);

    [Benchmark(Description = "Trainer.Fit, gradient norms every step")]
    public double TrainerFitRecordingEveryStep() => Fit(gradientLogEvery: 1);

    private double Fit(int gradientLogEvery)
    {
        manual_seed(0);
        using var model = new TinyResNet();
        using var trainer = new Trainer(model, new TrainerOptions
        {
            Epochs = 1, BatchSize = 128, LearningRate = 0.05, Momentum = 0.9, Nesterov = false, Schedule = ScheduleKind.Constant,
            Normalize = false, GradientLogEvery = gradientLogEvery, Seed = 0,
        }, CPU);
        return trainer.Fit(_train).Final!.TrainLoss;
    }
}
