// torch.optim.Adafactor, _single_tensor_adafactor, 1-D branch ((x, y) is one parameter of shape [2],
// so the second moment is not factored). Twin of src/core/registry/optimizers/Adafactor.ts: same
// operations in the same order. State: variance.

fn opt_init() {
  S[Adafactor_S_variance] = vec2f(0.0);
}

// sc = (t ** beta2_decay, 1 / sqrt(t), 0, 0), lr-independent: the pow leaves the step, which the
// engine then reads from a per-step table when no run differs in beta2_decay.
fn opt_step_scalars(mom: f32, t: f32) -> vec4f {
  return vec4f(pow(t, param(Adafactor_beta2_decay)), 1.0 / sqrt(t), 0.0, 0.0);
}

fn opt_step(g: vec2f, lr: f32, mom: f32, t: f32, sc: vec4f) {
  let eps1 = param(Adafactor_eps_0);
  let eps2 = param(Adafactor_eps_1);
  let clip = param(Adafactor_d);
  let wd = param(Adafactor_weight_decay);
  // param.numel() ** 0.5, written as the f32 literal TypeScript rounds Math.SQRT2 to.
  let sqrt2 = 1.4142135623730951;
  var d = g;
  if Adafactor_maximize {
    d = -d;
  }
  var p = S[0];
  let rho = min(lr, sc.y);
  let alpha = max(eps2, sqrt(p.x * p.x + p.y * p.y) / sqrt2) * rho;
  p = select(p, p * (1.0 - lr * wd), wd != 0.0);
  let v = aten_lerp(S[Adafactor_S_variance], d * d, sc.x);
  S[Adafactor_S_variance] = v;
  let u = (1.0 / sqrt(max(v, vec2f(eps1 * eps1)))) * d;
  let denom = max(1.0, sqrt(u.x * u.x + u.y * u.y) / (sqrt2 * clip));
  S[0] = p + u * (-alpha / denom);
}
