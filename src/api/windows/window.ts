/** A window: the namespace that window state and timers are scoped to. */
export abstract class Window {
  /** The last timestamp that still belongs to the window. */
  abstract maxTimestamp(): number;
  /** A stable string that identifies the window; used as its state namespace. */
  abstract get id(): string;
}

/** [start, end) in epoch ms. */
export class TimeWindow extends Window {
  private cachedId: string | undefined;

  constructor(
    readonly start: number,
    readonly end: number,
  ) {
    super();
  }

  maxTimestamp(): number {
    return this.end - 1;
  }

  override get id(): string {
    return (this.cachedId ??= `${this.start}:${this.end}`);
  }

  intersects(other: TimeWindow): boolean {
    return this.start <= other.end && this.end >= other.start;
  }

  cover(other: TimeWindow): TimeWindow {
    return new TimeWindow(Math.min(this.start, other.start), Math.max(this.end, other.end));
  }

  equals(other: TimeWindow): boolean {
    return this.start === other.start && this.end === other.end;
  }

  override toString(): string {
    return `TimeWindow{start=${this.start}, end=${this.end}}`;
  }

  static fromId(id: string): TimeWindow {
    const i = id.indexOf(':');
    return new TimeWindow(Number(id.slice(0, i)), Number(id.slice(i + 1)));
  }

  /** Start of the window that holds `timestamp`, as Flink's TimeWindow.getWindowStartWithOffset. */
  static windowStart(timestamp: number, offset: number, size: number): number {
    const remainder = (timestamp - offset) % size;
    return remainder < 0 ? timestamp - (remainder + size) : timestamp - remainder;
  }
}

/** The single window of GlobalWindows; it never ends on its own. */
export class GlobalWindow extends Window {
  static readonly INSTANCE = new GlobalWindow();

  maxTimestamp(): number {
    return Infinity;
  }

  override get id(): string {
    return 'global';
  }

  override toString(): string {
    return 'GlobalWindow';
  }
}
