/**
 * Every key the audit config accepts, declared once: the readers (config.ts, config-data.ts,
 * config-reference.ts, config-models.ts, config-experiments.ts) open their sections with these lists, an
 * unknown key is an error naming them, and a test checks that configs/README.md documents exactly these
 * keys (CONFIG_KEYS).
 */

export const SECTIONS = [
  'run',
  'data',
  'target',
  'reference',
  'audit',
  'report',
  'training',
  'models',
  'experiments',
] as const;

export const RUN_KEYS = ['seed', 'log_dir', 'num_experiments', 'backend'] as const;

export const DATA_KEYS = [
  'dataset',
  'path',
  'download',
  'allow_synthetic_fallback',
  'first_k_classes',
  'normalize',
  'audit_size',
  'population_size',
  'validation_size',
  'synthetic',
  'fallback_dataset',
] as const;
export const SYNTHETIC_KEYS = ['shape', 'classes', 'noise'] as const;

/** The keys of a `target` / `reference` section and of a model under `models`. */
export const TRAIN_KEYS = [
  'architecture',
  'optimizer',
  'learning_rate',
  'momentum',
  'weight_decay',
  'schedule',
  'epochs',
  'batch_size',
  'augment',
  'dp',
] as const;
/** The keys of `dp` under `target`, `reference`, `training` and a model (DP-SGD: models/dp/dp-sgd.ts). */
export const DP_KEYS = ['noise_multiplier', 'target_epsilon', 'max_grad_norm', 'delta', 'sampling'] as const;
export const ARCHITECTURE_KEYS = ['name', 'params', 'from', 'restore_batchnorm'] as const;
/** The keys of a training `augment` mapping (random crop padding, horizontal flips). */
export const TRAIN_AUGMENT_KEYS = ['crop', 'flip'] as const;
/** The keys of `training` (every training key but the architecture, which each model names). */
export const SHARED_TRAIN_KEYS = TRAIN_KEYS.filter((k) => k !== 'architecture');
/** The keys of one entry of `experiments`. */
export const EXPERIMENT_KEYS = ['name', 'title', 'models', 'first_k_classes'] as const;

/** audit keys that only make sense with reference models (rejected in the experiments mode). */
export const REFERENCE_ONLY_AUDIT_KEYS = [
  'reference_models',
  'signal',
  'augmentations',
  'rmia',
  'shadow',
  'exposure',
  'one_run',
] as const;
export const AUDIT_KEYS = [
  'reference_models',
  'attacks',
  'signal',
  'augmentations',
  'rmia',
  'fpr_targets',
  'slices',
  'shadow',
  'privacy_every_epochs',
  'privacy_attacks',
  'privacy_samples',
  'exposure',
  'one_run',
] as const;
export const AUGMENTATION_KEYS = ['flip', 'shift'] as const;
/** audit.reference_models as a schedule (config-reference-models.ts). */
export const REFERENCE_MODELS_KEYS = ['min', 'max', 'until'] as const;
export const UNTIL_KEYS = ['metric', 'attack', 'tolerance'] as const;
export const RMIA_KEYS = ['a', 'gamma'] as const;
export const SHADOW_KEYS = ['hidden_layers'] as const;
export const ONE_RUN_KEYS = ['canaries', 'kind', 'guesses', 'beta'] as const;

export const REPORT_KEYS = ['enabled'] as const;

/** Which audits a section belongs to. */
export type ConfigMode = 'reference' | 'experiments';

/** One mapping of the config: its dotted path, its keys, the modes it applies to. */
export interface ConfigSectionKeys {
  /** Dotted path; `models.<name>` and `experiments[]` stand for every model / experiment entry. */
  path: string;
  keys: readonly string[];
  modes: readonly ConfigMode[];
}

const BOTH: readonly ConfigMode[] = ['reference', 'experiments'];

/** Every mapping of the config with its keys (configs/README.md documents each; test/audit/config-doc.test.ts). */
export const CONFIG_KEYS: readonly ConfigSectionKeys[] = [
  { path: '', keys: SECTIONS, modes: BOTH },
  { path: 'run', keys: RUN_KEYS, modes: BOTH },
  { path: 'data', keys: DATA_KEYS, modes: BOTH },
  { path: 'data.synthetic', keys: SYNTHETIC_KEYS, modes: BOTH },
  { path: 'target', keys: TRAIN_KEYS, modes: ['reference'] },
  { path: 'reference', keys: TRAIN_KEYS, modes: ['reference'] },
  { path: 'target.architecture', keys: ARCHITECTURE_KEYS, modes: ['reference'] },
  { path: 'target.augment', keys: TRAIN_AUGMENT_KEYS, modes: ['reference'] },
  { path: 'target.dp', keys: DP_KEYS, modes: BOTH },
  { path: 'audit', keys: AUDIT_KEYS, modes: BOTH },
  { path: 'audit.augmentations', keys: AUGMENTATION_KEYS, modes: ['reference'] },
  { path: 'audit.rmia', keys: RMIA_KEYS, modes: ['reference'] },
  { path: 'audit.shadow', keys: SHADOW_KEYS, modes: ['reference'] },
  { path: 'audit.reference_models', keys: REFERENCE_MODELS_KEYS, modes: ['reference'] },
  { path: 'audit.reference_models.until', keys: UNTIL_KEYS, modes: ['reference'] },
  { path: 'audit.one_run', keys: ONE_RUN_KEYS, modes: ['reference'] },
  { path: 'training', keys: SHARED_TRAIN_KEYS, modes: ['experiments'] },
  { path: 'models.<name>', keys: TRAIN_KEYS, modes: ['experiments'] },
  { path: 'experiments[]', keys: EXPERIMENT_KEYS, modes: ['experiments'] },
  { path: 'report', keys: REPORT_KEYS, modes: BOTH },
];
