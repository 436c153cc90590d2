// libuv's threadpool runs every sharp pipeline (gallery and dataset thumbnails) as well as
// the process's async file reads, hashing and DNS lookups. A sharp pipeline holds one of its
// threads from decode to write, and the thumbnailer runs two pipelines per core (one does
// not keep a core busy), so libuv's default of 4 threads would leave nothing for the rest of
// the process during a scan.
//
// The pool is sized once, and loading sharp already fixes it: setting UV_THREADPOOL_SIZE
// from an imported module is too late (a bundle requires its dependencies first). So the
// build puts THREAD_POOL_INTRO at the top of the app's and the CLI's entry files, before
// their first require (electron.vite.config.ts), and the benches set it before loading sharp.
// Node does not promise that this takes effect (on Windows libuv may not see the change, and
// a runtime may start the pool before the entry runs). Then the pool stays at 4 and the
// thumbnailer's pipelines can hold every thread during a scan; other pool work still runs,
// after at most the shortest running pipeline (tens of ms): libuv's queue is first in, first
// out, and each pipeline's next step is queued only after it returns its thread.

/** Threads the studio asks for when the user has not set UV_THREADPOOL_SIZE. */
export const STUDIO_THREAD_POOL_SIZE = 8;
const LIBUV_DEFAULT = 4;

/** The entry files' first statement: the studio's pool size unless the user chose one. */
export const THREAD_POOL_INTRO = `if (!process.env.UV_THREADPOOL_SIZE) process.env.UV_THREADPOOL_SIZE = '${STUDIO_THREAD_POOL_SIZE}';`;

/** The pool's size as libuv reads it: UV_THREADPOOL_SIZE (1–1024), else libuv's default 4. */
export function threadPoolSize(env: NodeJS.ProcessEnv = process.env): number {
  const n = Number(env.UV_THREADPOOL_SIZE);
  if (!Number.isInteger(n) || n < 1) return LIBUV_DEFAULT;
  return Math.min(n, 1024);
}
