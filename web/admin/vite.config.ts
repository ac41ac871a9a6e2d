// Builds the admin app into fixed file names (no hashes) so the server can embed and serve
// them at /admin/: index.html, assets/app.js, assets/app.css. The output directory comes from
// TOCSIN_ADMIN_OUT (set by CMake to a folder in the build directory), else ./dist.
import { defineConfig } from 'vite';

export default defineConfig({
  base: '/admin/',
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: {
    outDir: process.env.TOCSIN_ADMIN_OUT || 'dist',
    emptyOutDir: true,
    target: 'es2020',
    cssCodeSplit: false,
    modulePreload: false,
    assetsInlineLimit: 8192,
    reportCompressedSize: false,
    rollupOptions: {
      output: {
        entryFileNames: 'assets/app.js',
        chunkFileNames: 'assets/[name].js',
        assetFileNames: (info) =>
          (info.names ?? []).some((n) => n.endsWith('.css')) ? 'assets/app.css' : 'assets/[name][extname]',
      },
    },
  },
});
