/**
 * Workspace discovery, one import for every action: the modules live in workspace/
 * (files.ts lists the repository, read.ts reads one distribution, metadata-hook.ts asks the
 * build backend, discover.ts puts them together).
 */
export * from './workspace/discover.js'
export { readToml, detectBackend, type Backend, type Table } from './workspace/read.js'
