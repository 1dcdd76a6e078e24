// Bindings shared by the sweep kernels (bind group 0). Layout structs come from the generated prefix.
@group(0) @binding(0) var<uniform> run_u: RunUniforms;
@group(0) @binding(1) var<uniform> chunk: ChunkUniforms;
@group(0) @binding(2) var<storage, read> sweep_data: array<f32>;
@group(0) @binding(3) var<storage, read> minima: array<vec4f>;
@group(0) @binding(4) var<storage, read> surface_data: array<vec4f>;
@group(0) @binding(5) var<storage, read_write> states: array<RunState>;
// Per-step values shared by every run, filled by the host with the CPU twin: entry 2k holds the
// schedule's (lr, momentum) at step k (SCHED_TABLE), entry 2k + 1 the optimiser's step scalars
// (OPT_TABLE). One broadcast load replaces a cosine or a bias-correction loop in every invocation.
@group(0) @binding(7) var<storage, read> step_table: array<vec4f>;

// Optimiser state of the run this invocation advances; S[0] is the position.
var<private> S: array<vec2f, STATE_VEC2>;
