/**
 * The reliability campaign's kill point (issue 17, docs/RELIABILITY.md "Kills at every step").
 * Every durable record of progress (a journal save, a backup checkpoint, a restore's progress
 * file) calls `stepRecorded()`. With IMPRESS_KILL_AFTER_STEPS=N in the environment, the process
 * sends itself SIGKILL right after its Nth record: nothing after it runs (no finally, no exit
 * handler), exactly as a kill -9 or a power loss at that point. Unset (always, outside the
 * campaign), it does nothing.
 */
let recorded = 0

export function stepRecorded(): void {
  const after = process.env.IMPRESS_KILL_AFTER_STEPS
  if (!after) return
  recorded++
  if (recorded >= Number(after)) process.kill(process.pid, 'SIGKILL')
}
