import type { KeySelector } from '../../api/functions.ts';
import type { JobArgs } from '../../api/environment.ts';
import type { Clock } from '../task/clock.ts';
import type { ProcessingTimeService } from '../task/processing-time-service.ts';
import type { KeyedStateBackend } from '../state/keyed-state-backend.ts';

/** Everything an operator instance learns about where it runs. */
export interface OperatorSetup {
  readonly operatorId: string;
  readonly name: string;
  readonly uid: string | undefined;
  readonly subtaskIndex: number;
  readonly parallelism: number;
  readonly maxParallelism: number;
  readonly jobParameters: JobArgs;
  readonly config: ReadonlyMap<string, string>;
  readonly clock: Clock;
  readonly processingTime: ProcessingTimeService;
  /** Set for operators on keyed streams. */
  readonly stateBackend: KeyedStateBackend | undefined;
  readonly keySelectors: readonly (KeySelector<unknown, unknown> | undefined)[];
  /** Whether the task takes part in a final checkpoint after its input ends (FLIP-147). */
  readonly finalCheckpoint: boolean;
  /** Registers async work (e.g. a sink write) that the task awaits before its next step. */
  trackAsync(work: Promise<void>): void;
  addToResult(name: string, values: readonly unknown[]): void;
}
