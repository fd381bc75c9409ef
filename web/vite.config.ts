// The web console (docs/console.md): built by `npm run build:console` into dist/console, served
// by `opendms serve` at /console/ (src/http/console-static.routes.ts).
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  base: '/console/',
  plugins: [react()],
  build: { outDir: '../dist/console', emptyOutDir: true, chunkSizeWarningLimit: 1500 },
  server: { proxy: { '/console/api': 'http://127.0.0.1:8080', '/api': 'http://127.0.0.1:8080' } },
});
