using System.Globalization;
using Dsl.Runtime.Data;
using Dsl.Runtime.Training;

namespace Dsl.Runtime.Interop;

/// <summary>
/// <c>train_ddp.py</c>, which <c>export pytorch</c> writes beside model.py: a <c>torchrun</c>-ready script that trains the
/// exported model on Fashion-MNIST with PyTorch's DistributedDataParallel (NCCL on GPUs, gloo on CPU). Its defaults are
/// filled in from the recipe <c>train</c> uses (<see cref="TrainerOptions"/> as <c>train</c> sets them, the fixed Fashion-MNIST
/// normalisation and the image augmentation), so the two cannot drift apart silently.
/// </summary>
internal static class DdpScript
{
    /// <summary>The script for the model class <paramref name="modelName"/>.</summary>
    public static string For(string modelName, TrainerOptions recipe, Normalization normalization, Augmentation augmentation, string normalizationKey)
    {
        static string F(double value) => value.ToString("R", CultureInfo.InvariantCulture);
        var schedule = recipe.Schedule.ToString().ToLowerInvariant();
        var optimizer = recipe.Optimizer.ToString().ToLowerInvariant();
        var weightDecay = F(recipe.WeightDecay ?? Optimizers.DefaultWeightDecay(recipe.Optimizer));
        var mean = string.Join(", ", System.Linq.Enumerable.Select(normalization.Mean, F));
        var std = string.Join(", ", System.Linq.Enumerable.Select(normalization.Std, F));
        return $$""""
            #!/usr/bin/env python3
            """Train {{modelName}} with PyTorch DistributedDataParallel, the recipe of the C# `train` command.

            Written by `export pytorch`; the defaults below are the C# trainer's. One node:
                torchrun --standalone --nproc_per_node=N train_ddp.py [--data DIR] [--epochs E] ...
            (plain `python3 train_ddp.py` runs one process.)
            Backend: nccl when CUDA is available (one GPU per process, by LOCAL_RANK), else gloo on the CPU.
            --batch-size is the GLOBAL batch (examples per optimizer step over all processes), as in the C# trainer;
            each process takes batch-size / world-size of it. Rank 0 writes model.safetensors (with the input
            normalisation in its metadata, as the C# side writes it) and model.pth to --out, then evaluates on the test
            set and prints one line: `test accuracy A (C/N)`.
            """
            import argparse, gzip, json, math, os, struct, sys

            import torch
            import torch.distributed as dist
            import torch.nn.functional as F
            from torch.nn.parallel import DistributedDataParallel
            from torch.utils.data import DataLoader, DistributedSampler, TensorDataset

            HERE = os.path.dirname(os.path.abspath(__file__))
            sys.path.insert(0, HERE)
            from model import {{modelName}} as Model  # noqa: E402

            MEAN = [{{mean}}]  # the C# side's fixed Fashion-MNIST normalisation (pixels scaled to 0..1)
            STD = [{{std}}]
            NORMALIZATION_KEY = "{{normalizationKey}}"
            CROP_PADDING = {{augmentation.CropPadding}}
            HORIZONTAL_FLIP = {{(augmentation.HorizontalFlip ? "True" : "False")}}
            FILES = ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"]


            def arguments():
                p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
                p.add_argument("--data", default=os.path.join(HERE, "data"), help="folder with the four Fashion-MNIST IDX files, plain or .gz [%(default)s]")
                p.add_argument("--epochs", type=int, default={{recipe.Epochs}})
                p.add_argument("--batch-size", type=int, default={{recipe.BatchSize}}, help="global batch over all processes [%(default)s]")
                p.add_argument("--lr", type=float, default={{F(recipe.LearningRate)}}, help="base (peak) learning rate [%(default)s]")
                p.add_argument("--optimizer", choices=["sgd", "adam", "adamw"], default="{{optimizer}}")
                p.add_argument("--momentum", type=float, default={{F(recipe.Momentum)}})
                p.add_argument("--nesterov", type=int, default={{(recipe.Nesterov ? 1 : 0)}}, help="1: Nesterov momentum for SGD [%(default)s]")
                p.add_argument("--weight-decay", type=float, default={{weightDecay}})
                p.add_argument("--schedule", choices=["onecycle", "cosine", "step", "constant"], default="{{schedule}}")
                p.add_argument("--warmup-steps", type=int, default={{recipe.WarmupSteps}})
                p.add_argument("--step-epochs", type=int, default={{recipe.StepEpochs}})
                p.add_argument("--step-gamma", type=float, default={{F(recipe.StepGamma)}})
                p.add_argument("--max-steps", type=int, default=None, help="stop after this many optimizer steps; the schedule then spans them")
                p.add_argument("--no-augment", action="store_true")
                p.add_argument("--seed", type=int, default={{recipe.Seed}})
                p.add_argument("--out", default=".", help="folder for model.safetensors and model.pth [%(default)s]")
                return p.parse_args()


            def read_idx(folder, name):
                for path, opener in ((os.path.join(folder, name), open), (os.path.join(folder, name + ".gz"), gzip.open)):
                    if os.path.exists(path):
                        with opener(path, "rb") as f:
                            data = f.read()
                        break
                else:
                    sys.exit(f"{folder} has neither {name} nor {name}.gz")
                dims = data[3]
                shape = struct.unpack(">" + "I" * dims, data[4:4 + 4 * dims])
                return torch.frombuffer(bytearray(data[4 + 4 * dims:]), dtype=torch.uint8).reshape(shape)


            def load(folder, train):
                images = read_idx(folder, FILES[0 if train else 2]).to(torch.float32).div_(255).unsqueeze(1)
                labels = read_idx(folder, FILES[1 if train else 3]).to(torch.int64)
                return images, labels


            def normalize(x):
                mean = torch.tensor(MEAN, device=x.device).view(1, -1, 1, 1)
                std = torch.tensor(STD, device=x.device).view(1, -1, 1, 1)
                return (x - mean) / std


            def augment(x, generator):
                """The C# Augmentation: a random crop of the zero-padded image, then a left-right flip of a random half (before normalising)."""
                n, c, h, w = x.shape
                if CROP_PADDING > 0:
                    p = CROP_PADDING
                    padded = F.pad(x, (p, p, p, p))
                    offsets = torch.randint(0, 2 * p + 1, (2, n), generator=generator).to(x.device)
                    rows = offsets[0].unsqueeze(1) + torch.arange(h, device=x.device)
                    cols = offsets[1].unsqueeze(1) + torch.arange(w, device=x.device)
                    x = padded.gather(2, rows.view(n, 1, h, 1).expand(n, c, h, w + 2 * p))
                    x = x.gather(3, cols.view(n, 1, 1, w).expand(n, c, h, w))
                if HORIZONTAL_FLIP:
                    flip = (torch.rand(n, generator=generator) < 0.5).to(x.device)
                    x = torch.where(flip.view(n, 1, 1, 1), x.flip(3), x)
                return x


            def rate_at(a, step, total, steps_per_epoch):
                """The C# LearningRateSchedule: a pure function of the step, with linear warm-up in front."""
                step = max(0, min(step, total - 1))
                warmup = min(a.warmup_steps, total)
                if step < warmup:
                    return a.lr * (step + 1) / warmup
                t, span = step - warmup, max(1, total - warmup)
                if a.schedule == "constant":
                    return a.lr
                if a.schedule == "step":
                    return a.lr * a.step_gamma ** (step // (a.step_epochs * steps_per_epoch))
                if a.schedule == "cosine":
                    return a.lr * (1 + math.cos(math.pi * t / span)) / 2
                initial = a.lr / 25  # one-cycle with PyTorch's OneCycleLR defaults
                minimum = initial / 1e4
                peak = max(1, 0.3 * span - 1)
                last = max(peak + 1, span - 1)
                anneal = lambda lo, hi, f: hi + (lo - hi) / 2 * (math.cos(math.pi * min(1, f)) + 1)  # noqa: E731
                return anneal(initial, a.lr, t / peak) if t <= peak else anneal(a.lr, minimum, (t - peak) / (last - peak))


            def save_safetensors(state, path, metadata):
                """The safetensors format by hand (no `safetensors` package needed): 8-byte little-endian header length,
                the JSON header (dtype, shape, data_offsets; __metadata__), padded with spaces to 8 bytes, then the raw data."""
                dtypes = {torch.float32: "F32", torch.float64: "F64", torch.float16: "F16", torch.bfloat16: "BF16",
                          torch.int64: "I64", torch.int32: "I32", torch.int16: "I16", torch.int8: "I8", torch.uint8: "U8", torch.bool: "BOOL"}
                header, blobs, offset = {"__metadata__": metadata}, [], 0
                for name, tensor in state.items():
                    t = tensor.detach().cpu().contiguous()
                    data = t.reshape(-1).view(torch.uint8).numpy().tobytes() if t.numel() else b""  # reshape: 0-d tensors cannot be viewed as bytes
                    header[name] = {"dtype": dtypes[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
                    blobs.append(data)
                    offset += len(data)
                text = json.dumps(header, separators=(",", ":")).encode("utf-8")
                text += b" " * (-len(text) % 8)
                with open(path, "wb") as f:
                    f.write(struct.pack("<Q", len(text)))
                    f.write(text)
                    for data in blobs:
                        f.write(data)


            def main():
                a = arguments()
                cuda = torch.cuda.is_available()
                if "RANK" not in os.environ:  # plain `python3 train_ddp.py`: one process, no torchrun
                    os.environ.update(RANK="0", WORLD_SIZE="1", LOCAL_RANK="0", MASTER_ADDR="127.0.0.1", MASTER_PORT=os.environ.get("MASTER_PORT", "29500"))
                dist.init_process_group("nccl" if cuda else "gloo")
                rank, world = dist.get_rank(), dist.get_world_size()
                if a.batch_size % world:
                    sys.exit(f"--batch-size {a.batch_size} (global) must be a multiple of the {world} processes")
                local = int(os.environ.get("LOCAL_RANK", 0))
                device = torch.device("cuda", local) if cuda else torch.device("cpu")
                if cuda:
                    torch.cuda.set_device(device)

                torch.manual_seed(a.seed)  # the same initial weights in every process (DDP broadcasts rank 0's anyway)
                model = Model().to(device)
                ddp = DistributedDataParallel(model, device_ids=[local] if cuda else None)
                images, labels = load(a.data, train=True)
                train = TensorDataset(images, labels)
                sampler = DistributedSampler(train, num_replicas=world, rank=rank, shuffle=True, seed=a.seed)
                loader = DataLoader(train, batch_size=a.batch_size // world, sampler=sampler)
                steps_per_epoch = len(loader)
                total = a.epochs * steps_per_epoch if a.max_steps is None else min(a.max_steps, a.epochs * steps_per_epoch)
                if a.optimizer == "sgd":
                    opt = torch.optim.SGD(model.parameters(), lr=a.lr, momentum=a.momentum, weight_decay=a.weight_decay,
                                          nesterov=bool(a.nesterov) and a.momentum > 0)
                elif a.optimizer == "adam":
                    opt = torch.optim.Adam(model.parameters(), lr=a.lr, weight_decay=a.weight_decay)
                else:
                    opt = torch.optim.AdamW(model.parameters(), lr=a.lr, weight_decay=a.weight_decay)

                step = 0
                for epoch in range(a.epochs):
                    if step >= total:
                        break
                    sampler.set_epoch(epoch)
                    generator = torch.Generator().manual_seed(a.seed * 1_000_003 + epoch * 101 + rank)  # augmentation, per process
                    ddp.train()
                    for x, y in loader:
                        if step >= total:
                            break
                        if not a.no_augment:
                            x = augment(x, generator)
                        x, y = normalize(x.to(device)), y.to(device)
                        for group in opt.param_groups:
                            group["lr"] = rate_at(a, step, total, steps_per_epoch)
                        opt.zero_grad()
                        loss = F.cross_entropy(ddp(x), y)
                        loss.backward()
                        opt.step()
                        step += 1
                        if rank == 0 and (step % 10 == 0 or step == total):
                            print(f"epoch {epoch + 1} step {step}/{total} loss {loss.item():.4f}", flush=True)

                if rank == 0:
                    os.makedirs(a.out, exist_ok=True)
                    state = model.state_dict()  # the bare module's: no DDP "module." prefix
                    norm = json.dumps({"Mean": MEAN, "Std": STD}, separators=(",", ":"))
                    save_safetensors(state, os.path.join(a.out, "model.safetensors"), {NORMALIZATION_KEY: norm})
                    torch.save(state, os.path.join(a.out, "model.pth"))
                    test_x, test_y = load(a.data, train=False)
                    model.eval()
                    correct = 0
                    with torch.no_grad():
                        for i in range(0, len(test_y), 256):
                            out = model(normalize(test_x[i:i + 256].to(device)))
                            correct += (out.argmax(1).cpu() == test_y[i:i + 256]).sum().item()
                    print(f"test accuracy {correct / len(test_y):.6f} ({correct}/{len(test_y)})", flush=True)
                dist.barrier()
                dist.destroy_process_group()


            if __name__ == "__main__":
                main()

            """";
    }
}
