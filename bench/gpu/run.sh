#!/usr/bin/env bash
# Runs on the GPU machine, from the folder bench/gpu/build.sh made:
#
#   bash DIR/run.sh OUTDIR
#
# Writes OUTDIR/gpu.txt (nvidia-smi), bench.jsonl + bench.log (dawn-run: the
# adapter, the attention self-check, the workloads) and lesson.log (the default
# lesson, seed 1, on webgpu). Environment:
#   BENCH_DEADLINE=150  seconds after which no bench workload starts
#   BENCH_ARGS=         more dawn-run arguments (e.g. "--only sft/nano")
#   LESSON_TIMEOUT=150  seconds the lesson may run (0: skip it); it logs each stage as it ends
#   DAWN=               dawn.node options, comma-separated (e.g. backend=vulkan)
#   VK_ICD=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json  the Vulkan driver's manifest
set -uo pipefail
dir=$(cd "$(dirname "$0")" && pwd)
out=${1:?usage: run.sh OUTDIR}
mkdir -p "$out"
out=$(cd "$out" && pwd)
t0=$(date +%s)

# Unpack Node, dawn.node and the runners (python3's lzma: xz-utils may be missing).
bin=$(mktemp -d)
python3 - "$dir" "$bin" <<'PY'
import lzma, os, shutil, sys
d, b = sys.argv[1], sys.argv[2]
def unxz(src, dst):
    with lzma.open(src) as f, open(dst, 'wb') as g:
        shutil.copyfileobj(f, g, 1 << 20)
unxz(f'{d}/node.xz', f'{b}/node'); os.chmod(f'{b}/node', 0o755)
for x in [f'{d}/node_modules/webgpu/dist/linux-x64/dawn.node.xz',
          f'{d}/bin/dawn-run.mjs.xz', f'{d}/bin/lesson-webgpu.mjs.xz']:
    if not os.path.exists(x[:-3]):
        unxz(x, x[:-3])
PY
node="$bin/node"

# The Vulkan loader and GLVND, where the machine has no loader, unpacked into /
# (meant for a throwaway GPU machine or container) (NVIDIA's Vulkan
# driver is libGLX_nvidia, which needs GLVND's libGLdispatch); the driver's manifest.
if ! ldconfig -p 2>/dev/null | grep -q 'libvulkan\.so\.1'; then
  for f in "$dir"/gl/*.deb; do dpkg -x "$f" /; done
  ldconfig
fi
icd=${VK_ICD:-/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json}
if [ -f "$icd" ]; then export VK_ICD_FILENAMES="$icd" VK_DRIVER_FILES="$icd"; fi
export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-$(mktemp -d)}

{
  date -u +%FT%TZ
  uname -a
  nproc
  "$node" --version
  nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm,clocks.sm,pstate --format=csv 2>&1
  nvidia-smi 2>&1 | head -20
  echo "LD_LIBRARY_PATH=${LD_LIBRARY_PATH:-} VK_ICD_FILENAMES=${VK_ICD_FILENAMES:-}"
  grep -h library_path "$icd" 2>/dev/null
  ldconfig -p | grep -E 'libvulkan|libGLdispatch|libGLX_nvidia'
  for l in /usr/local/nvidia/lib64/libGLX_nvidia.so.0; do ldd "$l" 2>&1 | grep -i 'not found'; done
} >"$out/gpu.txt" 2>&1
cat "$out/gpu.txt"

dawn=(); [ -n "${DAWN:-}" ] && dawn=(--dawn "$DAWN")
deadline=${BENCH_DEADLINE:-150}
echo "== bench (deadline ${deadline} s), $(($(date +%s) - t0)) s in"
# shellcheck disable=SC2086
(cd "$dir/bin" && timeout $((deadline + 90)) "$node" dawn-run.mjs --out "$out/bench.jsonl" \
  --deadline "$deadline" "${dawn[@]}" ${BENCH_ARGS:-}) 2>&1 | tee "$out/bench.log"

if grep -q 'no WebGPU adapter' "$out/bench.jsonl" 2>/dev/null; then
  echo "== no adapter: the Vulkan loader's view, and Dawn's adapters"
  (cd "$dir/bin" && VK_LOADER_DEBUG=error,warn,driver timeout 30 "$node" dawn-run.mjs --deadline 0 \
    --dawn adapter=list) 2>&1 | head -60 | tee "$out/diagnose.log"
fi

lesson=${LESSON_TIMEOUT:-150}
if [ "$lesson" -gt 0 ] && ! grep -q '"fatal"' "$out/bench.jsonl" 2>/dev/null; then
  echo "== lesson (at most ${lesson} s), $(($(date +%s) - t0)) s in"
  # --wasm-ms 36: the model a 2-core laptop's page picks (nano), as the wasm rows.
  (cd "$dir/bin" && timeout "$lesson" "$node" lesson-webgpu.mjs --preset happy-endings \
    --seeds 1 --wasm-ms 36 --json "$out/lesson.json" "${dawn[@]}") 2>&1 | tee "$out/lesson.log"
fi
echo "== end, $(($(date +%s) - t0)) s"
