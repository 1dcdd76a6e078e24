/*
 * The machine's limit for the headline workload of `npm run bench`: momentum SGD on Rosenbrock
 * (a = 1, b = 100) over an LR x momentum grid, in float32, written the way a C programmer who
 * knows the cache would write it. bench/bench.ts compiles it at run time with the system compiler
 * (cc -O3 -march=native -fopenmp -ffp-contract=off) and skips it, saying so, when there is none.
 *
 * Layout: runs are cut into blocks of BLOCK runs; a block's whole state (x, y and both momentum
 * buffers, plus its LRs and momenta: 6 floats a run, 24 KiB) stays in L1 for all of its steps.
 * The step loop is outside, the run loop inside, so the run loop is a straight vectorisable body
 * with no loop-carried dependence; OpenMP hands whole blocks to the threads.
 *
 * The arithmetic is the float32 twin's (src/core/registry/surfaces/rosenbrock.ts grad and
 * optimizers/SGD.ts step with dampening 0, weight decay 0, no Nesterov), operation for operation:
 *   d1 = 1 - x; d2 = y - x*x; gx = -2*d1 - (400*x)*d2; gy = 200*d2;
 *   buf = buf*mu + g; p = p - lr*buf.
 * -ffp-contract=off keeps the compiler from fusing a multiply and an add into one FMA (which
 * rounds once instead of twice): the results are then bit-identical to the `cpu` engine's and to a
 * JavaScript Math.fround loop, which bench.ts checks before it reports a rate. A zero momentum
 * buffer reproduces torch's first-step clone exactly (0*mu + g == g), as in the GPU kernel.
 * Like the JavaScript loop and numpy, it steps every run for every step: no divergence checks.
 *
 * Usage: momentum SIDE STEPS REPS X0 Y0 [DUMP]
 *   stdin: SIDE float32 LRs (the grid's x axis, i), then SIDE float32 momenta (y axis, j);
 *          run j*SIDE + i takes LR[i] and momentum[j], as the engines' results are laid out.
 *   stdout: one JSON line: the best of REPS timed runs (each starts from the initial state).
 *   DUMP: a file to write the final x of every run then the final y (float32, native order).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#ifdef _OPENMP
#include <omp.h>
#endif

/* 6 arrays x 1024 x 4 bytes = 24 KiB: inside a 32 KiB L1d with room for the stack. */
#define BLOCK 1024

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* One block: BLOCK lanes always (the last block is padded with LR 0), so the inner trip count is a
 * constant and the compiler emits no remainder loop. */
static void run_block(long first, long n, int steps, float x0, float y0, const float *LR, const float *MU, float *X, float *Y) {
  float x[BLOCK] __attribute__((aligned(64)));
  float y[BLOCK] __attribute__((aligned(64)));
  float bx[BLOCK] __attribute__((aligned(64)));
  float by[BLOCK] __attribute__((aligned(64)));
  float lr[BLOCK] __attribute__((aligned(64)));
  float mu[BLOCK] __attribute__((aligned(64)));
  for (int i = 0; i < BLOCK; i++) {
    long r = first + i;
    x[i] = x0;
    y[i] = y0;
    bx[i] = 0.0f;
    by[i] = 0.0f;
    lr[i] = r < n ? LR[r] : 0.0f;
    mu[i] = r < n ? MU[r] : 0.0f;
  }
  for (int k = 0; k < steps; k++) {
#pragma omp simd aligned(x, y, bx, by, lr, mu : 64)
    for (int i = 0; i < BLOCK; i++) {
      float xi = x[i];
      float yi = y[i];
      float d1 = 1.0f - xi;
      float d2 = yi - xi * xi;
      float gx = -2.0f * d1 - (400.0f * xi) * d2;
      float gy = 200.0f * d2;
      float b1 = bx[i] * mu[i] + gx;
      float b2 = by[i] * mu[i] + gy;
      bx[i] = b1;
      by[i] = b2;
      x[i] = xi - lr[i] * b1;
      y[i] = yi - lr[i] * b2;
    }
  }
  for (int i = 0; i < BLOCK && first + i < n; i++) {
    X[first + i] = x[i];
    Y[first + i] = y[i];
  }
}

int main(int argc, char **argv) {
  if (argc < 6) {
    fprintf(stderr, "usage: %s SIDE STEPS REPS X0 Y0 [DUMP] < axes.f32\n", argv[0]);
    return 2;
  }
  long side = atol(argv[1]);
  int steps = atoi(argv[2]);
  int reps = atoi(argv[3]);
  float x0 = strtof(argv[4], NULL);
  float y0 = strtof(argv[5], NULL);
  if (side < 1 || steps < 1 || reps < 1) {
    fprintf(stderr, "SIDE, STEPS and REPS must be positive\n");
    return 2;
  }
  long n = side * side;
  float *axes = malloc(2 * side * sizeof(float));
  float *LR = malloc(n * sizeof(float));
  float *MU = malloc(n * sizeof(float));
  float *X = malloc(n * sizeof(float));
  float *Y = malloc(n * sizeof(float));
  if (!axes || !LR || !MU || !X || !Y) {
    fprintf(stderr, "out of memory for %ld runs\n", n);
    return 1;
  }
  if (fread(axes, sizeof(float), 2 * side, stdin) != (size_t)(2 * side)) {
    fprintf(stderr, "expected %ld float32 axis values on stdin\n", 2 * side);
    return 2;
  }
  /* Per-run values, laid out once outside the timing (numpy's meshgrid is outside its timing too). */
  for (long j = 0; j < side; j++) {
    for (long i = 0; i < side; i++) {
      LR[j * side + i] = axes[i];
      MU[j * side + i] = axes[side + j];
    }
  }
  long blocks = (n + BLOCK - 1) / BLOCK;
  int threads = 1;
#ifdef _OPENMP
  threads = omp_get_max_threads();
#endif
  double best = 1e300;
  for (int rep = 0; rep < reps; rep++) {
    double t0 = now();
#pragma omp parallel for schedule(static)
    for (long b = 0; b < blocks; b++) run_block(b * BLOCK, n, steps, x0, y0, LR, MU, X, Y);
    double t = now() - t0;
    if (t < best) best = t;
  }
  if (argc > 6) {
    FILE *f = fopen(argv[6], "wb");
    if (!f || fwrite(X, sizeof(float), n, f) != (size_t)n || fwrite(Y, sizeof(float), n, f) != (size_t)n || fclose(f) != 0) {
      fprintf(stderr, "could not write %s\n", argv[6]);
      return 1;
    }
  }
  printf("{\"rate\": %.6g, \"seconds\": %.6g, \"threads\": %d, \"block\": %d, \"runs\": %ld, \"steps\": %d}\n", (double)n * steps / best, best, threads,
         BLOCK, n, steps);
  return 0;
}
