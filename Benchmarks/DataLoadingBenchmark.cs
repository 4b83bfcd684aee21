using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using Dsl.Examples.Models;
using Dsl.Runtime.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace Dsl.Benchmarks;

/// <summary>
/// What the data pipeline costs inside a training epoch: the time spent in the loader (shuffled order, the batch
/// gathered, the command line's augmentation for Fashion-MNIST — a crop of the image padded by 2 and a horizontal flip
/// — and normalisation) against the time of the training steps themselves, timed batch by batch in the same loop, as
/// <c>Trainer.Fit</c> runs them (ResNet-20, SGD with momentum, batch 128).
/// </summary>
internal static class DataLoadingBenchmark
{
    public static int Run(string[] args)
    {
        var quick = args.Contains("--quick");
        var rounds = CommandLine.Option(args, "--rounds", quick ? 2 : 3);
        var batches = CommandLine.Option(args, "--batches", quick ? 20 : 60);
        var threads = CommandLine.Option(args, "--threads", 2);
        set_num_threads(threads);
        var full = Directory.Exists("/usr/share/datasets/fashion-mnist");
        using var data = full ? FashionMnist.Load("/usr/share/datasets/fashion-mnist") : FashionMnist.LoadEmbedded();
        var train = data.Train;
        var normalization = Normalization.Of(train);
        var augmentation = new Augmentation(CropPadding: 2, HorizontalFlip: true);
        manual_seed(0);
        using var model = new ResNet20();
        model.train();
        using var optimizer = optim.SGD(model.parameters(), 0.01, momentum: 0.9);

        var loading = new List<double>();
        var stepping = new List<double>();
        var loaderOnly = new List<double>();
        for (var round = 0; round < rounds; round++)
        {
            // A training epoch's first batches, the loader and the step timed apart.
            var loader = new DataLoader(train, 128, shuffle: true, normalization, augmentation);
            var (load, step, taken) = (0.0, 0.0, 0);
            var clock = Stopwatch.StartNew();
            using (var batchesOfEpoch = loader.Epoch(round, 42, CPU).GetEnumerator())
            {
                for (; taken < batches; taken++)
                {
                    clock.Restart();
                    if (!batchesOfEpoch.MoveNext())
                    {
                        break;
                    }

                    load += clock.Elapsed.TotalMilliseconds;
                    using var batch = batchesOfEpoch.Current;
                    clock.Restart();
                    using (NewDisposeScope())
                    {
                        optimizer.zero_grad();
                        var loss = nn.functional.cross_entropy(model.call(batch.Inputs), batch.Labels);
                        loss.backward();
                        optimizer.step();
                        _ = loss.item<float>(); // the trainer reads its loss once per step as well
                    }

                    step += clock.Elapsed.TotalMilliseconds;
                }
            }

            loading.Add(load / taken);
            stepping.Add(step / taken);

            // The loader alone over a whole epoch: what an epoch's data costs without the model's work beside it.
            clock.Restart();
            foreach (var batch in loader.Epoch(round + 100, 42, CPU))
            {
                batch.Dispose();
            }

            loaderOnly.Add(clock.Elapsed.TotalSeconds);
        }

        var perBatchLoad = Statistics.Median(loading);
        var perBatchStep = Statistics.Median(stepping);
        var batchCount = (train.Count + 127) / 128;
        var lines = new[]
        {
            "## Data loading per epoch",
            "",
            $"Command: `dotnet run -c Release --project Benchmarks -- {string.Join(' ', args)}`; {threads} threads, CPU, {DateTime.UtcNow:yyyy-MM-dd}.",
            $"Data: {(full ? "full Fashion-MNIST (/usr/share/datasets/fashion-mnist)" : "the embedded subset")}, {train.Count:N0} training images, batch 128 ({batchCount:N0} batches an epoch), crop (padding 2) + flip + normalisation; ResNet-20 training steps.",
            $"{rounds} rounds of the first {batches} batches of an epoch, loader and step timed apart in the same loop; medians over rounds.",
            "",
            "| | per batch | per epoch (× batches) | share of the epoch |",
            "|---|---:|---:|---:|",
            $"| loader (order, gather, augment, normalise) | {perBatchLoad:F1} ms | {perBatchLoad * batchCount / 1000:F1} s | {perBatchLoad / (perBatchLoad + perBatchStep):P1} |",
            $"| training step (forward, loss, backward, SGD) | {perBatchStep:F1} ms | {perBatchStep * batchCount / 1000:F1} s | {perBatchStep / (perBatchLoad + perBatchStep):P1} |",
            $"| the loader alone over a whole epoch | | {Statistics.Median(loaderOnly):F1} s (range {loaderOnly.Min():F1}–{loaderOnly.Max():F1}) | |",
        };
        var text = string.Join('\n', lines) + "\n";
        Console.WriteLine(text);
        if (CommandLine.Text(args, "--out") is { } outFile)
        {
            File.WriteAllText(outFile, text);
        }

        return 0;
    }
}
