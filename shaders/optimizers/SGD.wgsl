// torch.optim.SGD, _single_tensor_sgd. Twin of src/core/registry/optimizers/SGD.ts: same operations
// in the same order. State: momentum_buffer, has_buffer (x: 1 once the buffer exists; torch creates
// it as an undampened copy of the gradient on the first step whose momentum is non-zero).

fn opt_init() {
  S[SGD_S_momentum_buffer] = vec2f(0.0);
  S[SGD_S_has_buffer] = vec2f(0.0);
}

// No per-step scalars: nothing in the step depends on the step count.
fn opt_step_scalars(mom: f32, t: f32) -> vec4f {
  return vec4f(0.0);
}

fn opt_step(g: vec2f, lr: f32, mom: f32, t: f32, sc: vec4f) {
  let wd = param(SGD_weight_decay);
  let damp = param(SGD_dampening);
  let keep = 1.0 - damp;
  let p = S[0];
  var d = g;
  if SGD_maximize {
    d = -d;
  }
  if wd != 0.0 {
    d = d + wd * p;
  }
  if (damp == 0.0 && !CYCLE_MOMENTUM) {
    // With no dampening and a momentum that is fixed for the whole run, torch's special cases are
    // what the general update gives from a zero buffer, bit for bit: the first step's buffer is
    // 0 * mom + g = g (torch's clone), and with momentum 0 the buffer is g every step (torch keeps
    // none and steps along g). Skipping the per-run branches matters: on SwiftShader a divergent
    // branch in the step loop costs more than the step. damp and CYCLE_MOMENTUM are constants.
    S[SGD_S_momentum_buffer] = S[SGD_S_momentum_buffer] * mom + keep * d;
    if SGD_nesterov {
      d = d + mom * S[SGD_S_momentum_buffer];
    } else {
      d = S[SGD_S_momentum_buffer];
    }
  } else if mom != 0.0 {
    if S[SGD_S_has_buffer].x == 0.0 {
      S[SGD_S_momentum_buffer] = d;
      S[SGD_S_has_buffer].x = 1.0;
    } else {
      S[SGD_S_momentum_buffer] = S[SGD_S_momentum_buffer] * mom + keep * d;
    }
    if SGD_nesterov {
      d = d + mom * S[SGD_S_momentum_buffer];
    } else {
      d = S[SGD_S_momentum_buffer];
    }
  }
  S[0] = p - lr * d;
}
