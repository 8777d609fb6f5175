import { defineConfig } from 'vite';

// The build output is embedded in the Tauri binary (`frontendDist: ../ui/dist`): no dev server, no
// remote content. Interface strings are imported from ../i18n as raw text.
export default defineConfig({
  base: './',
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', sourcemap: false },
  server: { fs: { allow: ['..'] } },
  test: { environment: 'jsdom', include: ['tests/unit/**/*.test.ts'] },
});
