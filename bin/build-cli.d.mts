/** Bundles the CLI into bin/dist/layerlab-main.mjs; resolves with the output's path. */
export function buildCli(): Promise<string>;
