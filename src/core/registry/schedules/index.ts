import type { ScheduleDef } from '../types.ts';
import { ChainedScheduler } from './ChainedScheduler.ts';
import { ConstantLR } from './ConstantLR.ts';
import { CosineAnnealingLR } from './CosineAnnealingLR.ts';
import { CosineAnnealingWarmRestarts } from './CosineAnnealingWarmRestarts.ts';
import { CyclicLR } from './CyclicLR.ts';
import { ExponentialLR } from './ExponentialLR.ts';
import { LinearLR } from './LinearLR.ts';
import { MultiStepLR } from './MultiStepLR.ts';
import { OneCycleLR } from './OneCycleLR.ts';
import { PolynomialLR } from './PolynomialLR.ts';
import { SequentialLR } from './SequentialLR.ts';
import { StepLR } from './StepLR.ts';
import { SWALR } from './SWALR.ts';
import { ReduceLROnPlateau } from './ReduceLROnPlateau.ts';
import { WSD } from './WSD.ts';

export { validateSequentialLR } from './SequentialLR.ts';
export type { SequentialChild } from './SequentialLR.ts';
export { validateChainedScheduler } from './ChainedScheduler.ts';

/**
 * Every LR schedule, in the order the app lists them. The position also fixes the WGSL kind number
 * (`SCHED_KIND_<Id>` = index + 1; 0 is a constant LR), so new schedules are appended.
 */
export const SCHEDULES: readonly ScheduleDef[] = [
  StepLR,
  MultiStepLR,
  ExponentialLR,
  CosineAnnealingLR,
  CosineAnnealingWarmRestarts,
  CyclicLR,
  OneCycleLR,
  LinearLR,
  ConstantLR,
  SequentialLR,
  PolynomialLR,
  ChainedScheduler,
  SWALR,
  WSD,
  ReduceLROnPlateau,
];
