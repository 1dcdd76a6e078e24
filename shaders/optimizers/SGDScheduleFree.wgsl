// Schedule-Free SGD after schedulefree/sgd_schedulefree.py (facebookresearch/schedule_free,
// SGDScheduleFree.step, non-foreach branch; not in torch). Twin of
// src/core/registry/optimizers/SGDScheduleFree.ts: same operations in the same order.
// S[0]: x, the eval() point (reported). State: y, where the kernel takes the gradient (GRAD_SLOT); z;
// group: (lr_max, weight_sum), the reference's group scalars.

fn opt_init() {
  S[SGDScheduleFree_S_y] = S[0];
  S[SGDScheduleFree_S_z] = S[0];
  S[SGDScheduleFree_S_group] = vec2f(-1.0, 0.0);
}

// sc = (warmup factor, (k+1) ** r, 0, 0) with t = k + 1: step-count-only, so the engine reads them
// from a per-step table unless warmup_steps or r is swept. Selects: both may differ per run.
fn opt_step_scalars(mom: f32, t: f32) -> vec4f {
  let warmup = param(SGDScheduleFree_warmup_steps);
  let power = param(SGDScheduleFree_r);
  let sched = select(1.0, t / warmup, t - 1.0 < warmup);
  let tr = select(pow(t, power), 1.0, power == 0.0);
  return vec4f(sched, tr, 0.0, 0.0);
}

fn opt_step(g: vec2f, lr: f32, mom: f32, t: f32, sc: vec4f) {
  let wd = param(SGDScheduleFree_weight_decay);
  let lrs = lr * sc.x;
  // lr_max, weight, weight_sum, ckp1 (0 where the reference catches ZeroDivisionError).
  let lr_max = max(lrs, S[SGDScheduleFree_S_group].x);
  let weight = sc.y * py_pow(lr_max, param(SGDScheduleFree_weight_lr_power));
  let weight_sum = S[SGDScheduleFree_S_group].y + weight;
  S[SGDScheduleFree_S_group] = vec2f(lr_max, weight_sum);
  let ckp1 = select(weight / weight_sum, 0.0, weight_sum == 0.0);
  let alpha = lrs * (mom * (1.0 - ckp1) - 1.0);
  let wx = 1.0 - 1.0 / mom;
  let y = S[SGDScheduleFree_S_y];
  let z = S[SGDScheduleFree_S_z];
  // Select, not a branch, on wd: it differs per run when swept.
  let d = select(g, g + wd * y, wd != 0.0);
  let y1 = aten_lerp(y, z, ckp1) + alpha * d;
  let z1 = z - lrs * d;
  S[SGDScheduleFree_S_y] = y1;
  S[SGDScheduleFree_S_z] = z1;
  // eval(): x = lerp(y, z, 1 - 1/momentum).
  S[0] = aten_lerp(y1, z1, wx);
}
