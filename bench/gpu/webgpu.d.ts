// The slice of the `webgpu` npm package (dawn.node) that bench/gpu/dawn-run.ts
// uses. The package is not a dependency: bench/gpu/build.sh fetches it into
// the folder it builds.
declare module 'webgpu' {
  export function create(options: string[]): unknown;
  export const globals: Record<string, unknown>;
}
