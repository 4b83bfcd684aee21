using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading;
using Dsl.Examples.Models;
using Dsl.Runtime.Checkpoints;
using Dsl.Runtime.Data;
using Dsl.Runtime.Tests.Data;
using Dsl.Runtime.Tests.Training;
using Dsl.Runtime.Training;
using TorchSharp;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Dsl.Runtime.Tests.Reliability;

/// <summary>
/// Mutates real files — a safetensors file written by <see cref="Weights.Save"/> for TinyResNet, a checkpoint of an
/// interrupted TinyResNet run, an IDX images and labels pair — by byte flips, truncations and header rewrites (huge
/// sizes, overlapping offsets, other dtypes, duplicate names, bad sections re-hashed so they pass the checksum), and
/// loads each mutant. Each either loads with the right result or throws one of the documented one-line exceptions
/// (<see cref="CheckpointCorruptException"/>, <see cref="WeightsMismatchException"/>, <see cref="DataFileException"/>, and
/// for a checkpoint whose stored model name was changed, <see cref="Trainer.LoadCheckpoint(string)"/>'s InvalidOperationException naming both models);
/// anything else fails the test, a native abort kills the test host (so fails the run), and every load's managed
/// allocation is bounded by a multiple of the file's size (libtorch's native memory is not counted by the GC: the
/// process's peak resident memory is reported instead, and bounded loosely).
/// The seed is fixed; <c>DSL_FUZZ_CASES</c> sets the mutants per format (default 150), <c>DSL_FUZZ_SEED</c> the seed.
/// </summary>
public sealed class FileFuzzTests(TrainingFixture data, ITestOutputHelper output) : IClassFixture<TrainingFixture>, IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    private static int Cases => int.TryParse(Environment.GetEnvironmentVariable("DSL_FUZZ_CASES"), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 150;

    private static int Seed => int.TryParse(Environment.GetEnvironmentVariable("DSL_FUZZ_SEED"), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 14;

    /// <summary>Managed bytes one load may allocate: a few copies of the file, plus fixed overhead (the model, JSON, buffers).</summary>
    private static long Bound(long fileBytes) => 4 * fileBytes + 16_000_000;

    private sealed class Tally
    {
        public int Loaded;
        public Dictionary<string, int> Refused { get; } = new();
        public long MaxAllocated;

        public void Refuse(Exception e) => Refused[e.GetType().Name] = Refused.GetValueOrDefault(e.GetType().Name) + 1;

        public override string ToString() =>
            $"{Loaded} loaded, refused: {string.Join(", ", Refused.OrderBy(r => r.Key).Select(r => $"{r.Value} {r.Key}"))}; most allocated by one load {MaxAllocated:N0} bytes";
    }

    private static void Check(Tally tally, string what, long fileBytes, Action load)
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        try
        {
            load();
            tally.Loaded++;
        }
        catch (Exception e) when (e is CheckpointCorruptException or WeightsMismatchException or DataFileException
                                      || e is InvalidOperationException && e.Message.Contains("was written for model", StringComparison.Ordinal))
        {
            Assert.False(e.Message.Contains('\n') || e.Message.Any(char.IsControl), $"{what}: the message is not one clean line: {e.Message}");
            tally.Refuse(e);
        }
        catch (Exception e)
        {
            Assert.Fail($"{what}: undocumented {e.GetType().Name}: {e.Message}");
        }
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        tally.MaxAllocated = Math.Max(tally.MaxAllocated, allocated);
        Assert.True(allocated <= Bound(fileBytes), $"{what}: allocated {allocated:N0} managed bytes for a file of {fileBytes:N0}");
    }

    [Fact]
    public void Mutated_safetensors_files_load_right_or_are_refused_in_one_line()
    {
        var random = new Random(Seed);
        using var scope = torch.NewDisposeScope();
        using var source = new TinyResNet();
        var path = temp.File("real.safetensors");
        Weights.Save(source, path);
        var real = File.ReadAllBytes(path);
        var tally = new Tally();
        var peak = PeakResidentMemory.Reset();
        for (var i = 0; i < Cases; i++)
        {
            var (kind, mutant) = MutateSafetensors(real, random);
            var file = temp.Write($"mutant-{i}.safetensors", mutant);
            using var target = new TinyResNet();
            Check(tally, $"safetensors mutant {i} ({kind})", mutant.Length, () =>
            {
                Weights.Load(target, file, strict: random.Next(2) == 0);
                AssertLoadedAsTheFileSays(target, mutant, kind);
            });
            File.Delete(file);
        }
        output.WriteLine($"safetensors: {Cases} mutants of a {real.Length:N0}-byte file (seed {Seed}): {tally}; peak RSS growth {PeakResidentMemory.GrowthSince(peak)}");
    }

    /// <summary>The right result of a load that succeeded: each tensor of the model holds the bytes the file's own header gives it.</summary>
    private static void AssertLoadedAsTheFileSays(nn.Module target, byte[] file, string kind)
    {
        var length = (int)BinaryPrimitives.ReadUInt64LittleEndian(file);
        var header = JsonNode.Parse(file.AsSpan(8, length))!.AsObject();
        foreach (var (key, tensor) in target.state_dict())
        {
            if (header[key] is not { } entry)
                continue; // non-strict: a tensor the file lacks keeps its value
            var begin = 8 + length + (long)entry["data_offsets"]![0]!;
            var end = 8 + length + (long)entry["data_offsets"]![1]!;
            Assert.True(file.AsSpan((int)begin, (int)(end - begin)).SequenceEqual(tensor.bytes), $"{kind}: {key} does not hold its bytes of the file");
        }
    }

    private static (string Kind, byte[] Bytes) MutateSafetensors(byte[] real, Random random)
    {
        var bytes = (byte[])real.Clone();
        var headerLength = (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        var (header, data) = SafetensorsBytes.Split(real);
        var entries = SafetensorsBytes.Entries(header);
        string Rebuild(IEnumerable<string> texts) => SafetensorsBytes.Header(texts);
        IEnumerable<string> Texts(Func<(string Name, string DType, long[] Shape, long Begin, long End), int, string?> change) =>
            entries.Select((e, i) => change(e, i) ?? SafetensorsBytes.Entry(e.Name, e.DType, e.Shape, e.Begin, e.End));
        var pick = random.Next(entries.Count);
        var other = random.Next(entries.Count);
        switch (random.Next(10))
        {
            case 0:
                for (var k = random.Next(1, 9); k > 0; k--)
                    bytes[random.Next(bytes.Length)] ^= (byte)(1 << random.Next(8));
                return ("byte flips", bytes);
            case 1:
                for (var k = random.Next(1, 5); k > 0; k--)
                    bytes[8 + random.Next(headerLength)] = (byte)random.Next(256);
                return ("header bytes", bytes);
            case 2:
                return ("truncated", bytes[..random.Next(bytes.Length)]);
            case 3:
                BinaryPrimitives.WriteUInt64LittleEndian(bytes, random.Next(2) == 0 ? ulong.MaxValue - (ulong)random.Next(1000) : (ulong)random.NextInt64(headerLength + 1, 1L << 40));
                return ("huge header length", bytes);
            case 4:
                return ("overlapping offsets", SafetensorsBytes.Build(Rebuild(Texts((e, i) => i == pick
                    ? SafetensorsBytes.Entry(e.Name, e.DType, e.Shape, entries[other].Begin, entries[other].End) : null)), data));
            case 5:
                var dtype = new[] { "F16", "BF16", "I64", "U8", "BOOL", "F64", "Q7", "f32", "" }[random.Next(9)];
                return ("wrong dtype", SafetensorsBytes.Build(Rebuild(Texts((e, i) => i == pick ? SafetensorsBytes.Entry(e.Name, dtype, e.Shape, e.Begin, e.End) : null)), data));
            case 6:
                var texts = Texts((_, _) => null).ToList();
                texts.Insert(random.Next(texts.Count + 1), texts[pick]);
                return ("duplicate name", SafetensorsBytes.Build(Rebuild(texts), data));
            case 7:
                var shape = random.Next(3) switch
                {
                    0 => entries[pick].Shape.Select(s => s * 2).ToArray(),
                    1 => [long.MaxValue / 3, 5],
                    _ => entries[pick].Shape.Reverse().ToArray(),
                };
                return ("wrong shape", SafetensorsBytes.Build(Rebuild(Texts((e, i) => i == pick ? SafetensorsBytes.Entry(e.Name, e.DType, shape, e.Begin, e.End) : null)), data));
            case 8:
                var huge = random.NextInt64(data.Length + 1, long.MaxValue);
                return ("offsets beyond the file", SafetensorsBytes.Build(Rebuild(Texts((e, i) => i == pick ? SafetensorsBytes.Entry(e.Name, e.DType, e.Shape, e.Begin, huge) : null)), data));
            default:
                return ("renamed with control characters", SafetensorsBytes.Build(Rebuild(Texts((e, i) => i == pick ? SafetensorsBytes.Entry("\u001b[31m" + e.Name, e.DType, e.Shape, e.Begin, e.End) : null)), data));
        }
    }

    [Fact]
    public void Mutated_pth_files_load_right_or_are_refused_in_one_line()
    {
        var random = new Random(Seed);
        using var scope = torch.NewDisposeScope();
        manual_seed(Seed); // the deflated file's bytes depend on the weights
        using var source = new TinyResNet();
        var path = temp.File("real.pth");
        Weights.Save(source, path); // PyBridge's writer: deflated entries
        var written = File.ReadAllBytes(path);
        var (views, storages) = PthBytes.Of(source);
        var tally = new Tally();
        var peak = PeakResidentMemory.Reset();
        for (var i = 0; i < Cases; i++)
        {
            var (kind, mutant, declared) = MutatePth(written, views, storages, random);
            var file = temp.Write($"mutant-{i}.pth", mutant);
            using var target = new TinyResNet();
            Check(tally, $"pth mutant {i} ({kind})", mutant.Length, () =>
            {
                Weights.Load(target, file, strict: random.Next(2) == 0);
                if (declared is { } d)
                    AssertLoadedAsDeclared(target, d.Views, d.Storages, kind);
            });
            File.Delete(file);
        }
        output.WriteLine($"pth: {Cases} mutants of a {written.Length:N0}-byte file (seed {Seed}): {tally}; peak RSS growth {PeakResidentMemory.GrowthSince(peak)}");
    }

    /// <summary>
    /// The right result of a load that succeeded: each element of each tensor is the storage's element at the view's
    /// offset plus the index times the strides, walked here index by index (not through the reader's as_strided).
    /// </summary>
    private static void AssertLoadedAsDeclared(nn.Module target, List<PthBytes.View> views, List<PthBytes.Storage> storages, string kind)
    {
        foreach (var (key, tensor) in target.state_dict())
        {
            if (views.FirstOrDefault(v => v.Name == key) is not { } view)
                continue;
            var storage = storages.First(s => s.Key == view.Storage);
            var size = tensor.ElementSize;
            var actual = tensor.contiguous().bytes.ToArray();
            var index = new long[view.Shape.Length];
            for (var n = 0L; n < tensor.numel(); n++)
            {
                var offset = view.Offset;
                for (var d = 0; d < index.Length; d++)
                    offset += index[d] * view.Stride[d];
                Assert.True(storage.Bytes.AsSpan((int)(offset * size), (int)size).SequenceEqual(actual.AsSpan((int)(n * size), (int)size)),
                    $"{kind}: {key}[{string.Join(", ", index)}] is not the storage's element {offset}");
                for (var d = index.Length - 1; d >= 0 && ++index[d] == view.Shape[d]; d--)
                    index[d] = 0;
            }
        }
    }

    private static (string Kind, byte[] Bytes, (List<PthBytes.View> Views, List<PthBytes.Storage> Storages)? Declared) MutatePth(
        byte[] written, List<PthBytes.View> realViews, List<PthBytes.Storage> realStorages, Random random)
    {
        var views = realViews.ToList();
        var storages = realStorages.ToList();
        var pick = random.Next(views.Count);
        var view = views[pick];
        var storageIndex = storages.FindIndex(s => s.Key == view.Storage);
        (string, byte[], (List<PthBytes.View>, List<PthBytes.Storage>)?) Declared(string kind) =>
            (kind, PthBytes.File(views, storages, deflate: random.Next(2) == 0), (views, storages));
        long Huge() => random.Next(3) switch { 0 => long.MaxValue - random.Next(1000), 1 => 1L << random.Next(31, 62), _ => int.MaxValue };
        switch (random.Next(11))
        {
            case 0:
                var bytes = (byte[])written.Clone();
                for (var k = random.Next(1, 9); k > 0; k--)
                    bytes[random.Next(bytes.Length)] ^= (byte)(1 << random.Next(8));
                return ("byte flips", bytes, null);
            case 1:
                return ("truncated", written[..random.Next(written.Length)], null);
            case 2:
                var pickle = PthBytes.Pickle(views, storages);
                for (var k = random.Next(1, 5); k > 0; k--)
                    pickle[random.Next(pickle.Length)] = (byte)random.Next(256);
                return ("pickle bytes", PthBytes.Zip(pickle, storages), null);
            case 3:
                storages[storageIndex] = storages[storageIndex] with { Elements = random.Next(2) == 0 ? Huge() : storages[storageIndex].Elements + random.Next(-2, 3) };
                return Declared("storage size");
            case 4:
                views[pick] = view with { Offset = random.Next(2) == 0 ? Huge() : random.Next(-2, 40) };
                return Declared("offset");
            case 5:
                views[pick] = view with
                {
                    Shape = random.Next(3) switch { 0 => view.Shape.Select(s => s * 2).ToArray(), 1 => [Huge(), 3], _ => view.Shape.Reverse().ToArray() },
                };
                views[pick] = views[pick] with { Stride = views[pick].Shape.Length == view.Stride.Length && random.Next(2) == 0 ? view.Stride : PthBytes.ContiguousStrides(views[pick].Shape) };
                return Declared("shape");
            case 6:
                views[pick] = view with { Stride = view.Stride.Select(s => random.Next(4) switch { 0 => 0, 1 => -s, 2 => s * 3, _ => Huge() }).ToArray() };
                return Declared("strides");
            case 7:
                // Two tensors share one storage: legal in PyTorch (tied weights), loaded right when the sizes agree.
                var other = views[random.Next(views.Count)];
                views[pick] = view with { Storage = other.Storage };
                return Declared("shared storage");
            case 8:
                views.Insert(random.Next(views.Count + 1), view);
                return Declared("duplicate name");
            case 9:
                var type = new[] { "DoubleStorage", "HalfStorage", "LongStorage", "ByteStorage", "BoolStorage", "QInt8Storage", "UntypedStorage" }[random.Next(7)];
                storages[storageIndex] = storages[storageIndex] with { Type = type };
                return Declared("storage type");
            default:
                views[pick] = view with { Name = "\u001b[31m" + view.Name };
                return Declared("renamed with control characters");
        }
    }

    [Fact]
    public void Mutated_checkpoints_load_or_are_refused_in_one_line_and_never_abort()
    {
        var random = new Random(Seed);
        var directory = temp.File("run");
        using (var train = data.Train.Subset(0, 64))
        using (var model = TrainingFixture.Model(4))
        using (var trainer = new Trainer(model, TrainingFixture.Quick with { Epochs = 1 }, CPU, directory))
        using (var stop = new CancellationTokenSource())
        {
            trainer.Progress += p => { if (p.Step == 1) stop.Cancel(); };
            Assert.Equal(StopReason.Interrupted, trainer.Fit(train, null, stop.Token).Reason); // last.ckpt mid-epoch: with an rng section
        }
        var real = File.ReadAllBytes(Path.Combine(directory, "last.ckpt"));
        var sections = CheckpointFile.Load(Path.Combine(directory, "last.ckpt")).Sections.ToDictionary(s => s.Key, s => s.Value);
        Assert.Contains("rng", sections.Keys);
        using (var model = TrainingFixture.Model(5))
        using (var trainer = new Trainer(model, TrainingFixture.Quick with { Epochs = 1 }, CPU))
            trainer.LoadCheckpoint(Path.Combine(directory, "last.ckpt")); // the unmutated file loads, so refusals are the mutations'
        var tally = new Tally();
        var peak = PeakResidentMemory.Reset();
        using var original = get_rng_state();
        for (var i = 0; i < Cases; i++)
        {
            var (kind, mutant) = MutateCheckpoint(real, sections, random);
            var file = temp.Write($"mutant-{i}.ckpt", mutant);
            using var model = TrainingFixture.Model(5);
            using var trainer = new Trainer(model, TrainingFixture.Quick with { Epochs = 1 }, CPU);
            Check(tally, $"checkpoint mutant {i} ({kind})", mutant.Length, () =>
            {
                trainer.LoadCheckpoint(file);
                // What Fit would do next with it: hand the generator state to libtorch (where a bad one aborts).
                if (CheckpointFile.Load(file).Sections.TryGetValue("rng", out var rng))
                {
                    using var state = tensor(rng, dtype: uint8);
                    set_rng_state(state);
                }
            });
            File.Delete(file);
        }
        set_rng_state(original);
        output.WriteLine($"checkpoints: {Cases} mutants of a {real.Length:N0}-byte file (seed {Seed}): {tally}; peak RSS growth {PeakResidentMemory.GrowthSince(peak)}");
    }

    private static (string Kind, byte[] Bytes) MutateCheckpoint(byte[] real, Dictionary<string, byte[]> sections, Random random)
    {
        byte[] Rehashed(Dictionary<string, byte[]> changed)
        {
            using var stream = new MemoryStream();
            CheckpointFormat.Write(stream, changed);
            return stream.ToArray();
        }
        var copy = sections.ToDictionary(s => s.Key, s => (byte[])s.Value.Clone());
        var name = copy.Keys.Order(StringComparer.Ordinal).ElementAt(random.Next(copy.Count));
        var section = copy[name];
        switch (random.Next(8))
        {
            case 0:
                var bytes = (byte[])real.Clone();
                for (var k = random.Next(1, 9); k > 0; k--)
                    bytes[random.Next(bytes.Length)] ^= (byte)(1 << random.Next(8));
                return ("byte flips", bytes);
            case 1:
                return ("truncated", real[..random.Next(real.Length)]);
            case 2:
                for (var k = random.Next(1, 9); k > 0; k--)
                    section[random.Next(section.Length)] ^= (byte)(1 << random.Next(8));
                return ($"flips in section {name}, re-hashed", Rehashed(copy));
            case 3:
                // The first bytes of a section are its structure (counts, lengths, dtypes; the generator's fields).
                for (var k = random.Next(1, 4); k > 0; k--)
                    section[random.Next(Math.Min(section.Length, 32))] = (byte)random.Next(256);
                return ($"start of section {name}, re-hashed", Rehashed(copy));
            case 4:
                copy[name] = section[..random.Next(section.Length)];
                return ($"section {name} cut, re-hashed", Rehashed(copy));
            case 5:
                copy[name] = section.Concat(new byte[random.Next(1, 64)]).ToArray();
                return ($"section {name} extended, re-hashed", Rehashed(copy));
            case 6:
                copy.Remove(name);
                return ($"section {name} removed, re-hashed", Rehashed(copy));
            default:
                var json = JsonNode.Parse(copy["state"])!.AsObject();
                var fields = new[] { "Epoch", "Batch", "Step", "StepsPerEpoch", "ScheduleStartEpoch", "PartialSeconds" };
                var wanted = fields[random.Next(fields.Length)];
                var field = json.Select(p => p.Key).FirstOrDefault(k => string.Equals(k, wanted, StringComparison.OrdinalIgnoreCase)) ?? wanted;
                json[field] = new long[] { -1, 0, int.MaxValue, -100000 }[random.Next(4)];
                copy["state"] = Encoding.UTF8.GetBytes(json.ToJsonString());
                return ($"state {field} rewritten, re-hashed", Rehashed(copy));
        }
    }

    [Fact]
    public void Mutated_idx_pairs_load_right_or_are_refused_in_one_line()
    {
        var random = new Random(Seed);
        var images = IdxBytes.Images(200, 28, 28, (n, r, c) => (byte)((n * 7 + r * 3 + c) % 251));
        var labels = IdxBytes.Labels(Enumerable.Range(0, 200).Select(i => (byte)(i % 10)).ToArray());
        var tally = new Tally();
        var peak = PeakResidentMemory.Reset();
        for (var i = 0; i < Cases; i++)
        {
            var mutateImages = random.Next(2) == 0;
            var (kind, mutant) = MutateIdx(mutateImages ? images : labels, random);
            var gzip = random.Next(2) == 0;
            var imagesFile = temp.Write($"images-{i}", gzip ? IdxBytes.Gzip(mutateImages ? mutant : images) : mutateImages ? mutant : images);
            var labelsFile = temp.Write($"labels-{i}", gzip ? IdxBytes.Gzip(mutateImages ? labels : mutant) : mutateImages ? labels : mutant);
            var size = new FileInfo(imagesFile).Length + new FileInfo(labelsFile).Length;
            Check(tally, $"IDX mutant {i} ({kind} of the {(mutateImages ? "images" : "labels")}{(gzip ? ", gzipped" : "")})", size, () =>
            {
                using var set = TensorDataset.FromIdx(imagesFile, labelsFile, 10);
                Assert.Equal(set.Count, set.Labels.shape[0]);
                Assert.InRange(set.Labels.max().item<long>(), 0, 9);
            });
            File.Delete(imagesFile);
            File.Delete(labelsFile);
        }
        output.WriteLine($"IDX: {Cases} mutated pairs (seed {Seed}): {tally}; peak RSS growth {PeakResidentMemory.GrowthSince(peak)}");
    }

    private static (string Kind, byte[] Bytes) MutateIdx(byte[] real, Random random)
    {
        var bytes = (byte[])real.Clone();
        var dimensions = bytes[3];
        switch (random.Next(5))
        {
            case 0:
                for (var k = random.Next(1, 9); k > 0; k--)
                    bytes[random.Next(bytes.Length)] ^= (byte)(1 << random.Next(8));
                return ("byte flips", bytes);
            case 1:
                return ("truncated", bytes[..random.Next(bytes.Length)]);
            case 2:
                BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(4 + 4 * random.Next(dimensions)), (uint)random.NextInt64(0, 1L << 32));
                return ("huge dimension", bytes);
            case 3:
                BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(4), BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(4)) + (uint)random.Next(1, 3));
                return ("count off by a little", bytes);
            default:
                bytes[random.Next(4)] = (byte)random.Next(256);
                return ("magic rewritten", bytes);
        }
    }
}
