// What the benchmarks read of a page while it plays: the simulated clock, the main-thread tasks
// over 50 ms (the browser's long tasks) and the page's own measures of its work
// (`opsdojo:simulate`, `…:dashboard`, `…:checkpoint`, …), to tell what a long task was made of.

/** The clock's simulated seconds since day 0 ("day 1 20:15:00" or "jour 1 …"), or null. */
export async function simulatedSeconds(page) {
  const [, day, h, m, s] = (await page.textContent('[data-testid="clock-now"]')).match(/(\d+)\D+(\d+):(\d+):(\d+)/) || [];
  return day === undefined ? null : ((Number(day) * 24 + Number(h)) * 60 + Number(m)) * 60 + Number(s);
}

/** Starts recording the page's long tasks and measures; `taken(page)` reads them. */
export async function recordTasks(page) {
  await page.evaluate(() => {
    window.__long = [];
    window.__measures = [];
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) window.__long.push({ start: entry.startTime, duration: entry.duration });
    }).observe({ type: "longtask" });
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) {
        if (entry.name.startsWith("opsdojo:")) window.__measures.push({ name: entry.name.slice(8), start: entry.startTime, duration: entry.duration });
      }
    }).observe({ type: "measure" });
  });
}

/**
 * The long tasks recorded so far: their durations, the longest, and what it was made of
 * ("simulate 30, other 21": each measure inside it summed by name; the rest is drawing,
 * layout and garbage collection).
 */
export async function taken(page) {
  const [tasks, measures] = await page.evaluate(() => [window.__long, window.__measures]);
  const long = tasks.map((task) => task.duration);
  const worst = tasks.reduce((a, b) => (a && a.duration >= b.duration ? a : b), null);
  let parts = "";
  if (worst) {
    const sums = {};
    for (const m of measures) {
      if (m.start >= worst.start && m.start + m.duration <= worst.start + worst.duration + 1) sums[m.name] = (sums[m.name] || 0) + m.duration;
    }
    const named = Object.values(sums).reduce((a, b) => a + b, 0);
    parts = Object.entries(sums).map(([name, ms]) => `${name} ${Math.round(ms)}`).concat(`other ${Math.round(worst.duration - named)}`).join(", ");
  }
  return { long, longest: Math.round(Math.max(0, ...long)), parts };
}
