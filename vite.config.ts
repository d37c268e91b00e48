/// <reference types="vitest/config" />
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vite';
import { lessonsPlugin } from './src/content/build/vite-plugin.ts';

export default defineConfig({
  plugins: [svelte(), lessonsPlugin()],
  optimizeDeps: { exclude: ['v86'] },
  worker: { format: 'es' },
  build: {
    target: 'es2022',
    chunkSizeWarningLimit: 800,
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
