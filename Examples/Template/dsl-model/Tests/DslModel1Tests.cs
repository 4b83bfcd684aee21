using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace DslModel1.Tests;

public sealed class DslModel1Tests
{
    [Fact]
    public void It_gives_one_score_per_class_for_each_image()
    {
        using var model = new DslModel1();
        model.eval();
        using var images = randn(4, 1, 28, 28);
        using var scores = model.call(images);
        Assert.Equal(new long[] { 4, 10 }, scores.shape);
        Assert.Equal(new long[] { 10 }, DslModel1.OutputShape);
    }

    [Fact]
    public void Its_parameter_count_is_the_one_inferred_at_compile_time()
    {
        using var model = new DslModel1();
        Assert.Equal(DslModel1.ParameterCount, model.parameters().Sum(p => p.numel()));
    }

    [Fact]
    public void A_few_training_steps_lower_the_loss_on_a_fixed_batch()
    {
        torch.random.manual_seed(1);
        using var model = new DslModel1();
        model.train();
        using var images = randn(16, 1, 28, 28);
        using var labels = randint(0, 10, 16);
        using var optimizer = optim.Adam(model.parameters(), lr: 0.01);

        float first = 0, last = 0;
        for (int step = 0; step < 8; step++)
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            var loss = nn.functional.cross_entropy(model.call(images), labels);
            loss.backward();
            optimizer.step();
            if (step == 0) first = loss.item<float>();
            last = loss.item<float>();
        }

        Assert.True(last < first, $"the loss went from {first} to {last}");
    }
}
