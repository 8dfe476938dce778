/**
 * Task lists (listr2), always on stderr: the live renderer on a terminal, the simple
 * line-by-line renderer otherwise (CI logs stay readable).
 */
import type {ListrTask} from 'listr2'
import type {Io} from './output.js'

export interface TaskListOptions {
  concurrent?: boolean | number
  exitOnError?: boolean
}

export async function runTasks<Ctx extends object>(io: Io, tasks: ListrTask<Ctx>[], ctx: Ctx, options: TaskListOptions = {}): Promise<Ctx> {
  const {Listr, ProcessOutput} = await import('listr2')
  const stderr = io.errStream as NodeJS.WriteStream
  const processOutput = new ProcessOutput(stderr, stderr)
  const list = new Listr<Ctx>(tasks, {
    concurrent: options.concurrent ?? false,
    exitOnError: options.exitOnError ?? true,
    renderer: io.stderrIsTTY && !io.verbose ? 'default' : 'simple',
    fallbackRenderer: 'simple',
    rendererOptions: {processOutput},
    fallbackRendererOptions: {processOutput},
    ctx,
  } as never)
  return list.run(ctx)
}
