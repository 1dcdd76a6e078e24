"""The numpy float32 baseline of docs/performance.md: momentum SGD on Rosenbrock over an LR x momentum
grid, written the careful way (in-place ufuncs, no temporaries per step). Prints instance-steps/s."""
import sys
import time

import numpy as np

n, steps = int(sys.argv[1]), int(sys.argv[2])
side = int(round(n ** 0.5))
LR, MU = (a.ravel().astype(np.float32) for a in np.meshgrid(np.geomspace(1e-5, 1e-3, side), np.linspace(0, 0.9, side)))
n = side * side
x = np.full(n, -1.5, np.float32)
y = np.full(n, 2.0, np.float32)
bx = np.zeros(n, np.float32)
by = np.zeros(n, np.float32)
t = np.empty(n, np.float32)
gx = np.empty(n, np.float32)
tmp = np.empty(n, np.float32)
t0 = time.perf_counter()
for _ in range(steps):
    np.multiply(x, x, out=t)
    np.subtract(y, t, out=t)  # t = y - x^2
    np.multiply(x, t, out=gx)
    gx *= np.float32(-400.0)
    np.subtract(x, np.float32(1.0), out=tmp)
    tmp *= np.float32(2.0)
    gx += tmp  # df/dx = 2 (x - 1) - 400 x t
    t *= np.float32(200.0)  # df/dy
    bx *= MU
    bx += gx
    by *= MU
    by += t
    np.multiply(LR, bx, out=tmp)
    x -= tmp
    np.multiply(LR, by, out=tmp)
    y -= tmp
elapsed = time.perf_counter() - t0
print(n * steps / elapsed)
