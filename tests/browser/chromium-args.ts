// Chromium's command line for the browser tests and the benchmark. WebGPU
// needs --enable-unsafe-webgpu on Linux (without it requestAdapter() resolves
// to null). The rest keeps Chromium from reaching for the network, which is
// closed on CI machines and would only add noise and delay.
export const CHROMIUM_ARGS = [
  '--enable-unsafe-webgpu',
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
  '--disable-quic',
  '--disable-default-apps',
  '--disable-extensions',
  '--disable-dev-shm-usage',
];
