// How long the page thread works in each of its tasks, in thread (CPU) time
// as well as wall time, from a Chromium trace. A long task's wall time also
// counts the time the thread waits for a core: with two training workers on a
// two-core machine, a task of 20 ms of work can last 70 ms. The trace's
// `tdur` is the time the thread itself ran, so it measures the page's code,
// not the machine's load.
import type { Page } from 'playwright-core';

interface TraceEvent {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  dur?: number;
  tdur?: number;
  args?: { name?: string };
}

/** A thread's task, as Chromium names it (the outer one of a task nests the inner). */
const TASK_NAMES = new Set(['RunTask', 'ThreadControllerImpl::RunTask']);

export interface PageTask {
  /** Wall time, ms. */
  wallMs: number;
  /** Time the page thread itself ran, ms. */
  cpuMs: number;
}

/**
 * Starts tracing every renderer's main thread; the returned function stops it
 * and lists the tasks on those threads that lasted at least `minWallMs` (and,
 * for failure messages, a summary of the long tasks on every thread).
 */
export async function tracePageThread(
  page: Page,
  minWallMs = 50,
): Promise<() => Promise<{ tasks: PageTask[]; summary: string }>> {
  const browser = page.context().browser();
  if (!browser) throw new Error('tracePageThread needs a page of a launched browser');
  const cdp = await browser.newBrowserCDPSession();
  const events: TraceEvent[] = [];
  cdp.on('Tracing.dataCollected', (d) => {
    // Only what the measure needs: thread names, and tasks long enough to count.
    for (const e of d.value as unknown as TraceEvent[]) {
      const threadName = e.ph === 'M' && e.name === 'thread_name';
      const longTask = e.ph === 'X' && TASK_NAMES.has(e.name) && (e.dur ?? 0) >= minWallMs * 1000;
      if (threadName || longTask) events.push(e);
    }
  });
  const complete = new Promise<void>((resolve) =>
    cdp.once('Tracing.tracingComplete', () => resolve()),
  );
  await cdp.send('Tracing.start', {
    traceConfig: { includedCategories: ['toplevel', '__metadata'] },
    transferMode: 'ReportEvents',
  });
  // Tracing.start returns once the browser records; each renderer starts
  // recording a little later (a 200 ms loop run at once went unrecorded once
  // in a loaded test run), so wait before the work to be measured begins.
  await page.waitForTimeout(1000);
  return async () => {
    await cdp.send('Tracing.end');
    await complete;
    await cdp.detach();
    const names = new Map(
      events.filter((e) => e.ph === 'M').map((e) => [`${e.pid}:${e.tid}`, e.args?.name ?? '?']),
    );
    const long = events.filter((e) => e.ph === 'X');
    const tasks = long.filter((e) => names.get(`${e.pid}:${e.tid}`) === 'CrRendererMain');
    if (tasks.some((e) => e.tdur === undefined)) {
      throw new Error(
        'the trace has no thread times (tdur): this platform cannot tell work from waiting',
      );
    }
    // What else the trace held, for a failure message: long tasks per thread name.
    const perThread = new Map<string, number>();
    for (const e of long) {
      const name = names.get(`${e.pid}:${e.tid}`) ?? 'unnamed';
      perThread.set(name, (perThread.get(name) ?? 0) + 1);
    }
    return {
      tasks: tasks.map((e) => ({
        wallMs: Math.round((e.dur ?? 0) / 1000),
        cpuMs: Math.round((e.tdur ?? 0) / 1000),
      })),
      summary: `${names.size} threads named; long tasks by thread: ${JSON.stringify(Object.fromEntries(perThread))}`,
    };
  };
}
