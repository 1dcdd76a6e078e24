"""The numpy peer of the network rows of docs/performance.md: a block of runs trained at once
with batched matmuls (np.matmul over a leading run axis), the same forward and backward as
basinlab's network pass, plain SGD. Prints run-steps/s and the pass's FLOP/s.

  fractal: the fractal notebook's setting, mean-field MLP 16-16-1 without biases, tanh, MSE,
           272 training points, full batch (each run its own weights, the data shared).
  iris:    4-8-3 with biases, tanh, cross-entropy, 120 training rows, minibatches of 16 drawn per
           run and step (gathered with fancy indexing, as a batched trainer would), and the loss
           over the whole training set every CHECK_EVERY steps, as basinlab's outcome checkpoints
           evaluate it (the same work per step as the engines).

FLOPs count multiply-adds as two: 6 P B per step (forward, weight gradients, deltas) plus 2 P N per
evaluation of the whole training set (P weights, B batch rows, N training rows), the formula the
bench applies to the engines.

In float32 (the issue's peer for both CPU engines) or float64 (the same code in cpu64's precision:
context for that engine, whose SIMD is two lanes wide where float32's is four).

usage: numpy_network.py fractal|iris RUNS STEPS [CHECK_EVERY] [float32|float64]"""
import sys
import time

import numpy as np

setting, R, steps = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
check_every = int(sys.argv[4]) if len(sys.argv) > 4 else 4
dtype = sys.argv[5] if len(sys.argv) > 5 else 'float32'
if dtype not in ('float32', 'float64'):
    sys.exit(f'numpy_network.py: dtype must be float32 or float64, got {dtype!r}')
rng = np.random.default_rng(0)
# The working precision: every array and constant below is made with it.
ft = np.float32 if dtype == 'float32' else np.float64


def fractal():
    d, h, n = 16, 16, 272
    X = rng.standard_normal((n, d)).astype(ft)
    Y = rng.standard_normal((n,)).astype(ft)
    W1 = rng.standard_normal((R, h, d)).astype(ft)
    W2 = rng.standard_normal((R, 1, h)).astype(ft)
    lr1 = np.geomspace(0.01, 1, R).astype(ft)[:, None, None]
    lr2 = np.geomspace(0.01, 1, R).astype(ft)[::-1].copy()[:, None, None]
    s1, s2, sq2 = ft(1 / np.sqrt(d)), ft(1 / np.sqrt(h)), ft(np.sqrt(2))
    XT = np.ascontiguousarray(X.T)
    t0 = time.perf_counter()
    for _ in range(steps):
        Z1 = np.matmul(X, W1.transpose(0, 2, 1))  # (R, n, h)
        Z1 *= s1 * sq2
        A1 = np.tanh(Z1)
        out = np.matmul(A1, W2.transpose(0, 2, 1))[:, :, 0]  # (R, n)
        out *= s2 * s2
        out -= Y
        gout = out * ft(2 / n) * s2 * s2  # dL/dz2
        gW2 = np.matmul(gout[:, None, :], A1)  # (R, 1, h)
        dA = gout[:, :, None] * W2  # (R, n, h)
        dA *= sq2 * s1
        np.multiply(A1, A1, out=A1)
        np.subtract(ft(1), A1, out=A1)
        dA *= A1
        gW1 = np.matmul(dA.transpose(0, 2, 1), X)  # (R, h, d)
        W1 -= lr1 * gW1
        W2 -= lr2 * gW2
    el = time.perf_counter() - t0
    flops = 6 * n * (d * h + h)
    return el, flops


def iris():
    d, h, c, n, B = 4, 8, 3, 120, 16
    X = rng.standard_normal((n, d)).astype(ft)
    Y = rng.integers(0, c, n)
    W1 = (rng.random((R, h, d), dtype=ft) - ft(0.5))
    b1 = np.zeros((R, 1, h), ft)
    W2 = (rng.random((R, c, h), dtype=ft) - ft(0.5))
    b2 = np.zeros((R, 1, c), ft)
    lr = np.geomspace(0.001, 1, R).astype(ft)[:, None, None]
    ar = np.arange(R)[:, None]
    t0 = time.perf_counter()
    for k in range(steps):
        if k % check_every == 0:
            # The whole training set's loss (the outcome checkpoint).
            Zf = np.matmul(np.tanh(np.matmul(X, W1.transpose(0, 2, 1)) + b1), W2.transpose(0, 2, 1)) + b2
            Zf -= Zf.max(axis=2, keepdims=True)
            lse = np.log(np.exp(Zf).sum(axis=2))
            full = (lse - Zf[:, np.arange(n), Y]).mean(axis=1)
        idx = rng.integers(0, n, (R, B))
        xb = X[idx]  # (R, B, d)
        yb = Y[idx]  # (R, B)
        A1 = np.tanh(np.matmul(xb, W1.transpose(0, 2, 1)) + b1)  # (R, B, h)
        Z2 = np.matmul(A1, W2.transpose(0, 2, 1)) + b2  # (R, B, c)
        Z2 -= Z2.max(axis=2, keepdims=True)
        P = np.exp(Z2)
        P /= P.sum(axis=2, keepdims=True)
        P[ar, np.arange(B)[None, :], yb] -= ft(1)
        P *= ft(1 / B)
        gW2 = np.matmul(P.transpose(0, 2, 1), A1)
        gb2 = P.sum(axis=1, keepdims=True)
        dA = np.matmul(P, W2) * (ft(1) - A1 * A1)
        gW1 = np.matmul(dA.transpose(0, 2, 1), xb)
        gb1 = dA.sum(axis=1, keepdims=True)
        W1 -= lr * gW1
        b1 -= lr * gb1
        W2 -= lr * gW2
        b2 -= lr * gb2
    el = time.perf_counter() - t0
    P = d * h + h + h * c + c
    flops = 6 * P * B + 2 * P * n / check_every
    if not np.isfinite(full).all():
        print('non-finite loss', file=sys.stderr)
    return el, flops


el, flops = {'fractal': fractal, 'iris': iris}[setting]()
print(R * steps / el, R * steps * flops / el)
