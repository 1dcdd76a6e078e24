// The cautious mask over a whole tensor (LAMB's and Lion's `caution`; the TypeScript twin is
// common.ts cautionTensor): the update u kept where it agrees in sign with the gradient, divided by
// the agreeing fraction of the tensor (at least 1e-3), in place. Composed after the tensor
// accessors it reads: lib/tensor_pair.wgsl in sweep kernels, lib/net_bindings.wgsl in the network kernel.
fn tensor_caution(n: u32) {
  var count = 0u;
  for (var i = 0u; i < n; i++) {
    count += select(0u, 1u, tensor_u(i) * tensor_g(i) > 0.0);
  }
  let mean = max(f32(count) / f32(n), 0.001);
  for (var i = 0u; i < n; i++) {
    let u = tensor_u(i);
    tensor_set_u(i, u * (select(0.0, 1.0, u * tensor_g(i) > 0.0) / mean));
  }
}
