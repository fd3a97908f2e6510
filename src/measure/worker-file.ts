/** Locating worker entry modules: defined in config/paths.ts, which planning (custom model checks) uses too. */
export { workerModule } from '../config/paths.js';
