"""The PyTorch-eager side of `dotnet run -c Release --project Benchmarks -- side-by-side`.

The .NET driver starts this once and sends it one JSON command per line on stdin; it answers one JSON line on stdout.
It runs the generator's own PyTorch export of each model (its `PyTorchSource`), so both sides run the same layers:

  {"op": "load", "name": "ResNet20", "class": "ResNet20", "source": "/tmp/.../ResNet20.py", "input": [1, 28, 28], "batch": 128,
   "tokens": false, "vocab": 0, "task": "classify", "classes": 10}
  {"op": "run", "name": "ResNet20", "mode": "train" | "inference", "steps": 30}   -> {"ms": [...one per step...]}
  {"op": "phases", "name": "ResNet20", "steps": 20}   -> {"phases": [{"zero_grad": ms, "forward": ms, ..., "forward: Conv2d": ms}, ...]}
  {"op": "quit"}

A training step is what the C# side does: zero_grad, forward, loss (cross-entropy on class logits, MSE for dense
outputs), backward, SGD step (lr 0.01, momentum 0.9), loss.item(). Inference is eval() under no_grad().

Needs Debian's PyTorch with OpenBLAS (`sudo apt-get install --no-install-recommends python3-torch libopenblas0-pthread`)
and /usr/bin/python3; this script installs nothing. Without OpenBLAS, Debian's PyTorch runs every matmul on Netlib's
reference BLAS (about 2.5 GFLOP/s here against 116 with OpenBLAS), so its Linear layers and transposed convolutions
would be measured on a BLAS nobody trains with; the ready line names the BLAS libraries loaded and PyTorch's matmul
rate, and the driver warns when that rate is a reference BLAS's.
"""
import importlib.util
import json
import os
import sys
import time

import torch
import torch.nn.functional as F

models = {}


def load(cmd):
    spec = importlib.util.spec_from_file_location(cmd["class"], cmd["source"])
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    torch.manual_seed(0)
    net = getattr(module, cmd["class"])()
    shape = [cmd["batch"]] + list(cmd["input"])
    if cmd["tokens"]:
        x = torch.randint(0, cmd["vocab"], shape, dtype=torch.int64)
    else:
        x = torch.randn(shape)
    with torch.no_grad():
        out = net(x)
    if cmd["task"] == "classify":
        target = torch.randint(0, cmd["classes"], [cmd["batch"]], dtype=torch.int64)
    else:
        target = torch.randn(out.shape)
    optimizer = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9)
    models[cmd["name"]] = (net, x, target, optimizer, cmd["task"])
    return {"ok": True, "parameters": sum(p.numel() for p in net.parameters())}


def train_step(name):
    """One training step of a loaded model, as the C# side's: zero_grad, forward, loss, backward, SGD step, loss.item()."""
    net, x, target, optimizer, task = models[name]
    optimizer.zero_grad()
    out = net(x)
    loss = F.cross_entropy(out, target) if task == "classify" else F.mse_loss(out, target)
    loss.backward()
    optimizer.step()
    loss.item()


def run(cmd):
    net, x, target, optimizer, task = models[cmd["name"]]
    times = []
    if cmd["mode"] == "train":
        net.train()
        for _ in range(cmd["steps"]):
            start = time.perf_counter()
            train_step(cmd["name"])
            times.append((time.perf_counter() - start) * 1000.0)
    else:
        net.eval()
        with torch.no_grad():
            for _ in range(cmd["steps"]):
                start = time.perf_counter()
                out = net(x)
                del out
                times.append((time.perf_counter() - start) * 1000.0)
    return {"ms": times}


def phases(cmd):
    """Training steps timed by phase, the forward pass split by layer kind with hooks on every leaf module (as StepPhases.cs)."""
    net, x, target, optimizer, task = models[cmd["name"]]
    by_kind = {}
    started = {}
    handles = []
    for m in net.modules():
        if any(True for _ in m.children()):
            continue
        kind = "forward: " + type(m).__name__

        def pre(mod, inputs):
            started[id(mod)] = time.perf_counter()

        def post(mod, inputs, output, kind=kind):
            by_kind[kind] = by_kind.get(kind, 0.0) + (time.perf_counter() - started[id(mod)]) * 1000.0

        handles.append(m.register_forward_pre_hook(pre))
        handles.append(m.register_forward_hook(post))
    net.train()
    steps = []
    try:
        for _ in range(cmd["steps"]):
            by_kind.clear()
            phase = {}
            last = time.perf_counter()

            def lap():
                nonlocal last
                now = time.perf_counter()
                ms = (now - last) * 1000.0
                last = now
                return ms

            optimizer.zero_grad()
            phase["zero_grad"] = lap()
            out = net(x)
            phase["forward"] = lap()
            loss = F.cross_entropy(out, target) if task == "classify" else F.mse_loss(out, target)
            phase["loss"] = lap()
            loss.backward()
            phase["backward"] = lap()
            optimizer.step()
            phase["step"] = lap()
            loss.item()
            phase["item"] = lap()
            phase.update(by_kind)
            phase["forward: other (functional ops, merges)"] = phase["forward"] - sum(by_kind.values())
            steps.append(phase)
    finally:
        for h in handles:
            h.remove()
    return {"phases": steps}


def blas():
    """The BLAS libraries this process has mapped (Debian's libblas.so.3 is a link its alternatives choose; LAPACK can
    bring OpenBLAS in beside Netlib's BLAS, so the list alone does not say which one runs the matmuls)."""
    found = []
    with open("/proc/self/maps") as maps:
        for line in maps:
            fields = line.split()
            name = os.path.basename(fields[-1]) if len(fields) >= 6 else ""
            if name.startswith(("libblas.so", "libopenblas", "libblis", "libmkl_rt")) and name not in found:
                found.append(name)
    return ", ".join(found) or "none found"


def matmul_gflops():
    """PyTorch's float32 matmul rate (512 x 512, the threads set): what the BLAS that runs it actually delivers."""
    a, b = torch.randn(512, 512), torch.randn(512, 512)
    a @ b
    start = time.perf_counter()
    for _ in range(3):
        a @ b
    return 3 * 2 * 512 ** 3 / (time.perf_counter() - start) / 1e9


def main():
    threads = int(sys.argv[sys.argv.index("--threads") + 1]) if "--threads" in sys.argv else 2
    torch.set_num_threads(threads)
    print(json.dumps({"ready": True, "torch": torch.__version__, "threads": torch.get_num_threads(),
                      "mkldnn": torch.backends.mkldnn.is_available(), "blas": blas(),
                      "matmul_gflops": matmul_gflops()}), flush=True)
    for line in sys.stdin:
        cmd = json.loads(line)
        if cmd["op"] == "quit":
            break
        try:
            answer = load(cmd) if cmd["op"] == "load" else phases(cmd) if cmd["op"] == "phases" else run(cmd)
        except Exception as e:  # the driver prints it and stops
            answer = {"error": f"{type(e).__name__}: {e}"}
        print(json.dumps(answer), flush=True)


if __name__ == "__main__":
    main()
