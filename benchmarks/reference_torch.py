#!/usr/bin/env python3
"""PyTorch reference for benchmarks/throughput.ts: training samples/s of the same MLPs on one thread.

Same shapes as scale-bench's built-in models (Dense + ReLU stacks, logits out), the same loss
(softmax cross-entropy, mean over the batch), Adam (lr 1e-3), batch 256 by default, synthetic
float32 data already in memory. Prints one JSON object {model: samples_per_sec} on the last line.

Usage: python3 reference_torch.py --models '{"mlp-small": {"hidden": [64, 64], "features": 32, "classes": 4}}'
                                  [--batch-size 256] [--seconds 1.0] [--repeats 5]
"""
import argparse
import json
import sys
import time


def build(torch, features, hidden, classes):
    layers = []
    width = features
    for units in hidden:
        layers += [torch.nn.Linear(width, units), torch.nn.ReLU()]
        width = units
    layers.append(torch.nn.Linear(width, classes))
    return torch.nn.Sequential(*layers)


def measure(torch, spec, batch_size, seconds, repeats):
    torch.manual_seed(1)
    features, classes = int(spec["features"]), int(spec["classes"])
    model = build(torch, features, [int(h) for h in spec["hidden"]], classes)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = torch.nn.CrossEntropyLoss()
    batches = 64
    x = torch.randn(batches, batch_size, features)
    y = torch.randint(0, classes, (batches, batch_size))

    def step(i):
        optimizer.zero_grad(set_to_none=True)
        loss = loss_fn(model(x[i % batches]), y[i % batches])
        loss.backward()
        optimizer.step()
        return loss

    for i in range(10):  # warm-up: allocator, lazy init
        step(i)
    best = 0.0
    for _ in range(repeats):
        steps, start = 0, time.perf_counter()
        while True:
            loss = step(steps)
            steps += 1
            elapsed = time.perf_counter() - start
            if elapsed >= seconds:
                break
        float(loss)  # a real sync, as the tfjs loop reads its last loss
        elapsed = time.perf_counter() - start
        best = max(best, steps * batch_size / elapsed)
    return best


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", required=True, help="JSON: {name: {hidden: [..], features: n, classes: k}}")
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--seconds", type=float, default=1.0, help="length of one timed repetition")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    try:
        import torch
    except ImportError as error:
        print(f"reference_torch.py: PyTorch is not installed ({error}); pip install torch", file=sys.stderr)
        return 2
    torch.set_num_threads(1)  # one thread, like one scale-bench worker
    specs = json.loads(args.models)
    result = {name: measure(torch, spec, args.batch_size, args.seconds, args.repeats) for name, spec in specs.items()}
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
