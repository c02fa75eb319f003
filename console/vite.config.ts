import { defineConfig } from 'vite';

/**
 * The console's build (`npm run console:build`, run by npm install): Preact through Vite, every asset bundled into
 * console/dist and served by the API server at /console (src/http/routes/console.ts). Nothing comes from a CDN.
 */
export default defineConfig({
  root: import.meta.dirname,
  base: '/console/',
  // The schema's generated types are shared with the server: no process.env or Node built-ins in the bundle.
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // One small bundle: the console is one page, and a second round trip costs more than the bytes.
    assetsInlineLimit: 0,
    reportCompressedSize: false,
  },
  logLevel: 'warn',
});
