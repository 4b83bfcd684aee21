using System;
using System.IO;
using System.Linq;
using Dsl.Examples.Models;
using Dsl.Runtime.Checkpoints;
using Dsl.Runtime.Data;
using Dsl.Runtime.Training;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Dsl.Runtime.Tests.Training;

/// <summary>The three tasks on small synthetic problems, integer inputs, the label check and the normalisation's round trip.</summary>
[Collection("training")]
public class TaskTests(TrainingFixture data) : IClassFixture<TrainingFixture>
{
    [Fact]
    public void Regression_on_synthetic_data_cuts_the_loss_by_a_large_factor()
    {
        Trainer.Seed(1);
        using var weights = randn(8, 3);
        using var x = randn(512, 8) * 3 + 1;
        using var y = x.matmul(weights) + 0.5f + 0.01f * randn(512, 3);
        using var train = new TensorDataset(x.clone(), y.clone());
        using var model = nn.Linear(8, 3);
        using var trainer = new Trainer(model, new TrainerOptions
        {
            Task = TrainingTask.Regression, Epochs = 40, BatchSize = 32, Optimizer = OptimizerKind.Adam, LearningRate = 0.1,
            Schedule = ScheduleKind.Cosine, GradientLogEvery = 0,
        }, CPU);

        var before = trainer.Evaluate(train);
        var result = trainer.Fit(train);
        var after = trainer.Evaluate(train);

        Assert.Equal(StopReason.Completed, result.Reason);
        Assert.True(after.Loss < before.Loss / 50, $"MSE {before.Loss:G3} -> {after.Loss:G3}");
        Assert.Equal(after.Loss, after.Metrics["mse"], 4);
        Assert.True(after.Metrics["mae"] > 0);
        Assert.True(double.IsNaN(after.Accuracy));
        Assert.Equal(new[] { "mae", "mse" }, result.History[^1].Train.Keys.Order());
    }

    [Fact]
    public void L1_regression_and_psnr_for_images()
    {
        Trainer.Seed(2);
        using var clean = data.Train.Subset(0, 64);
        using var noisy = new TensorDataset(clean.Inputs + 0.2f * randn(clean.Inputs.shape), clean.Inputs.clone());
        using var model = nn.Conv2d(1, 1, 3, padding: 1);
        using var trainer = new Trainer(model, new TrainerOptions
        {
            Task = TrainingTask.Regression, RegressionLoss = RegressionLoss.L1, Epochs = 2, BatchSize = 32, GradientLogEvery = 0,
        }, CPU);

        trainer.Fit(noisy);
        var result = trainer.Evaluate(noisy);

        Assert.Equal(result.Loss, result.Metrics["mae"], 4);                       // the L1 loss is the MAE
        Assert.Equal(10 * Math.Log10(1 / result.Metrics["mse"]), result.Metrics["psnr"], 6);
    }

    [Fact]
    public void Token_classification_learns_a_per_position_map_well_above_chance()
    {
        const int Vocabulary = 12, Length = 10;
        Trainer.Seed(3);
        using var ids = randint(0, Vocabulary, new long[] { 512, Length });
        using var targets = (ids * 3 + 1).remainder(Vocabulary);
        targets[TensorIndex.Colon, TensorIndex.Slice(Length - 2)] = tensor(-100L); // padding: ignored by loss and metrics
        using var train = new TensorDataset(ids.clone(), targets.clone());
        using var model = new TokenTagger(Vocabulary);
        using var trainer = new Trainer(model, new TrainerOptions
        {
            Task = TrainingTask.TokenClassification, Epochs = 8, BatchSize = 32, Optimizer = OptimizerKind.Adam, LearningRate = 0.02,
            GradientLogEvery = 0,
        }, CPU);

        trainer.Fit(train);
        var result = trainer.Evaluate(train);

        Assert.True(result.Accuracy > 0.9, $"token accuracy {result.Accuracy:P1}; chance is {1.0 / Vocabulary:P1}");
        Assert.Equal(result.Accuracy, result.Metrics["token_accuracy"]);
        Assert.InRange(result.Metrics["sequence_accuracy"], 0.5, 1.0);
        Assert.Null(trainer.Normalization); // ids are never normalised
    }

    [Fact]
    public void The_repositorys_TinyTransformer_trains_with_default_options()
    {
        Trainer.Seed(4);
        using var ids = randint(0, 100, new long[] { 512, 16 });
        using var labels = nn.functional.one_hot(ids.remainder(4), 4).sum(1).argmax(1); // the majority of id mod 4
        using var train = new TensorDataset(ids.clone(), labels.clone());
        using var model = new TinyTransformer();
        using var trainer = new Trainer(model, new TrainerOptions(), CPU);

        var result = trainer.Fit(train);

        Assert.Equal(StopReason.Completed, result.Reason);
        Assert.Equal(10, result.History.Count);
        Assert.True(result.History[^1].TrainLoss < result.History[0].TrainLoss * 0.9,
            $"loss {result.History[0].TrainLoss:F3} -> {result.History[^1].TrainLoss:F3}");
        Assert.Null(trainer.Normalization);
    }

    [Fact]
    public void Labels_beyond_the_output_are_refused_before_any_step_with_the_largest_label_and_the_width()
    {
        using var model = TrainingFixture.Model(5);
        var before = TrainingFixture.Weights(model);
        using var labels = data.Train.Labels.clone();
        labels[0] = tensor(12L);
        using var bad = new TensorDataset(data.Train.Inputs.clone(), labels.clone());
        using var trainer = new Trainer(model, TrainingFixture.Quick, CPU);

        var error = Assert.Throws<ArgumentException>(() => trainer.Fit(bad));

        Assert.Contains("go up to 12", error.Message);
        Assert.Contains("width 10", error.Message);
        Assert.Single(error.Message.Split('\n'));
        Assert.Equal(0, trainer.Step);
        Assert.Equal(before, TrainingFixture.Weights(model));
    }

    [Theory]
    [InlineData("float labels", "needs integer")]
    [InlineData("images into a transformer", "cannot take the training inputs")]
    [InlineData("regression with the wrong shape", "targets of the output's shape")]
    public void Other_bad_inputs_get_one_line_naming_the_problem(string problem, string message)
    {
        using var scope = NewDisposeScope();
        nn.Module<Tensor, Tensor> model;
        TrainerOptions options;
        TensorDataset train;
        switch (problem)
        {
            case "float labels":
                model = TrainingFixture.Model(6);
                options = TrainingFixture.Quick;
                train = new TensorDataset(data.Train.Inputs.clone(), data.Train.Labels.to(float32));
                break;
            case "images into a transformer":
                model = new TinyTransformer();
                options = new TrainerOptions();
                train = new TensorDataset(data.Train.Inputs.clone(), data.Train.Labels.clone());
                break;
            default:
                model = nn.Linear(4, 2);
                options = new TrainerOptions { Task = TrainingTask.Regression };
                train = new TensorDataset(randn(16, 4), randn(16, 3));
                break;
        }

        using (model)
        using (train)
        using (var trainer = new Trainer(model, options, CPU))
        {
            var error = Assert.Throws<ArgumentException>(() => trainer.Fit(train));
            Assert.Contains(message, error.Message);
            Assert.Single(error.Message.Split('\n'));
        }
    }

    [Fact]
    public void Normalisation_round_trips_through_model_safetensors_with_the_same_accuracy()
    {
        using var temp = new TempDirectory();
        var path = temp.File("model.safetensors");
        double trained;
        Normalization used;
        using (var model = TrainingFixture.Model(7))
        using (var trainer = new Trainer(model, TrainingFixture.Quick with { Epochs = 2 }, CPU))
        {
            trainer.Fit(data.Train);
            used = trainer.Normalization!;
            trained = trainer.Evaluate(data.Test).Accuracy;
            Weights.Save(model, path, trainer.Normalization);
        }

        Assert.NotEqual(0.0, used.Mean[0]);
        using var fresh = TrainingFixture.Model(8);
        var evaluator = Evaluator.FromFile(fresh, path, device: CPU);

        Assert.Equal(used, evaluator.Normalization);
        Assert.Equal(trained, evaluator.Evaluate(data.Test).Accuracy);
        Assert.Equal(used, Weights.ReadNormalization(path));

        // PyTorch's loader ignores the metadata: the file is still a plain state_dict.
        using var plain = TrainingFixture.Model(9);
        Weights.Load(plain, path);
        Assert.Equal(TrainingFixture.Weights(fresh), TrainingFixture.Weights(plain));
    }

    [Fact]
    public void Normalisation_is_per_channel_for_colour_images()
    {
        using var images = cat(new[] { rand(20, 1, 4, 4), rand(20, 1, 4, 4) * 10 + 5 }, 1);
        using var set = new TensorDataset(images.clone(), zeros(20, ScalarType.Int64));

        var normalization = Normalization.Of(set);

        Assert.Equal(2, normalization.Channels);
        Assert.InRange(normalization.Mean[0], 0.3, 0.7);
        Assert.InRange(normalization.Mean[1], 8, 12);
        using var applied = normalization.Apply(set.Inputs);
        using var means = applied.mean(new long[] { 0, 2, 3 });
        Assert.All(means.data<float>().ToArray(), m => Assert.Equal(0, m, 4));
        Assert.Null(Normalization.For(new TensorDataset(randint(0, 5, new long[] { 4, 3 }), zeros(4, ScalarType.Int64))));
    }

    [Fact]
    public void A_custom_loss_and_custom_metric_plug_in()
    {
        using var model = TrainingFixture.Model(10);
        using var trainer = new Trainer(model, TrainingFixture.Quick with { Epochs = 1 }, CPU)
        {
            LossFunction = (output, target) => nn.functional.cross_entropy(output, target) * 2,
            Metrics = new IMetric[] { new AccuracyMetric(), new MeanLogitMetric() },
        };

        var result = trainer.Fit(data.Train, data.Test);
        var plain = nn.functional.cross_entropy(trainer.Predict(data.Test.Inputs), data.Test.Labels).item<float>();

        Assert.Equal(2 * plain, result.History[0].ValidationLoss!.Value, 3);
        Assert.True(result.History[0].Validation!.ContainsKey("mean_logit"));
        Assert.Equal(new[] { "accuracy", "mean_logit" }, result.History[0].Train.Keys.Order());
    }

    private sealed class MeanLogitMetric : IMetric
    {
        public string Name => "mean_logit";

        public Tensor Sums(Tensor output, Tensor target) =>
            stack(new[] { output.to(float64).sum(), tensor((double)output.numel(), float64) });
    }

    private sealed class TokenTagger : nn.Module<Tensor, Tensor>
    {
        private readonly nn.Module<Tensor, Tensor> embed;
        private readonly nn.Module<Tensor, Tensor> head;

        public TokenTagger(int vocabulary)
            : base(nameof(TokenTagger))
        {
            embed = nn.Embedding(vocabulary, 16);
            head = nn.Linear(16, vocabulary);
            RegisterComponents();
        }

        public override Tensor forward(Tensor input) => head.call(embed.call(input));
    }
}
