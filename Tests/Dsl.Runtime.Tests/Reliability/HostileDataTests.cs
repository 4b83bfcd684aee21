using System;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using Dsl.Runtime.Data;
using Dsl.Runtime.Tests.Data;
using Xunit;

namespace Dsl.Runtime.Tests.Reliability;

/// <summary>
/// IDX files whose headers lie, and data folders holding what is not a file: each is refused from the header (or the
/// file type) with one line naming the file, before memory for the declared data is taken or a read can block.
/// Allocation is measured on the test's own thread (the readers are synchronous), so other tests do not disturb it.
/// </summary>
public sealed class HostileDataTests : IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    private static long Allocated(Action action)
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        action();
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    [Fact]
    public void A_plain_file_declaring_more_than_it_holds_is_refused_on_its_header()
    {
        // 60,000 images of 28 × 28 declared (47 MB), 100 bytes present: before, a 1 MB buffer was taken and filled first.
        var path = temp.Write("train-images-idx3-ubyte", IdxBytes.Header(0x803, 60000, 28, 28).Concat(new byte[100]).ToArray());
        DataFileException? error = null;

        var allocated = Allocated(() => error = Assert.Throws<DataFileException>(() => IdxReader.ReadImages(path)));

        Assert.Contains(path, error!.Message);
        Assert.Contains("truncated: its header declares 60000 images of 28 × 28 pixels (47040000 bytes of data), but only 100 bytes follow it", error.Message);
        Assert.True(allocated < 200_000, $"refusing the header allocated {allocated:N0} bytes");
    }

    [Fact]
    public void A_gzip_file_declaring_more_than_deflate_can_expand_to_is_refused_on_its_header()
    {
        // 2,000,000 images of 32 × 32 (2 GB) declared in a gzip file of about a kilobyte: no gzip file that small holds that much.
        var path = temp.Write("train-images-idx3-ubyte.gz",
            IdxBytes.Gzip(IdxBytes.Header(0x803, 2_000_000, 32, 32).Concat(new byte[4096]).ToArray()));
        DataFileException? error = null;

        var allocated = Allocated(() => error = Assert.Throws<DataFileException>(() => IdxReader.ReadImages(path)));

        Assert.Contains(path, error!.Message);
        Assert.Contains("more than a", error.Message);
        Assert.Contains("gzip file can hold", error.Message);
        Assert.True(allocated < 200_000, $"refusing the header allocated {allocated:N0} bytes");
    }

    [Fact]
    public void A_gzip_file_whose_header_lies_within_the_bound_fails_at_the_end_of_its_stream_without_a_large_allocation()
    {
        // Incompressible: 1 MB of data, 1 GB declared (under 1032 × the compressed size), so only reading finds the lie.
        var random = new Random(3);
        var pixels = new byte[1 << 20];
        random.NextBytes(pixels);
        var path = temp.Write("train-images-idx3-ubyte.gz", IdxBytes.Gzip(IdxBytes.Header(0x803, 1000, 1000, 1000).Concat(pixels).ToArray()));
        DataFileException? error = null;

        var allocated = Allocated(() => error = Assert.Throws<DataFileException>(() => IdxReader.ReadImages(path)));

        Assert.Contains("truncated", error!.Message);
        Assert.True(allocated < 16_000_000, $"reading 1 MB of a lying file allocated {allocated:N0} bytes");
    }

    [Fact]
    public void Images_and_labels_whose_counts_differ_are_refused_before_the_images_are_read()
    {
        // Before: every image was read (and a 2 MB gzip file of a huge declared size took 4 GiB) before the count was compared.
        var images = temp.Write("images", IdxBytes.Images(2000, 28, 28, (_, _, _) => 0));
        var labels = temp.Write("labels", IdxBytes.Labels(new byte[1999]));
        DataFileException? error = null;

        var allocated = Allocated(() => error = Assert.Throws<DataFileException>(() => TensorDataset.FromIdx(images, labels, 10)));

        Assert.Contains("1999 labels", error!.Message);
        Assert.Contains("2000 images", error.Message);
        Assert.True(allocated < 200_000, $"comparing the counts allocated {allocated:N0} bytes (the images are 1.5 MB)");
    }

    [Fact]
    public async Task A_fifo_in_the_data_folder_is_refused_instead_of_blocking_forever()
    {
        if (OperatingSystem.IsWindows())
            return;
        temp.Write("train-images-idx3-ubyte", IdxBytes.Images(4));
        Assert.Equal(0, Mkfifo.Create(temp.File("train-labels-idx1-ubyte")));
        temp.Write("t10k-images-idx3-ubyte", IdxBytes.Images(2));
        temp.Write("t10k-labels-idx1-ubyte", IdxBytes.Labels(5, 1));

        // Before: opening the FIFO blocked until something wrote to it; a regression must fail here, not hang the run.
        var load = Task.Run(() => Assert.Throws<DataFileException>(() => IdxDirectory.Load(temp.Path, 10)));
        var error = await load.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Contains(temp.File("train-labels-idx1-ubyte"), error.Message);
        Assert.Contains("a FIFO", error.Message);
    }
}
