"""PyTorch eager's training step of an exported model under torch.profiler: where PyTorch's own time goes, op by op.

The C# side has no libtorch profiler in TorchSharp 0.107 (`side-by-side --phases` splits its step instead); this
profiles the PyTorch side of `side-by-side`, which runs the generator's export of the same model:

  dotnet run --project Examples -c Release -- export pytorch UNet --out /tmp/unet
  /usr/bin/python3 Benchmarks/PyTorch/profile_train_step.py /tmp/unet UNet --input 1,28,28 --batch 64 --task dense

A step is side-by-side's: zero_grad, forward, loss (cross-entropy on class logits, MSE for dense outputs), backward,
SGD step (lr 0.01, momentum 0.9), loss.item(); 2 threads. Needs Debian's PyTorch with OpenBLAS
(`sudo apt-get install --no-install-recommends python3-torch libopenblas0-pthread`); installs nothing.
"""
import argparse
import importlib.util
import os
import time

import torch
import torch.nn.functional as F
from torch.profiler import ProfilerActivity, profile


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", help="the folder `export pytorch` wrote (its model.py)")
    parser.add_argument("cls", help="the model's class in model.py")
    parser.add_argument("--input", required=True, help="one example's shape, comma-separated (1,28,28)")
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--task", choices=["classify", "dense"], default="classify")
    parser.add_argument("--classes", type=int, default=10)
    parser.add_argument("--steps", type=int, default=5, help="profiled steps, after 5 warm-up steps")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--rows", type=int, default=10)
    args = parser.parse_args()

    source = os.path.join(args.folder, "model.py")
    if not os.path.isfile(source):
        parser.error(f"{source} does not exist: write it with `export pytorch <Model> --out {args.folder}`")
    spec = importlib.util.spec_from_file_location("model", source)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    net = getattr(module, args.cls)()
    net.train()
    x = torch.randn([args.batch] + [int(d) for d in args.input.split(",")])
    with torch.no_grad():
        out = net(x)
    target = torch.randint(0, args.classes, [args.batch]) if args.task == "classify" else torch.randn(out.shape)
    optimizer = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9)

    def step():
        optimizer.zero_grad()
        out = net(x)
        loss = F.cross_entropy(out, target) if args.task == "classify" else F.mse_loss(out, target)
        loss.backward()
        optimizer.step()
        loss.item()

    for _ in range(5):
        step()
    start = time.perf_counter()
    for _ in range(args.steps):
        step()
    print(f"{args.cls}: {(time.perf_counter() - start) * 1000 / args.steps:.1f} ms per training step without the profiler "
          f"(batch {args.batch}, {torch.get_num_threads()} threads, PyTorch {torch.__version__})")
    with profile(activities=[ProfilerActivity.CPU], record_shapes=True) as prof:
        for _ in range(args.steps):
            step()
    print(f"Under the profiler, {args.steps} steps; ops by self CPU time, grouped by input shapes:")
    print(prof.key_averages(group_by_input_shape=True).table(sort_by="self_cpu_time_total", row_limit=args.rows))


if __name__ == "__main__":
    main()
