#!/usr/bin/env python3
"""PyTorch reference for `npm run bench -- --reference torch` (benchmarks/reference.ts).

Trains the same architectures as scale-bench's built-in models on the same rows, batch size,
batch order, optimiser (Adam) and epoch definition, on one thread, and times it the way
scale-bench times a trial: the model and optimiser are built fresh before the clock starts, the
data is already in memory as pre-cut batches, and the last step's loss is read back to Python
inside the timed region.

It runs as a server: one JSON request per line on stdin, one JSON reply per line on stdout, so the
benchmark can interleave PyTorch trials with scale-bench trials round by round.

Requests:
  {"cmd": "probe"}                         torch version, threads, the BLAS in use, 1024^2 matmul GFLOP/s
  {"cmd": "load", "id": ..., "layers": [...], "data": {...}}
                                           reads the rows (float32 file) and cuts the batches
  {"cmd": "train", "id": ..., "order": [...], "lr": x, "seed": n}
                                           one timed trial: {"seconds", "cpuSeconds", "samples", "loss"}
  {"cmd": "quit"}

Layers: {"type": "dense", "units": n, "activation": "linear"|"relu"},
        {"type": "conv2d", "filters": n, "kernel": [kh, kw], "padding": "same"|"valid", "activation": ...},
        {"type": "maxpool", "pool": [ph, pw], "strides": [sh, sw]}, {"type": "flatten"}.
"""
import json
import os
import sys
import time

# One thread everywhere, before torch loads: torch.set_num_threads does not reach OpenBLAS's own
# thread pool, which otherwise uses every core for a matmul (measured: 221 vs 115 GFLOP/s on 2 cores).
for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS"):
    os.environ[_name] = "1"


def blas_in_use():
    """The BLAS that serves torch's matmuls: the shared library mapped as libblas (after a matmul loaded
    it), by real path. Other BLAS-looking libraries (an OpenBLAS pulled in by LAPACK) are listed too."""
    paths = set()
    try:
        with open("/proc/self/maps", encoding="utf-8") as maps:
            for line in maps:
                parts = line.split()
                name = parts[-1] if len(parts) >= 6 else ""
                if ".so" in name and ("blas" in name or "mkl" in name or "lapack" in name):
                    paths.add(os.path.realpath(name))
    except OSError:
        pass
    names = sorted(paths)
    # The provider of the BLAS symbols torch calls is the library loaded as libblas.so.
    provider = next((p for p in names if os.path.basename(p).startswith("libblas")), None)
    if provider is None:
        provider = next((p for p in names if "lapack" not in os.path.basename(p)), None)
    where = (provider or "").lower()
    if "openblas" in where:
        library = "OpenBLAS"
    elif "mkl" in where:
        library = "MKL"
    elif "blis" in where:
        library = "BLIS"
    elif "atlas" in where:
        library = "ATLAS"
    elif provider:
        # Debian's netlib reference BLAS lives at .../blas/libblas.so.3: unoptimised loops.
        library = "reference BLAS (netlib)"
    else:
        library = "built in (no shared BLAS library mapped)"
    return {"library": library, "provider": provider, "paths": names, "reference": library.startswith("reference")}


def matmul_gflops(torch, size=1024, repeats=3):
    a = torch.randn(size, size)
    b = torch.randn(size, size)
    torch.mm(a, b)
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        torch.mm(a, b)
        best = min(best, time.perf_counter() - start)
    return 2 * size**3 / best / 1e9


def probe(torch):
    gflops = matmul_gflops(torch)
    return {
        "torch": torch.__version__,
        "python": sys.version.split()[0],
        "threads": torch.get_num_threads(),
        "interopThreads": torch.get_num_interop_threads(),
        "blas": blas_in_use(),
        "matmulGflops": gflops,
    }


def build(torch, layers, in_shape):
    """A torch.nn.Sequential from the layer list; in_shape is (channels, h, w) for images or (features,)."""
    modules = []
    shape = list(in_shape)
    for layer in layers:
        kind = layer["type"]
        if kind == "dense":
            width = shape[0] if len(shape) == 1 else None
            if width is None:
                raise ValueError("dense layer on a non-flat input: add a flatten layer first")
            modules.append(torch.nn.Linear(width, int(layer["units"])))
            shape = [int(layer["units"])]
        elif kind == "conv2d":
            kh, kw = layer["kernel"]
            if layer["padding"] == "same":
                if kh % 2 == 0 or kw % 2 == 0:
                    raise ValueError("same padding with an even kernel is not supported here")
                padding = (kh // 2, kw // 2)
                out_h, out_w = shape[1], shape[2]
            else:
                padding = (0, 0)
                out_h, out_w = shape[1] - kh + 1, shape[2] - kw + 1
            modules.append(torch.nn.Conv2d(shape[0], int(layer["filters"]), (kh, kw), padding=padding))
            shape = [int(layer["filters"]), out_h, out_w]
        elif kind == "maxpool":
            ph, pw = layer["pool"]
            sh, sw = layer["strides"]
            modules.append(torch.nn.MaxPool2d((ph, pw), stride=(sh, sw)))
            shape = [shape[0], (shape[1] - ph) // sh + 1, (shape[2] - pw) // sw + 1]
        elif kind == "flatten":
            modules.append(torch.nn.Flatten())
            size = 1
            for d in shape:
                size *= d
            shape = [size]
        else:
            raise ValueError(f"unknown layer type {kind!r}")
        activation = layer.get("activation", "linear")
        if activation == "relu":
            modules.append(torch.nn.ReLU())
        elif activation != "linear":
            raise ValueError(f"unsupported activation {activation!r}")
    return torch.nn.Sequential(*modules)


class Workload:
    def __init__(self, torch, request):
        import numpy

        data = request["data"]
        rows, features = int(data["rows"]), int(data["features"])
        x = numpy.fromfile(data["x"], dtype=numpy.float32, count=rows * features).reshape(rows, features)
        y = numpy.fromfile(data["y"], dtype=numpy.float32, count=rows)
        image = data.get("imageShape")
        if image:
            h, w, c = (int(v) for v in image)
            # scale-bench's rows are NHWC; torch convolves NCHW.
            xt = torch.from_numpy(x.copy()).reshape(rows, h, w, c).permute(0, 3, 1, 2).contiguous()
            self.in_shape = (c, h, w)
        else:
            xt = torch.from_numpy(x.copy())
            self.in_shape = (features,)
        self.classification = data["task"] == "classification"
        if self.classification:
            yt = torch.from_numpy(y.astype(numpy.int64))
            self.loss = torch.nn.CrossEntropyLoss()
        else:
            yt = torch.from_numpy(y.copy()).reshape(rows, 1)
            self.loss = torch.nn.MSELoss()
        batch = int(data["batchSize"])
        # Pre-cut batches, as scale-bench keeps them on its backend.
        self.batches = [(xt[s : s + batch].contiguous(), yt[s : s + batch].contiguous()) for s in range(0, rows, batch)]
        self.layers = request["layers"]

    def train(self, torch, order, lr, seed):
        torch.manual_seed(seed)
        model = build(torch, self.layers, self.in_shape)
        optimizer = torch.optim.Adam(model.parameters(), lr=lr)
        loss_fn = self.loss
        batches = [self.batches[i] for i in order]
        samples = sum(int(b[0].shape[0]) for b in batches)
        start, cpu_start = time.perf_counter(), time.process_time()
        loss = None
        for x, y in batches:
            optimizer.zero_grad(set_to_none=True)
            loss = loss_fn(model(x), y)
            loss.backward()
            optimizer.step()
        final = float(loss)  # the read-back that ends scale-bench's timed region too
        seconds = time.perf_counter() - start
        cpu = time.process_time() - cpu_start
        return {"seconds": seconds, "cpuSeconds": cpu, "samples": samples, "loss": final}


def serve(torch):
    workloads = {}
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        try:
            request = json.loads(line)
            cmd = request.get("cmd")
            if cmd == "probe":
                reply = probe(torch)
            elif cmd == "load":
                workloads[request["id"]] = Workload(torch, request)
                reply = {"loaded": request["id"]}
            elif cmd == "train":
                workload = workloads[request["id"]]
                reply = workload.train(torch, request["order"], float(request["lr"]), int(request.get("seed", 1)))
            elif cmd == "quit":
                return 0
            else:
                reply = {"error": f"unknown command {cmd!r}"}
        except Exception as error:  # reported to the benchmark, which names the model and the reason
            reply = {"error": f"{type(error).__name__}: {error}"}
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()
    return 0


def main():
    try:
        import torch
    except ImportError as error:
        print(f"reference_torch.py: PyTorch is not installed ({error})", file=sys.stderr)
        return 3
    torch.set_num_threads(1)
    torch.set_num_interop_threads(1)
    if "--probe" in sys.argv[1:]:
        print(json.dumps(probe(torch)))
        return 0
    return serve(torch)


if __name__ == "__main__":
    sys.exit(main())
