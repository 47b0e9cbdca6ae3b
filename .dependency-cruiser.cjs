// The layer rules of DESIGN.md, checked by dependency-cruiser
// (tests/unit/architecture.test.ts runs it and fails on any violation):
//   ui → lib → (workers' API types) → core; core imports nothing from the rest.
// Type-only imports count for the layer rules (a type couples two files as
// much as a value does) and for loops; only the reachability rule follows
// runtime edges alone, since type imports are erased from the bundle.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-import-loops',
      comment: 'Files import each other in a loop: move the shared part to its own module.',
      severity: 'error',
      from: { path: '^(src|workers)/' },
      to: { circular: true },
    },
    {
      name: 'core-is-self-contained',
      comment:
        'src/core runs in workers, Node and tests: it imports nothing from the page or workers.',
      severity: 'error',
      from: { path: '^src/core/' },
      to: { path: ['^src/(?!core/)', '^workers/', '(^|/)node_modules/(svelte|comlink)/'] },
    },
    {
      name: 'lib-does-not-import-ui',
      comment: 'Page logic (src/lib) knows no component.',
      severity: 'error',
      from: { path: '^src/lib/' },
      to: { path: ['^src/ui/', '\\.svelte$'] },
    },
    {
      name: 'ui-imports-lib-only',
      comment: "Components speak to src/lib only: core's types reach them re-exported by lib.",
      severity: 'error',
      from: { path: '^src/ui/' },
      to: { path: ['^src/core/', '^workers/'] },
    },
    {
      name: 'workers-import-core-only',
      comment: 'Workers are built from src/core; they know nothing of the page.',
      severity: 'error',
      from: { path: '^workers/' },
      to: { path: ['^src/(lib|ui)/', '^src/main\\.ts$'] },
    },
    {
      name: 'no-tfjs-on-page',
      comment: 'tfjs lives in the workers: page code names none of it, not even a type.',
      severity: 'error',
      from: { path: ['^src/(lib|ui)/', '^src/main\\.ts$'] },
      to: { path: '(^|/)node_modules/@tensorflow/' },
    },
    {
      // Checked on the runtime graph only (type imports erased, as in the
      // bundle): a type-only chain through a worker's API types is fine.
      name: 'no-tfjs-on-page-chain',
      comment: 'The page must not bundle tfjs through any chain of runtime imports.',
      severity: 'error',
      from: { path: ['^src/(lib|ui)/', '^src/main\\.ts$'] },
      to: { path: '(^|/)node_modules/@tensorflow/', reachable: true },
    },
  ],
  options: {
    includeOnly: ['^src/', '^workers/', '(^|/)node_modules/(@tensorflow|svelte|comlink)/'],
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.js', '.svelte', '.json'],
    },
    doNotFollow: { path: 'node_modules' },
  },
};
