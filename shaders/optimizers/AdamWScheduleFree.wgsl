// Schedule-Free AdamW after schedulefree/adamw_schedulefree.py (facebookresearch/schedule_free,
// AdamWScheduleFree.step, non-foreach branch; not in torch). Twin of
// src/core/registry/optimizers/AdamWScheduleFree.ts: same operations in the same order.
// S[0]: x, the eval() point (reported). State: y, where the kernel takes the gradient (GRAD_SLOT); z;
// group: (lr_max, weight_sum), the reference's group scalars; exp_avg_sq.

fn opt_init() {
  S[AdamWScheduleFree_S_y] = S[0];
  S[AdamWScheduleFree_S_z] = S[0];
  S[AdamWScheduleFree_S_group] = vec2f(-1.0, 0.0);
  S[AdamWScheduleFree_S_exp_avg_sq] = vec2f(0.0);
}

// sc = (warmup factor, sqrt(1 - beta2^(k+1)), (k+1) ** r, 0) with t = k + 1: step-count-only, so
// the engine reads them from a per-step table unless one of beta2, warmup_steps, r is swept.
fn opt_step_scalars(mom: f32, t: f32) -> vec4f {
  let warmup = param(AdamWScheduleFree_warmup_steps);
  let power = param(AdamWScheduleFree_r);
  let sched = select(1.0, t / warmup, t - 1.0 < warmup);
  let bc2 = one_minus_pow(param(AdamWScheduleFree_betas_1), t);
  let tr = select(pow(t, power), 1.0, power == 0.0);
  return vec4f(sched, sqrt(bc2), tr, 0.0);
}

fn opt_step(g: vec2f, lr: f32, mom: f32, t: f32, sc: vec4f) {
  let beta1 = mom;
  let beta2 = param(AdamWScheduleFree_betas_1);
  let eps = param(AdamWScheduleFree_eps);
  let wd = param(AdamWScheduleFree_weight_decay);
  // lr = group['lr'] * sched * math.sqrt(bias_correction2), left to right.
  let lrs = (lr * sc.x) * sc.y;
  // lr_max, weight, weight_sum, ckp1 (0 where the reference catches ZeroDivisionError).
  let lr_max = max(lrs, S[AdamWScheduleFree_S_group].x);
  let weight = sc.z * py_pow(lr_max, param(AdamWScheduleFree_weight_lr_power));
  let weight_sum = S[AdamWScheduleFree_S_group].y + weight;
  S[AdamWScheduleFree_S_group] = vec2f(lr_max, weight_sum);
  let ckp1 = select(weight / weight_sum, 0.0, weight_sum == 0.0);
  let alpha = lrs * (beta1 * (1.0 - ckp1) - 1.0);
  let w2 = 1.0 - beta2;
  let wx = 1.0 - 1.0 / beta1;
  let y = S[AdamWScheduleFree_S_y];
  let z = S[AdamWScheduleFree_S_z];
  let v = S[AdamWScheduleFree_S_exp_avg_sq] * beta2 + (w2 * g) * g;
  S[AdamWScheduleFree_S_exp_avg_sq] = v;
  var d = g / (sqrt(v) + eps);
  // Select, not a branch, on wd: it differs per run when swept.
  d = select(d, d + wd * y, wd != 0.0);
  let y1 = aten_lerp(y, z, ckp1) + alpha * d;
  let z1 = z - lrs * d;
  S[AdamWScheduleFree_S_y] = y1;
  S[AdamWScheduleFree_S_z] = z1;
  // eval(): x = lerp(y, z, 1 - 1/beta1).
  S[0] = aten_lerp(y1, z1, wx);
}
