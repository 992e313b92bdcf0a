/**
 * Combines the watermarks of one input's channels: the minimum over channels that are
 * not idle; ended channels no longer count. Never goes backwards. When every channel is
 * idle the input is idle (as Flink's StatusWatermarkValve).
 */
export interface ValveResult {
  watermark?: number;
  idle?: boolean;
}

export class WatermarkValve {
  private readonly wm: number[];
  private readonly idle: boolean[];
  private readonly ended: boolean[];
  private last = -Infinity;
  private outputIdle = false;

  constructor(readonly channelCount: number) {
    this.wm = new Array<number>(channelCount).fill(-Infinity);
    this.idle = new Array<boolean>(channelCount).fill(false);
    this.ended = new Array<boolean>(channelCount).fill(false);
  }

  get current(): number {
    return this.last;
  }

  private combine(result: ValveResult): ValveResult {
    let min = Infinity;
    let anyActive = false;
    for (let i = 0; i < this.channelCount; i++) {
      if (this.ended[i]) continue;
      if (this.idle[i]) continue;
      anyActive = true;
      if (this.wm[i]! < min) min = this.wm[i]!;
    }
    const allEnded = this.ended.every(Boolean);
    if (!anyActive && !allEnded) {
      if (!this.outputIdle) {
        this.outputIdle = true;
        result.idle = true;
      }
      return result;
    }
    if (this.outputIdle) {
      this.outputIdle = false;
      result.idle = false;
    }
    if (anyActive && min > this.last) {
      this.last = min;
      result.watermark = min;
    }
    return result;
  }

  inputWatermark(channel: number, timestamp: number): ValveResult {
    if (timestamp > this.wm[channel]!) this.wm[channel] = timestamp;
    if (this.idle[channel]) this.idle[channel] = false;
    return this.combine({});
  }

  inputStatus(channel: number, idle: boolean): ValveResult {
    this.idle[channel] = idle;
    return this.combine({});
  }

  endOfPartition(channel: number): ValveResult {
    this.ended[channel] = true;
    return this.combine({});
  }

  allEnded(): boolean {
    return this.ended.every(Boolean);
  }
}
