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

/**
 * Every optimiser, in the order the app lists them: the torch optimisers basinlab started with, then
 * the catalogue (docs/catalogue.md): the rest of torch.optim that fits a dense 2-D run, LARS, LAMB
 * and Lion after timm, and Schedule-Free SGD and AdamW after facebookresearch/schedule_free.
 * tests/unit/optimizer-rows.ts holds a row for each; the harness fails for an entry without one.
 */
export const OPTIMIZERS: readonly OptimizerDef[] = [
  SGD,
  Adam,
  AdamW,
  RMSprop,
  Adagrad,
  NAdam,
  RAdam,
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
