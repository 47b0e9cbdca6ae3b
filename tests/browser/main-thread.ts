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
 * and lists the tasks on those threads that lasted at least `minWallMs`.
 */
export async function tracePageThread(
  page: Page,
  minWallMs = 50,
): Promise<() => Promise<PageTask[]>> {
  const browser = page.context().browser();
  if (!browser) throw new Error('tracePageThread needs a page of a launched browser');
  const cdp = await browser.newBrowserCDPSession();
  const events: TraceEvent[] = [];
  cdp.on('Tracing.dataCollected', (d: { value: TraceEvent[] }) => {
    for (const e of d.value) {
      // Only what the measure needs: thread names, and tasks long enough to count.
      if ((e.ph === 'M' && e.name === 'thread_name') || (TASK_NAMES.has(e.name) && e.ph === 'X')) {
        if (e.ph === 'M' || (e.dur ?? 0) >= minWallMs * 1000) events.push(e);
      }
    }
  });
  const complete = new Promise<void>((resolve) =>
    cdp.once('Tracing.tracingComplete', () => resolve()),
  );
  await cdp.send('Tracing.start', {
    traceConfig: { includedCategories: ['toplevel', '__metadata'] },
    transferMode: 'ReportEvents',
  });
  return async () => {
    await cdp.send('Tracing.end');
    await complete;
    await cdp.detach();
    const main = new Set(
      events
        .filter((e) => e.ph === 'M' && e.args?.name === 'CrRendererMain')
        .map((e) => `${e.pid}:${e.tid}`),
    );
    const tasks = events.filter((e) => e.ph === 'X' && main.has(`${e.pid}:${e.tid}`));
    if (tasks.some((e) => e.tdur === undefined)) {
      throw new Error(
        'the trace has no thread times (tdur): this platform cannot tell work from waiting',
      );
    }
    return tasks.map((e) => ({
      wallMs: Math.round((e.dur ?? 0) / 1000),
      cpuMs: Math.round((e.tdur ?? 0) / 1000),
    }));
  };
}
