#!/usr/bin/env node
// The bundle that `pnpm install` (and `pnpm build`) makes from the sources: see scripts/bundle.mjs.
import '../bundle/main.js';
