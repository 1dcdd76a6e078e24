#!/bin/sh
# The bench on a lent GPU machine (the nvidia-h200 kind of /work/.library/device/README.md): no Node,
# no network and no Vulkan loader there, so what `npm run bench` needs travels with the working tree.
# The bench itself runs unchanged (the command `npm run bench` runs after its set-up step).
#
#   here, once:  sh bench/gpu-machine.sh pack
#                -> tmp/gpu-carry/ (tmp/ is git-ignored): this machine's node, the node_modules the
#                   bench imports on a machine without Chromium (webgpu's linux-x64 dawn.node, tsx,
#                   esbuild), about 33 MB as xz, and Debian's Vulkan loader and GL dispatch packages
#   there:       run(command: "sh bench/gpu-machine.sh run", carry: ["tmp/gpu-carry"], timeout_s: 540)
#                (add --quick after `run` for the 64k-run bench; other arguments go to the bench)
#                or "sh bench/gpu-machine.sh session SECONDS": the checks of bench/gpu-session.sh, one
#                lease, SECONDS in all (the network rows, the network studies on the GPU engine,
#                validate, then the quick surface bench in what is left)
#                -> $OUT/bench.md (the tables), $OUT/bench.log (progress), $OUT/latest.json
set -eu
cd "$(dirname "$0")/.."
mode=${1:-}
[ $# -gt 0 ] && shift

case "$mode" in
pack)
  rm -rf tmp/gpu-carry && mkdir -p tmp/gpu-carry
  node=$(command -v node)
  # Paths as they will be unpacked there: node under bin/, node_modules at the repository root.
  mkdir -p tmp/gpu-carry/stage/bin
  cp "$node" tmp/gpu-carry/stage/bin/node
  # node_modules as installed, less what runs only here (the browser bench's Chromium driver and
  # Vite, the test runner, the type checker, DuckDB for tests) or on other platforms: the bench,
  # the CLI (studies, validate) and the CPU engine's workers import the rest.
  tar -cf - tmp/gpu-carry/stage/bin/node \
    --exclude='node_modules/webgpu/dist/darwin-*' --exclude='node_modules/webgpu/dist/win32-*' \
    --exclude='node_modules/webgpu/dist/linux-arm64' --exclude=node_modules/@duckdb \
    --exclude=node_modules/typescript --exclude=node_modules/@typescript \
    --exclude=node_modules/puppeteer-core --exclude=node_modules/chromium-bidi \
    --exclude=node_modules/devtools-protocol --exclude=node_modules/@rolldown \
    --exclude='node_modules/lightningcss*' --exclude=node_modules/axe-core \
    node_modules |
    xz -T0 -6 >tmp/gpu-carry/node.tar.xz
  rm -rf tmp/gpu-carry/stage
  # The Vulkan loader and the GL dispatch libraries NVIDIA's Vulkan driver (libGLX_nvidia) loads: the
  # README's recipe, as amd64 whatever this machine is.
  mkdir -p /tmp/amd64/partial
  o='-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists=/tmp/amd64'
  # shellcheck disable=SC2086
  apt-get $o update -qq && (cd tmp/gpu-carry && apt-get $o download libvulkan1 libegl1 libglvnd0 libopengl0 libgl1 libglx0 libgles2)
  ls -la tmp/gpu-carry
  ;;
run | session)
  for f in tmp/gpu-carry/*.deb; do dpkg -x "$f" /; done
  ldconfig
  tar -xJf tmp/gpu-carry/node.tar.xz
  export PATH="$PWD/tmp/gpu-carry/stage/bin:$PATH"
  out=${OUT:-/tmp}
  [ "$mode" = session ] && exec sh bench/gpu-session.sh "$out" "$@"
  { nvidia-smi -L || true; node --version; cc --version | head -1 || true; python3 -c 'import numpy; print("numpy", numpy.__version__)' || true; } 2>&1 | tee "$out/bench.log"
  # bench/adapter.ts finds NVIDIA's driver manifest (also under /usr/local/nvidia) and probes it.
  set +e
  node_modules/.bin/tsx bench/bench.ts "$@" >"$out/bench.md" 2>>"$out/bench.log"
  rc=$?
  cp bench/results/latest.json "$out/latest.json" 2>/dev/null
  tail -c 6000 "$out/bench.log"
  cat "$out/bench.md"
  exit $rc
  ;;
*)
  echo "usage: sh bench/gpu-machine.sh pack | run [bench arguments]" >&2
  exit 2
  ;;
esac
