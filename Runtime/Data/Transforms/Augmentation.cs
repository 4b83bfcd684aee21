using System;
using TorchSharp;
using static TorchSharp.torch;

namespace Dsl.Runtime.Data;

/// <summary>
/// Training-time augmentation of a whole batch [N, C, H, W] with tensor ops (no per-pixel loops), on any device:
/// a random crop of the image padded by <paramref name="CropPadding"/> zeros on each side (a shift of up to that many
/// pixels each way), then a horizontal flip of a random half. Randomness comes only from the generator passed in,
/// so the same generator state gives the same result.
/// </summary>
/// <param name="CropPadding">Zero padding on each side before cropping back to H × W; 0 disables the crop.</param>
/// <param name="HorizontalFlip">Whether to mirror each image left-right with probability ½.</param>
public sealed record Augmentation(int CropPadding = 0, bool HorizontalFlip = false)
{
    /// <summary>Zero padding on each side before cropping back to H × W; never negative.</summary>
    public int CropPadding { get; init; } = CropPadding >= 0
        ? CropPadding
        : throw new ArgumentOutOfRangeException(nameof(CropPadding), CropPadding, "Crop padding cannot be negative.");

    /// <summary>No augmentation: <see cref="Apply"/> returns a copy of its input.</summary>
    public static readonly Augmentation None = new();

    /// <summary>Whether <see cref="Apply"/> changes anything.</summary>
    public bool IsNone => CropPadding == 0 && !HorizontalFlip;

    /// <summary>Returns an augmented copy of <paramref name="batch"/> (same shape, device and type).</summary>
    /// <param name="batch">Images [N, C, H, W].</param>
    /// <param name="generator">A CPU generator, the only source of randomness.</param>
    public Tensor Apply(Tensor batch, Generator generator)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(generator);
        if (batch.Dimensions != 4)
        {
            throw new ArgumentException($"Augmentation needs a batch [N, C, H, W], but got a tensor of shape [{string.Join(", ", batch.shape)}].", nameof(batch));
        }

        using var scope = torch.NewDisposeScope();
        Tensor result = batch;
        if (CropPadding > 0)
        {
            result = RandomCrop(result, generator);
        }

        if (HorizontalFlip)
        {
            result = RandomFlip(result, generator);
        }

        return (ReferenceEquals(result, batch) ? batch.clone() : result).MoveToOuterDisposeScope();
    }

    /// <summary>Pads with zeros, then takes from each padded image the H × W window at a random offset in 0..2p.</summary>
    private Tensor RandomCrop(Tensor batch, Generator generator)
    {
        long n = batch.shape[0], c = batch.shape[1], h = batch.shape[2], w = batch.shape[3];
        int p = CropPadding;
        Tensor padded = nn.functional.pad(batch, new long[] { p, p, p, p });
        // Offsets are drawn on the CPU so the result does not depend on the batch's device.
        Tensor offsets = torch.randint(0, 2 * p + 1, new long[] { 2, n }, ScalarType.Int64, generator: generator).to(batch.device);
        // rows[i, r] = top offset of image i + r; the same for columns; gather picks those rows, then those columns.
        Tensor rows = offsets[0].unsqueeze(1) + torch.arange(h, ScalarType.Int64, batch.device);
        Tensor columns = offsets[1].unsqueeze(1) + torch.arange(w, ScalarType.Int64, batch.device);
        Tensor cropRows = padded.gather(2, rows.view(n, 1, h, 1).expand(n, c, h, w + 2 * p));
        return cropRows.gather(3, columns.view(n, 1, 1, w).expand(n, c, h, w));
    }

    /// <summary>Mirrors left-right the images for which a fair coin came up heads.</summary>
    private static Tensor RandomFlip(Tensor batch, Generator generator)
    {
        long n = batch.shape[0];
        Tensor flip = (torch.rand(n, generator: generator) < 0.5).to(batch.device);
        return torch.where(flip.view(n, 1, 1, 1), batch.flip(3), batch);
    }
}
