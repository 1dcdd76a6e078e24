import type { OptimizerDef } from '../types.ts';
import { Adagrad } from './Adagrad.ts';
import { Adam } from './Adam.ts';
import { AdamW } from './AdamW.ts';
import { NAdam } from './NAdam.ts';
import { RAdam } from './RAdam.ts';
import { RMSprop } from './RMSprop.ts';
import { SGD } from './SGD.ts';

/** Every optimiser, in the order the app lists them. */
export const OPTIMIZERS: readonly OptimizerDef[] = [SGD, Adam, AdamW, RMSprop, Adagrad, NAdam, RAdam];
