#!/usr/bin/env bash
# Builds a self-contained folder that runs the bench's WebGPU workloads and the
# default lesson on a Linux x86-64 machine with a GPU and its Vulkan driver,
# but without Node, a browser or a network (BENCHMARKS.md, "On a GPU"):
#
#   bench/gpu/build.sh DIR        # then, on the GPU machine:  bash DIR/run.sh OUTDIR
#
# DIR gets (≈ 31 MB; everything large xz-compressed, run.sh unpacks it):
#   bin/dawn-run.mjs.xz, bin/lesson-webgpu.mjs.xz  the runners, bundled with esbuild
#                                            (tfjs and src/core inside; no node_modules)
#   node_modules/webgpu/                      the `webgpu` npm package (Dawn's dawn.node),
#                                            linux-x64 only, dawn.node xz-compressed
#   node.xz                                   this machine's Node binary, xz-compressed
#   gl/*.deb                                  the Vulkan loader and GLVND (Debian's libvulkan1,
#                                            libglvnd0, …): NVIDIA's Vulkan driver lives in
#                                            libGLX_nvidia and needs GLVND; run.sh unpacks
#                                            them into / when the machine has no Vulkan loader
#   run.sh                                    bench/gpu/run.sh
# The lesson reads public/ two folders above bin/ (scripts/lessons/pipeline.ts
# ROOT): DIR must be a folder directly inside a checkout of this repository.
set -euo pipefail
WEBGPU_VERSION=0.6.2
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
dir=${1:?usage: bench/gpu/build.sh DIR}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cd "$root"
for entry in dawn-run lesson-webgpu; do
  npx esbuild "bench/gpu/$entry.ts" --bundle --platform=node --format=esm --target=node20 \
    --external:webgpu --log-level=warning --outfile="$dir/bin/$entry.mjs" \
    --banner:js="import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);"
  xz -T0 -9 -f "$dir/bin/$entry.mjs"
done

(cd "$tmp" && npm pack --silent "webgpu@$WEBGPU_VERSION" >/dev/null && tar xzf "webgpu-$WEBGPU_VERSION.tgz")
w="$dir/node_modules/webgpu"
rm -rf "$w" && mkdir -p "$w/dist/linux-x64"
cp "$tmp/package/index.js" "$tmp/package/package.json" "$tmp/package/LICENSE.md" "$w/"
xz -T0 -9 -c "$tmp/package/dist/linux-x64/dawn.node" >"$w/dist/linux-x64/dawn.node.xz"

[ -f "$dir/node.xz" ] || xz -T0 -9 -c "$(command -v node)" >"$dir/node.xz"

rm -rf "$dir/gl" && mkdir -p "$dir/gl"
(cd "$dir/gl" && apt-get download -q libvulkan1 libegl1 libglvnd0 libopengl0 libgl1 libglx0 \
  libgles2 >/dev/null 2>&1)

cp "$here/run.sh" "$dir/run.sh"
du -sh "$dir"
