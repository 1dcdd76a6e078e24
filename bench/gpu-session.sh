#!/bin/sh
# The checks one lease of a lent GPU machine buys (started by `sh bench/gpu-machine.sh session
# SECONDS`, which unpacks Node, node_modules and the Vulkan loader first). A lease is short (15
# minutes of device time, the machine's start included), so the checks run in order of what the
# open issue needs, each under its own limit, inside SECONDS in all; every stage's output is kept,
# and packed after each stage, so a stage cut off at its limit loses nothing the earlier ones
# found:
#
#   probe         the adapter Dawn gets through the NVIDIA Vulkan driver (nothing else runs without)
#   gpu-tests     tests/gpu's RNG and network-twin tests on hardware (review 24: multiply-add
#                 fusion may change the normals' last bits, within the test's ulp bound)
#   validate-*    `basinlab validate` on the Iris and fractal examples and the Rosenbrock LR x
#                 momentum example: GPU against both CPU engines on hardware, where the compiler
#                 may fuse multiply-adds that SwiftShader keeps apart
#   net-decomposition  `bench.ts --net-decomposition`: the bare network kernel with an invocation
#                 per run against a workgroup per run (121 to 65,536 runs), and that they train alike:
#                 what decides the engine's decomposition (docs/performance.md)
#   networks      `bench.ts --networks`: the network rows at 4,096 and 65,536 runs (engine, bare
#                 kernel, numpy peer on this machine's cores)
#   study-*       the network studies on the GPU engine: fractal-boundary at --full (the paper's
#                 500 steps over four depths), the others at their default size
#   quick         `bench.ts --quick`: the surface rows, in whatever time is left
#   unroll        `bench.ts --unroll`: one against two steps per pass of the surface step kernel
#
# SESSION_STAGES="name ..." runs only the stages named (and the probe): a second lease for what the
# first did not reach.
# SESSION_REHEARSAL=1 lets the probe pass on a software adapter: to rehearse the session here, in a
# copy of the tree with no node_modules but the packed ones, before spending a lease on it.
#
# Out: $1/session.log (each stage's limit, exit status, time and the tail of its output) and
# $1/results.tar.gz (every stage's full output and the studies' JSON and figures).
set -u
out=$1
total=${2:-540}
start=$(date +%s)
res=/tmp/gpu-session
rm -rf "$res" && mkdir -p "$res"
log=$out/session.log

for f in /usr/local/nvidia/share/vulkan/icd.d/*.json /usr/share/vulkan/icd.d/nvidia*.json /etc/vulkan/icd.d/nvidia*.json; do
  if [ -f "$f" ]; then
    # The CLI's device (src/engine/gpu/device-node.ts) takes the loader's driver list as given.
    export VK_ICD_FILENAMES="$f" VK_DRIVER_FILES="$f"
    break
  fi
done
# Vulkan's WSI probes XDG_RUNTIME_DIR and prints an error per device when it is unset.
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-/tmp/xdg-session}"
mkdir -p "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
egl=/usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json
[ -f "$egl" ] && export __EGL_VENDOR_LIBRARY_FILENAMES="$egl"

{
  date -u
  nvidia-smi -L 2>&1
  nproc
  node --version
  python3 -c 'import numpy; print("numpy", numpy.__version__)' 2>&1
  echo "VK_ICD_FILENAMES=${VK_ICD_FILENAMES:-unset}"
} >"$log" 2>&1

left() { echo $((total - ($(date +%s) - start))); }

# stage NAME SECONDS COMMAND...: runs COMMAND under min(SECONDS, what is left), logs it, packs;
# only the stages named in $SESSION_STAGES (space-separated) when that is set, the probe always.
stage() {
  name=$1
  secs=$2
  shift 2
  if [ -n "${SESSION_STAGES:-}" ] && [ "$name" != probe ]; then
    case " $SESSION_STAGES " in *" $name "*) ;; *) return 0 ;; esac
  fi
  l=$(($(left) - 8))
  [ "$secs" -gt "$l" ] && secs=$l
  if [ "$secs" -lt 10 ]; then
    echo "== $name: not run (no time left)" >>"$log"
    return 1
  fi
  echo "== $name (limit ${secs} s, at $(($(date +%s) - start)) s)" >>"$log"
  t0=$(date +%s)
  timeout -k 5 "$secs" "$@" >"$res/$name.out" 2>"$res/$name.err"
  rc=$?
  echo "== $name: exit $rc after $(($(date +%s) - t0)) s" >>"$log"
  tail -n 12 "$res/$name.err" >>"$log"
  tail -n 30 "$res/$name.out" >>"$log"
  tar -czf "$out/results.tar.gz" -C "$res" . 2>/dev/null
  return $rc
}

probe='
import { create, globals } from "webgpu";
Object.assign(globalThis, globals);
const gpu = create([]);
const a = await gpu.requestAdapter({ powerPreference: "high-performance" });
if (!a) { console.log("no adapter"); process.exit(1); }
console.log(JSON.stringify({ ...Object.fromEntries(["vendor", "architecture", "device", "description"].map((k) => [k, a.info[k]])), fallback: a.isFallbackAdapter, maxStorageBufferBindingSize: a.limits.maxStorageBufferBindingSize, maxBufferSize: a.limits.maxBufferSize }));
process.exit(/swiftshader|llvmpipe|lavapipe/i.test(a.info.description + a.info.architecture) && !process.env.SESSION_REHEARSAL ? 1 : 0);'
if ! stage probe 60 node --input-type=module -e "$probe"; then
  echo "== no hardware adapter: nothing else run" >>"$log"
  cat "$log"
  exit 1
fi

cli=bin/basinlab.js
stage validate-iris 60 node "$cli" validate examples/iris.json -q -o "$res/validate-iris.json"
# The GPU unit tests (the RNG's normals, the network twin's rows) have run only on SwiftShader.
stage gpu-tests 90 node_modules/.bin/vitest run tests/gpu/rng.test.ts tests/gpu/network.test.ts
stage net-decomposition 120 node_modules/.bin/tsx bench/bench.ts --net-decomposition
stage networks 220 node_modules/.bin/tsx bench/bench.ts --networks
cp bench/results/networks.json "$res/" 2>/dev/null
stage study-fractal-full 150 node "$cli" study fractal-boundary --full --engine gpu -q -o "$res/fractal-full"
stage study-fractal 90 node "$cli" study fractal-boundary --engine gpu -q -o "$res/fractal"
# The same studies on the CPU engine with the machine's cores: the comparison for small sweeps.
for s in batch-lr sharp-minima sgd-vs-adam texts-example; do
  stage "cpu-study-$s" 60 node "$cli" study "$s" --engine cpu -q -o "$res/cpu-$s"
done
for s in batch-lr sharp-minima sgd-vs-adam texts-example; do
  # Progress (stderr, into the log) says how far a study cut off at its limit got.
  stage "study-$s" 150 node "$cli" study "$s" --engine gpu -o "$res/$s"
done
stage validate-fractal 60 node "$cli" validate examples/fractal.json -q -o "$res/validate-fractal.json"
stage validate-rosenbrock 40 node "$cli" validate examples/lr-momentum-rosenbrock.json -q -o "$res/validate-rosenbrock.json"
stage quick 400 node_modules/.bin/tsx bench/bench.ts --quick
stage unroll 120 node_modules/.bin/tsx bench/bench.ts --unroll
cp bench/results/latest.json "$res/" 2>/dev/null
tar -czf "$out/results.tar.gz" -C "$res" . 2>/dev/null
echo "== done at $(($(date +%s) - start)) s" >>"$log"
cat "$log"
