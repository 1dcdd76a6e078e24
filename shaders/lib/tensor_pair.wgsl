// The tensor accessors an optimiser file's tensor rule (opt_tensor_step) reads, in a sweep kernel:
// there the whole parameter tensor is (x, y), of shape [2], and its state the pairs after S[0], in
// the order of the TypeScript rule's `state` (which on a [2] tensor is the elementwise twin's: LARS's
// buffer then has_buffer, LAMB's exp_avg then exp_avg_sq). Sweep kernels step through opt_step,
// which computes the same thing (tests/unit/tensor-step.test.ts); these are declared so that the
// optimiser files, which hold both rules, compile here. lib/net_bindings.wgsl declares the network
// kernel's, over a weight or bias of the run.
var<private> tensor_gv: vec2f;
var<private> tensor_uv: vec2f;

fn tensor_p(i: u32) -> f32 { return S[0][i]; }
fn tensor_set_p(i: u32, v: f32) { S[0][i] = v; }
fn tensor_g(i: u32) -> f32 { return tensor_gv[i]; }
fn tensor_set_g(i: u32, v: f32) { tensor_gv[i] = v; }
fn tensor_u(i: u32) -> f32 { return tensor_uv[i]; }
fn tensor_set_u(i: u32, v: f32) { tensor_uv[i] = v; }
fn tensor_st(j: u32) -> f32 { return S[1u + j / 2u][j % 2u]; }
fn tensor_set_st(j: u32, v: f32) { S[1u + j / 2u][j % 2u] = v; }
