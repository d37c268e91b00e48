/**
 * What a widget loads on first use (a separate chunk, so a docs page loads only the light shell
 * until then): the shared engine (worker and guest), the terminal, the layer picture and the
 * CodeMirror editor, the same components the site uses, plus xterm's CSS for the shadow root.
 */
export { default as TerminalView } from '../ui/terminal/TerminalView.svelte';
export { default as LayerStack } from '../ui/layers/LayerStack.svelte';
export { default as DockerfileEditor } from '../ui/editor/DockerfileEditor.svelte';
export { dockerfileDiagnostics } from '../ui/editor/diagnostics.ts';
export { imageLayersView } from '../views/image-layers.ts';
export { sharedEngine, type SharedEngine } from './engine.svelte.ts';
export { default as xtermCss } from '@xterm/xterm/css/xterm.css?inline';
