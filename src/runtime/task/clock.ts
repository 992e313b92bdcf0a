/** Processing time. Tests use VirtualClock, which jumps to the next wake-up when the job idles. */
export interface Clock {
  now(): number;
  readonly virtual: boolean;
}

export class SystemClock implements Clock {
  readonly virtual = false;
  now(): number {
    return Date.now();
  }
}

export class VirtualClock implements Clock {
  readonly virtual = true;
  constructor(private time = 0) {}

  now(): number {
    return this.time;
  }

  /** Moves time forward (never back). */
  advanceTo(time: number): void {
    if (time > this.time) this.time = time;
  }
}
