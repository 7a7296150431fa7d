// Bundles the SDK's declarations, inlining the daemon's router types so the SDK needs no daemon source.
import { dts } from 'rollup-plugin-dts';

const entry = (name) => ({
  input: `dist/types/${name}.d.ts`,
  output: { file: `dist/${name}.d.ts`, format: 'es' },
  plugins: [dts({ tsconfig: 'tsconfig.build.json', includeExternal: ['@loopsy/daemon'] })],
});

export default [entry('index'), entry('node')];
