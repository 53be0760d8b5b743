/**
 * `@weir/engine/pipeline-config`: what works on pipeline and task files without an engine:
 * loading, validating, formatting, vars, and a config as its readers may see it. The CLI's config
 * commands import this rather than the whole engine (its store, API server and runner), which
 * takes most of a second to load.
 */
export * from './config/index.js';
export { configForReaders } from './api/config-for-readers.js';
