// Draws the heatmap straight from the engine's result records on the device: one fragment per
// pixel, its cell's colour computed here. Twin of cellColour() in src/view/frame.ts (same
// palette, same 256-entry viridis table and outcome ramps), so the Canvas 2D path paints the same
// colours.

// Its bindings (hu, results, lut, palette) and its constants (MODE_*, PALETTE_*, LOG_FLOOR) are
// generated from src/app/heatmap/gpu-renderer.ts HEATMAP_BINDINGS and heatmapConstantsWgsl: the
// TypeScript that fills the buffers defines them once.

@vertex
fn vs(@builtin(vertex_index) vi: u32) -> @builtin(position) vec4f {
  // One triangle covering the viewport.
  let x = f32((vi << 1u) & 2u) * 2.0 - 1.0;
  let y = f32(vi & 2u) * 2.0 - 1.0;
  return vec4f(x, y, 0.0, 1.0);
}

// Finite test on the bits: WGSL lets compilers assume floats are finite.
fn heat_finite(x: f32) -> bool {
  return (bitcast<u32>(x) & 0x7f800000u) != 0x7f800000u;
}

@fragment
fn fs(@builtin(position) pos: vec4f) -> @location(0) vec4f {
  let i = min(u32(pos.x * f32(hu.width) / hu.canvas_w), hu.width - 1u);
  let row_from_top = min(u32(pos.y * f32(hu.height) / hu.canvas_h), hu.height - 1u);
  let run = (hu.height - 1u - row_from_top) * hu.width + i;
  if (run >= hu.runs_ready) {
    return unpack4x8unorm(palette[PALETTE_PENDING]);
  }
  let r = results[run];
  if (r.diverged != 0u) {
    // Black among the basin and outcome hues; red on viridis, whose dark end is near black.
    return unpack4x8unorm(palette[select(PALETTE_DIVERGED_ON_RAMP, PALETTE_DIVERGED, hu.mode == MODE_BASIN || hu.mode == MODE_OUTCOME)]);
  }
  if (hu.mode == MODE_BASIN) {
    if (r.basin >= 0) {
      return unpack4x8unorm(palette[PALETTE_MINIMA + u32(r.basin) % hu.palette_size]);
    }
    return unpack4x8unorm(palette[PALETTE_NOT_CONVERGED]);
  }
  if (hu.mode == MODE_OUTCOME) {
    // Outcome: the minimum's ramp by steps to converge, or the still-moving ramp by the loss gap.
    var row = hu.palette_size;
    var t = 1.0;
    if (r.basin >= 0) {
      row = u32(r.basin) % hu.palette_size;
      t = f32(r.steps_to_converge) / hu.steps;
    } else if (heat_finite(r.loss)) {
      let g = log2(max(r.loss - hu.loss_floor, LOG_FLOOR)) * 0.30102999566398120;
      t = (g - hu.lo) / (hu.hi - hu.lo);
    }
    return unpack4x8unorm(lut[256u + row * 256u + u32(round(clamp(t, 0.0, 1.0) * 255.0))]);
  }
  var v = 0.0;
  var ok = false;
  if (hu.mode == MODE_LOSS) {
    ok = heat_finite(r.loss);
    v = log2(max(r.loss - hu.loss_floor, LOG_FLOOR)) * 0.30102999566398120;
  } else if (hu.mode == MODE_STEPS) {
    ok = r.steps_to_converge >= 0;
    v = f32(r.steps_to_converge);
  } else {
    ok = heat_finite(r.sharpness);
    v = log2(max(r.sharpness, LOG_FLOOR)) * 0.30102999566398120;
  }
  if (!ok) {
    return unpack4x8unorm(palette[PALETTE_NOT_CONVERGED]);
  }
  let t = clamp((v - hu.lo) / (hu.hi - hu.lo), 0.0, 1.0);
  return unpack4x8unorm(lut[u32(round(t * 255.0))]);
}
