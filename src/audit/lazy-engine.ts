/**
 * The training engine of a run, created on first use: a run whose models are all cached never loads
 * one. Shared by the pipeline (pipeline.ts) and the experiments mode (experiments.ts).
 */

import type { Logger } from '../core/logger.js';
import type { Engine } from '../models/engine.js';
import { createEngine } from '../models/engines/create-engine.js';
import type { BackendPreference } from '../models/engines/names.js';

export interface LazyEngine {
  /** Creates the engine on the first call (logging `engine: <name>, backend <description>`), then returns it. */
  get: () => Promise<Engine>;
  /** The engine once {@link LazyEngine.get} has created it, else undefined. */
  current: () => Engine | undefined;
}

/**
 * A {@link LazyEngine} for `backend`, made by `create` (default: createEngine('auto', { backend }) of
 * src/models/engines/create-engine.ts; RunAuditOptions.createEngine replaces it).
 */
export function lazyEngine(
  backend: BackendPreference,
  log: Logger,
  create: (backend: BackendPreference) => Promise<Engine> = (b) => createEngine('auto', { backend: b }),
): LazyEngine {
  let engine: Engine | undefined;
  return {
    get: async () => {
      if (engine === undefined) {
        engine = await create(backend);
        log.info(`engine: ${engine.name}, backend ${engine.backend.description}`);
      }
      return engine;
    },
    current: () => engine,
  };
}
