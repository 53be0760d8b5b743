import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { defineConfig, type Plugin } from 'vite';

/**
 * Writes `.br` and `.gz` beside each built script and stylesheet, which `weir up` serves to
 * browsers that accept them (no compression work per request), and prints their sizes.
 */
function precompress(): Plugin {
  let outDir = '';
  return {
    name: 'weir-precompress',
    apply: 'build',
    configResolved(config) {
      outDir = join(config.root, config.build.outDir);
    },
    closeBundle() {
      const dir = join(outDir, 'assets');
      let total = 0;
      for (const file of readdirSync(dir)) {
        if (!/\.(js|css)$/.test(file)) continue;
        const content = readFileSync(join(dir, file));
        const brotli = brotliCompressSync(content, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } });
        writeFileSync(join(dir, `${file}.br`), brotli);
        writeFileSync(join(dir, `${file}.gz`), gzipSync(content, { level: 9 }));
        total += brotli.length;
      }
      console.log(`weir web UI: ${(total / 1024).toFixed(1)} KiB of JavaScript and CSS (brotli)`);
    },
  };
}

export default defineConfig({
  root: 'src',
  base: '/',
  build: { outDir: '../dist', emptyOutDir: true, target: 'es2022', sourcemap: false, reportCompressedSize: false },
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  worker: { format: 'es' },
  plugins: [precompress()],
});
