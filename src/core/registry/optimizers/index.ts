import type { OptimizerDef } from '../types.ts';
import { Adadelta } from './Adadelta.ts';
import { Adafactor } from './Adafactor.ts';
import { Adagrad } from './Adagrad.ts';
import { Adam } from './Adam.ts';
import { Adamax } from './Adamax.ts';
import { AdamW } from './AdamW.ts';
import { ASGD } from './ASGD.ts';
import { LAMB } from './LAMB.ts';
import { LARS } from './LARS.ts';
import { Lion } from './Lion.ts';
import { NAdam } from './NAdam.ts';
import { RAdam } from './RAdam.ts';
import { RMSprop } from './RMSprop.ts';
import { Rprop } from './Rprop.ts';
import { SGD } from './SGD.ts';
import { AdamWScheduleFree } from './AdamWScheduleFree.ts';
import { SGDScheduleFree } from './SGDScheduleFree.ts';

/** The torch optimisers basinlab started with (tests/unit/optimizers.test.ts pins this list). */
export const CORE_OPTIMIZERS: readonly OptimizerDef[] = [SGD, Adam, AdamW, RMSprop, Adagrad, NAdam, RAdam];

/**
 * The catalogue extension (docs/catalogue.md, tests/unit/catalogue.test.ts): the rest of torch.optim
 * that fits a dense 2-D run, then LARS, LAMB and Lion after timm, then Schedule-Free SGD and AdamW after
 * facebookresearch/schedule_free.
 */
export const CATALOGUE_OPTIMIZERS: readonly OptimizerDef[] = [
  Adadelta,
  Adamax,
  ASGD,
  Rprop,
  Adafactor,
  LARS,
  LAMB,
  Lion,
  SGDScheduleFree,
  AdamWScheduleFree,
];

/** Every optimiser, in the order the app lists them. */
export const OPTIMIZERS: readonly OptimizerDef[] = [...CORE_OPTIMIZERS, ...CATALOGUE_OPTIMIZERS];
