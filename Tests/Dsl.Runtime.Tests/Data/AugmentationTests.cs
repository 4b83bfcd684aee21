using System;
using System.Collections.Generic;
using System.Linq;
using Dsl.Runtime.Data;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Dsl.Runtime.Tests.Data;

public sealed class AugmentationTests
{
    private const int Size = 7;

    /// <summary>[n, 2, 7, 7]: channel 0 holds 1 + r·7 + c (every pixel names its place), channel 1 the negation.</summary>
    private static Tensor Positions(int n)
    {
        Tensor one = torch.arange(1, 1 + Size * Size, dtype: ScalarType.Float32).view(1, 1, Size, Size);
        return torch.cat(new[] { one, -one }, 1).expand(n, 2, Size, Size).contiguous();
    }

    [Fact]
    public void Keeps_shape_type_and_leaves_the_input_alone()
    {
        using var scope = torch.NewDisposeScope();
        Tensor batch = Positions(5);
        Tensor copy = batch.clone();

        Tensor result = new Augmentation(CropPadding: 3, HorizontalFlip: true).Apply(batch, new Generator(1, torch.CPU));

        Assert.Equal(batch.shape, result.shape);
        Assert.Equal(ScalarType.Float32, result.dtype);
        Assert.True(Tensors.Same(batch, copy));
    }

    [Fact]
    public void None_returns_an_equal_copy()
    {
        using var scope = torch.NewDisposeScope();
        Tensor batch = Positions(2);

        Tensor result = Augmentation.None.Apply(batch, new Generator(1, torch.CPU));

        Assert.True(Augmentation.None.IsNone);
        Assert.NotSame(batch, result);
        Assert.True(Tensors.Same(batch, result));
    }

    [Fact]
    public void Flip_mirrors_some_images_left_right_and_keeps_the_others()
    {
        using var scope = torch.NewDisposeScope();
        Tensor batch = Positions(64);

        Tensor result = new Augmentation(HorizontalFlip: true).Apply(batch, new Generator(3, torch.CPU));

        int flipped = 0;
        for (int i = 0; i < 64; i++)
        {
            bool same = Tensors.Same(result[i], batch[i]);
            bool mirrored = Tensors.Same(result[i], batch[i].flip(2));
            Assert.True(same ^ mirrored, $"image {i} is neither itself nor its mirror image");
            flipped += mirrored ? 1 : 0;
        }

        Assert.InRange(flipped, 16, 48); // a fair coin 64 times
    }

    [Fact]
    public void Crop_with_padding_shifts_each_image_and_fills_with_zeros()
    {
        using var scope = torch.NewDisposeScope();
        const int padding = 2;
        Tensor batch = Positions(64);

        float[] result = new Augmentation(CropPadding: padding).Apply(batch, new Generator(5, torch.CPU)).data<float>().ToArray();

        var shifts = new HashSet<(int, int)>();
        for (int n = 0; n < 64; n++)
        {
            float[] image = result.Skip(n * 2 * Size * Size).Take(2 * Size * Size).ToArray();
            // The pixel value at the centre says where it came from: 1 + r·7 + c.
            int source = (int)image[3 * Size + 3] - 1;
            (int dy, int dx) = (source / Size - 3, source % Size - 3);
            Assert.InRange(dy, -padding, padding);
            Assert.InRange(dx, -padding, padding);
            shifts.Add((dy, dx));
            for (int r = 0; r < Size; r++)
            {
                for (int c = 0; c < Size; c++)
                {
                    (int sr, int sc) = (r + dy, c + dx);
                    float expected = sr is >= 0 and < Size && sc is >= 0 and < Size ? 1 + sr * Size + sc : 0;
                    Assert.Equal(expected, image[r * Size + c]);
                    Assert.Equal(-expected, image[Size * Size + r * Size + c]);
                }
            }
        }

        Assert.True(shifts.Count >= 10, $"only {shifts.Count} different shifts out of 25 in 64 images");
    }

    [Fact]
    public void The_same_generator_seed_gives_the_same_result_and_another_seed_another()
    {
        using var scope = torch.NewDisposeScope();
        var augmentation = new Augmentation(CropPadding: 2, HorizontalFlip: true);
        Tensor batch = Positions(32);

        Tensor first = augmentation.Apply(batch, new Generator(7, torch.CPU));
        Tensor again = augmentation.Apply(batch, new Generator(7, torch.CPU));
        Tensor other = augmentation.Apply(batch, new Generator(8, torch.CPU));

        Assert.True(Tensors.Same(first, again));
        Assert.False(Tensors.Same(first, other));
    }

    [Fact]
    public void Rejects_negative_padding_and_batches_that_are_not_four_dimensional()
    {
        using var scope = torch.NewDisposeScope();

        Assert.Throws<ArgumentOutOfRangeException>(() => new Augmentation(CropPadding: -1));
        var error = Assert.Throws<ArgumentException>(() => new Augmentation(1).Apply(torch.zeros(3, 7, 7), new Generator(1, torch.CPU)));
        Assert.Contains("[3, 7, 7]", error.Message);
    }
}
