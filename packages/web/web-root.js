import { fileURLToPath } from 'node:url';

/** The built web UI (`vite build` at install time), which `weir up` serves at `/`. */
export const webRoot = fileURLToPath(new URL('./dist/', import.meta.url));
