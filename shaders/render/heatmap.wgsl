// Draws the heatmap straight from the engine's result records on the device: one fragment per
// pixel, its cell's colour computed here. Twin of cellColour() in src/view/frame.ts (same
// palette, same 256-entry viridis table and outcome ramps), so the Canvas 2D path paints the same
// colours.

@group(0) @binding(0) var<uniform> hu: HeatmapUniforms;
@group(0) @binding(1) var<storage, read> results: array<RunResult>;
// [0, 256) viridis; then the outcome ramps (src/view/colors.ts OUTCOME_LUT), 256 entries per row:
// one row per minimum colour, then the still-moving grey.
@group(0) @binding(2) var<storage, read> lut: array<u32>;
// [0] diverged (among hues), [1] not converged, [2] pending, [3] diverged on the viridis ramp,
// [4 …] the minima palette.
@group(0) @binding(3) var<storage, read> palette: array<u32>;

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
    return unpack4x8unorm(palette[2]);
  }
  let r = results[run];
  if (r.diverged != 0u) {
    // Black among the basin and outcome hues; red on viridis, whose dark end is near black.
    return unpack4x8unorm(palette[select(3u, 0u, hu.mode == 0u || hu.mode == 4u)]);
  }
  if (hu.mode == 0u) {
    if (r.basin >= 0) {
      return unpack4x8unorm(palette[4u + u32(r.basin) % hu.palette_size]);
    }
    return unpack4x8unorm(palette[1]);
  }
  if (hu.mode == 4u) {
    // Outcome: the minimum's ramp by steps to converge, or the still-moving ramp by the loss gap.
    var row = hu.palette_size;
    var t = 1.0;
    if (r.basin >= 0) {
      row = u32(r.basin) % hu.palette_size;
      t = f32(r.steps_to_converge) / hu.steps;
    } else if (heat_finite(r.loss)) {
      let g = log2(max(r.loss - hu.loss_floor, 1e-12)) * 0.30102999566398120;
      t = (g - hu.lo) / (hu.hi - hu.lo);
    }
    return unpack4x8unorm(lut[256u + row * 256u + u32(round(clamp(t, 0.0, 1.0) * 255.0))]);
  }
  var v = 0.0;
  var ok = false;
  if (hu.mode == 1u) {
    ok = heat_finite(r.loss);
    v = log2(max(r.loss - hu.loss_floor, 1e-12)) * 0.30102999566398120;
  } else if (hu.mode == 2u) {
    ok = r.steps_to_converge >= 0;
    v = f32(r.steps_to_converge);
  } else {
    ok = heat_finite(r.sharpness);
    v = log2(max(r.sharpness, 1e-12)) * 0.30102999566398120;
  }
  if (!ok) {
    return unpack4x8unorm(palette[1]);
  }
  let t = clamp((v - hu.lo) / (hu.hi - hu.lo), 0.0, 1.0);
  return unpack4x8unorm(lut[u32(round(t * 255.0))]);
}
