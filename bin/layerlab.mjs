#!/usr/bin/env node
// LayerLab's headless command line. TypeScript sources run through tsx; no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./layerlab-main.ts');
process.exitCode = await main(process.argv.slice(2));
