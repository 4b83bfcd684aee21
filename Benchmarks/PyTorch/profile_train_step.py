"""PyTorch eager's training step of an exported model under torch.profiler: where PyTorch's own time goes, op by op.

The C# side has no libtorch profiler in TorchSharp 0.107 (`side-by-side --phases` splits its step instead); this
profiles the PyTorch side of `side-by-side`, which runs the generator's export of the same model:

  dotnet run --project Examples -c Release -- export pytorch UNet --out /tmp/unet
  /usr/bin/python3 Benchmarks/PyTorch/profile_train_step.py /tmp/unet UNet --input 1,28,28 --batch 64 --task dense

The model is loaded and stepped by side_by_side.py's own `load` and `train_step`: the same random data, loss
(cross-entropy on class logits, MSE for dense outputs) and SGD (lr 0.01, momentum 0.9); 2 threads. Needs Debian's
PyTorch with OpenBLAS (`sudo apt-get install --no-install-recommends python3-torch libopenblas0-pthread`); installs
nothing.
"""
import argparse
import os
import sys
import time

import torch
from torch.profiler import ProfilerActivity, profile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import side_by_side  # noqa: E402  (beside this file)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", help="the folder `export pytorch` wrote (its model.py)")
    parser.add_argument("cls", help="the model's class in model.py")
    parser.add_argument("--input", required=True, help="one example's shape, comma-separated (1,28,28)")
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--task", choices=["classify", "dense"], default="classify")
    parser.add_argument("--classes", type=int, default=10)
    parser.add_argument("--vocab", type=int, default=0, help="token ids below VOCAB as input (a model that embeds tokens)")
    parser.add_argument("--steps", type=int, default=5, help="profiled steps, after 5 warm-up steps")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--rows", type=int, default=10)
    args = parser.parse_args()

    source = os.path.join(args.folder, "model.py")
    if not os.path.isfile(source):
        parser.error(f"{source} does not exist: write it with `export pytorch <Model> --out {args.folder}`")
    torch.set_num_threads(args.threads)
    side_by_side.load({"name": args.cls, "class": args.cls, "source": source, "input": [int(d) for d in args.input.split(",")],
                       "batch": args.batch, "tokens": args.vocab > 0, "vocab": args.vocab, "task": args.task,
                       "classes": args.classes})
    side_by_side.models[args.cls][0].train()

    for _ in range(5):
        side_by_side.train_step(args.cls)
    start = time.perf_counter()
    for _ in range(args.steps):
        side_by_side.train_step(args.cls)
    print(f"{args.cls}: {(time.perf_counter() - start) * 1000 / args.steps:.1f} ms per training step without the profiler "
          f"(batch {args.batch}, {torch.get_num_threads()} threads, PyTorch {torch.__version__})")
    with profile(activities=[ProfilerActivity.CPU], record_shapes=True) as prof:
        for _ in range(args.steps):
            side_by_side.train_step(args.cls)
    print(f"Under the profiler, {args.steps} steps; ops by self CPU time, grouped by input shapes:")
    print(prof.key_averages(group_by_input_shape=True).table(sort_by="self_cpu_time_total", row_limit=args.rows))


if __name__ == "__main__":
    main()
