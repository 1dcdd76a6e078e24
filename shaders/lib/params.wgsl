// param(i): this run's value of slot i of P. Swept slots come from the run's own values (loaded
// once per invocation by load_sweep); every other slot is an override constant P_<i> (generated with
// the layout prefix). The sweep slots are override constants too, so once i is a constant each
// param() call folds to a register read or a literal.

override SWEEP_DIMS: u32 = 0u;
override SWEEP_SLOT_0: u32 = 0xffffffffu;
override SWEEP_SLOT_1: u32 = 0xffffffffu;
override SWEEP_SLOT_2: u32 = 0xffffffffu;
override SWEEP_SLOT_3: u32 = 0xffffffffu;
// 0: no sweep, 1: grid (axis values indexed by the run's column and row), 2: a list of points.
override SWEEP_MODE: u32 = 0u;

// The schedule sets momentum/beta1 each step (CyclicLR, OneCycleLR with cycle_momentum), so an
// optimiser may not assume its momentum is the same at every step.
override CYCLE_MOMENTUM: bool = false;

var<private> sweep_v: vec4f;

fn param(i: u32) -> f32 {
  if (SWEEP_DIMS > 0u && i == SWEEP_SLOT_0) { return sweep_v.x; }
  if (SWEEP_DIMS > 1u && i == SWEEP_SLOT_1) { return sweep_v.y; }
  if (SWEEP_DIMS > 2u && i == SWEEP_SLOT_2) { return sweep_v.z; }
  if (SWEEP_DIMS > 3u && i == SWEEP_SLOT_3) { return sweep_v.w; }
  return fixed_param(i);
}

// Loads this run's swept values. Grid: sweep_data holds the x axis values then the y axis values.
// List: sweep_data holds SWEEP_DIMS values per run of the current chunk.
fn load_sweep(run: u32, local: u32) {
  if (SWEEP_MODE == 1u) {
    let w = run_u.grid_width;
    sweep_v.x = sweep_data[run % w];
    if (SWEEP_DIMS > 1u) { sweep_v.y = sweep_data[w + run / w]; }
  } else if (SWEEP_MODE == 2u) {
    let o = local * SWEEP_DIMS;
    sweep_v.x = sweep_data[o];
    if (SWEEP_DIMS > 1u) { sweep_v.y = sweep_data[o + 1u]; }
    if (SWEEP_DIMS > 2u) { sweep_v.z = sweep_data[o + 2u]; }
    if (SWEEP_DIMS > 3u) { sweep_v.w = sweep_data[o + 3u]; }
  }
}

var<private> seed_v: u32;

fn noise_seed() -> u32 {
  return seed_v;
}

