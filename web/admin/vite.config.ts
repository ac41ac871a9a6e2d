// Builds the admin app into fixed file names (no hashes) so the server can embed and serve
// them at /admin/: index.html, assets/app.js, assets/app.css. The output directory comes from
// TOCSIN_ADMIN_OUT (set by CMake to a folder in the build directory), else ./dist.
import { defineConfig } from 'vite';

// CMake embeds exactly these files; anything else (a split chunk, an imported image too big to
// inline) would be missing from the binary, so it fails the build instead.
const kOutputs = new Set(['index.html', 'assets/app.js', 'assets/app.css']);

export default defineConfig({
  base: '/admin/',
  plugins: [
    {
      name: 'tocsin-fixed-outputs',
      apply: 'build',
      generateBundle(_options, bundle) {
        const extra = Object.keys(bundle).filter((name) => !kOutputs.has(name));
        if (extra.length > 0) this.error(`unexpected build outputs (not embedded by CMake): ${extra.join(', ')}`);
      },
    },
  ],
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
