// The pipeline's schedule overrides and the helpers every schedule twin shares (twins of
// src/core/registry/schedules/common.ts). The dispatch itself, schedule_eval and sched_leaf, is
// generated per pipeline by src/engine/gpu/compose.ts over the schedules that pipeline uses: a
// switch over every kind cost SwiftShader seconds of compile time for code no run executes.

// Kind of the top-level schedule (SCHED_KIND_<Id>, 0 = constant LR) and of the children of a
// composite (SequentialLR, ChainedScheduler; 0 = no child), set per pipeline.
override SCHEDULE_KIND: u32 = 0u;
override SCHEDULE_CHILD_KIND_0: u32 = 0u;
override SCHEDULE_CHILD_KIND_1: u32 = 0u;
override SCHEDULE_CHILD_KIND_2: u32 = 0u;
override SCHEDULE_CHILD_KIND_3: u32 = 0u;

// Optional slots (None) and unused int-list slots hold PARAM_UNSET (-FLT_MAX, see src/core/params.ts).
fn sched_is_set(x: f32) -> bool {
  return x != -3.4028234663852886e38;
}

// WGSL only promises an absolute error of 2^-21 for log inside [0.5, 2], i.e. no relative accuracy
// for ln(gamma) with gamma near 1, which gamma ** k multiplies by k. There: ln x = 2 atanh(t),
// t = (x - 1) / (x + 1), |t| <= 1/3, where x - 1 is exact; the series is truncated below 2^-29.
fn sched_ln(x: f32) -> f32 {
  if (x < 0.5 || x > 2.0) {
    return log(x);
  }
  let t = (x - 1.0) / (x + 1.0);
  let t2 = t * t;
  let p = 0.33333333 + t2 * (0.2 + t2 * (0.14285714 + t2 * (0.11111111 + t2 * (0.09090909 + t2 * (0.07692308 + t2 * 0.06666667)))));
  return 2.0 * (t + t * t2 * p);
}

// WGSL only promises an absolute error of 2^-11 for sin/cos; the cosine-annealing factor needs a
// small relative error where it is small. Taylor polynomials on [-pi/4, pi/4] (truncation below
// 2^-27 relative there); sched_cos_weight never passes more, other callers fall back to the builtin.
fn sched_sin(x: f32) -> f32 {
  if (abs(x) > 0.78539819) {
    return sin(x);
  }
  let x2 = x * x;
  return x + x * x2 * (-0.16666667 + x2 * (0.0083333333 + x2 * (-0.00019841270 + x2 * 0.0000027557319)));
}

fn sched_cos(x: f32) -> f32 {
  if (abs(x) > 0.78539819) {
    return cos(x);
  }
  let x2 = x * x;
  return 1.0 + x2 * (-0.5 + x2 * (0.041666667 + x2 * (-0.0013888889 + x2 * (0.000024801587 + x2 * -0.00000027557319))));
}

// g ** n for integer n, any real g: twin of powInt.
fn sched_powi(g: f32, n: u32) -> f32 {
  if (n == 0u) {
    return 1.0;
  }
  if (g == 0.0) {
    return 0.0;
  }
  let m = exp(f32(n) * sched_ln(abs(g)));
  if (g < 0.0 && (n & 1u) == 1u) {
    return -m;
  }
  return m;
}

// x ** p for x >= 0, real p, as exp(p ln x): twin of powReal (sched_ln keeps relative accuracy near
// x = 1, where WGSL's pow, specified as exp2(p log2 x) with log2 only absolutely accurate there, would not).
fn sched_powr(x: f32, p: f32) -> f32 {
  if (p == 0.0) {
    return 1.0;
  }
  if (p == 1.0) {
    return x;
  }
  if (x == 0.0) {
    return 0.0;
  }
  return exp(p * sched_ln(x));
}

// (1 + cos(pi a / d)) / 2 with b = d - a: twin of cosWeight.
fn sched_cos_weight(a: f32, b: f32, d: f32) -> f32 {
  if (abs(a) <= abs(b)) {
    let c = sched_cos(1.5707963267948966 * (a / d));
    return c * c;
  }
  let s = sched_sin(1.5707963267948966 * (b / d));
  return s * s;
}
