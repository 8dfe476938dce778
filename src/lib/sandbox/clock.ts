/**
 * Scaled time. The sandbox models operations that take minutes or hours on AWS; durations
 * are given in simulated milliseconds and multiplied by the time scale (default 0.01:
 * a 20-minute restore takes 12 s).
 */
export const DEFAULT_TIME_SCALE = 0.01

export class Clock {
  constructor(readonly scale: number = DEFAULT_TIME_SCALE) {}

  /** Real milliseconds for a simulated duration. */
  real(simulatedMs: number): number {
    return Math.max(0, Math.round(simulatedMs * this.scale))
  }

  delay(simulatedMs: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(resolve, this.real(simulatedMs))
      t.unref?.()
    })
  }

  /** Has a simulated duration elapsed since `startedAtMs` (wall clock)? */
  elapsed(startedAtMs: number, simulatedMs: number, now = Date.now()): boolean {
    return now - startedAtMs >= this.real(simulatedMs)
  }
}
