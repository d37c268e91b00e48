/// <reference types="vitest/config" />
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vite';
import { lessonsPlugin } from './src/content/compile/vite-plugin.ts';

export default defineConfig({
  plugins: [
    // the widget's bundle (and only it) compiles components with their CSS injected, so it lands in
    // each widget's shadow root instead of the page
    svelte({ dynamicCompileOptions: ({ environment }) => (environment.name === 'widget' ? { css: 'injected' } : undefined) }),
    // LAYERLAB_LESSONS_DIR: another lessons folder (the dev-server e2e test edits a copy)
    lessonsPlugin(process.env.LAYERLAB_LESSONS_DIR),
  ],
  optimizeDeps: { exclude: ['v86'] },
  worker: { format: 'es' },
  build: {
    target: 'es2022',
    chunkSizeWarningLimit: 800,
  },
  // `vite build` makes the site (index.html, the `client` environment), then the embeddable widget:
  // dist/widget.js (the `<layerlab-playground>` element) and dist/embed.html (the iframe embed).
  // A second bundle because the same components are compiled differently: CSS injected into the
  // widget's shadow root there, extracted into the site's stylesheet here.
  builder: {
    async buildApp(builder) {
      await builder.build(builder.environments.client!);
      await builder.build(builder.environments.widget!);
    },
  },
  environments: {
    widget: {
      consumer: 'client',
      // only built: the dev server serves the widget from the client environment (src/widget/main.ts)
      optimizeDeps: { noDiscovery: true },
      build: {
        outDir: 'dist',
        emptyOutDir: false,
        copyPublicDir: false,
        // no per-chunk CSS for the loader to add to a docs page's <head>: styles live in the shadow
        // root (components inject theirs; xterm's arrives as a string). The one stylesheet left is
        // linked by embed.html only.
        cssCodeSplit: false,
        rolldownOptions: {
          input: { widget: 'src/widget/main.ts', embed: 'embed.html' },
          output: { entryFileNames: (chunk) => (chunk.name === 'widget' ? 'widget.js' : 'assets/[name]-[hash].js') },
        },
      },
    },
  },
  preview: { host: '127.0.0.1', port: 4173, strictPort: true },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['src/**/*.test.ts', 'guest/**/*.test.ts', 'bin/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        extends: true,
        test: {
          name: 'vm',
          include: ['tests/vm/**/*.test.ts'],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 120_000,
          // one guest per file; two cores: run files one after another
          fileParallelism: false,
        },
      },
    ],
  },
});
