import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
// package.json sits one level above both src/ and dist/, so the same path works from sources and the build.
export const TOOL_VERSION: string = (require('../package.json') as { version: string }).version;
