// Lets Node 20 run the corpus script's TypeScript directly: `node --import
// ./scripts/corpus/ts-loader/register.mjs scripts/corpus/generate.ts`. Node 20 has no
// --experimental-strip-types (that arrived in Node 22.6), and the project has no tsx.
import { register } from 'node:module';

register('./hooks.mjs', import.meta.url);
