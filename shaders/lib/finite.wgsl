// Non-finite (inf or NaN), from the bits: WGSL lets an implementation assume arithmetic produces
// neither, and then a comparison (NaN fails every one) may be folded away (Metal's fast math;
// review 24). Shared by the sweep and network kernels.
fn non_finite(x: f32) -> bool {
  return (bitcast<u32>(x) & 0x7f800000u) == 0x7f800000u;
}

// NaN alone (an infinity is not), from the bits.
fn is_nan(x: f32) -> bool {
  return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u;
}
