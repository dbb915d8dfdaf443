// The operating-system process that runs a page in Chromium, so a test can freeze it for real (SIGSTOP, as
// a phone's app switcher or a debugger does) and wake it (SIGCONT). Linux only (/proc).
//
// Chromium starts its renderers from a zygote, so they are grandchildren of the browser, and a headless
// browser keeps more than one (its own UI's, a spare one for the next tab). The page's renderer is the one,
// among this process's descendants started with --type=renderer, that stops the page answering while it is
// stopped; the one that burns CPU while the page spins is tried first.
import { readdirSync, readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';

interface Proc { pid: number; ppid: number; cmdline: string; cpuTicks: number }

function readProc(pid: number): Proc | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // fields from the 3rd (state) on
    // A zygote's children rewrite their process title: the arguments may come as one string with spaces.
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
    return { pid, ppid: Number(fields[1]), cmdline, cpuTicks: Number(fields[11]) + Number(fields[12]) }; // utime + stime
  } catch {
    return null; // gone meanwhile
  }
}

/** Every process under this one that Chromium started as a renderer. */
function renderers(): Proc[] {
  const procs = readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map((d) => readProc(Number(d))).filter((p): p is Proc => p !== null);
  const ours = new Set([process.pid]);
  for (let grew = true; grew;) {
    grew = false;
    for (const p of procs) {
      if (ours.has(p.ppid) && !ours.has(p.pid)) {
        ours.add(p.pid);
        grew = true;
      }
    }
  }
  return procs.filter((p) => p.pid !== process.pid && ours.has(p.pid) && /(^| )--type=renderer( |$)/.test(p.cmdline));
}

/** The pid of the renderer running `page` (whose browser this process launched). Spins and stops the page
 *  for a moment: call it before the page does anything that time matters to. */
export async function rendererOf(page: Page): Promise<number> {
  const before = new Map(renderers().map((p) => [p.pid, p.cpuTicks]));
  if (before.size === 0) throw new Error('no Chromium renderer among this process\'s children');
  // A string, not a function: tsx would add helpers to a function that the page does not have.
  await page.evaluate('(() => { const end = performance.now() + 300; while (performance.now() < end); })()');
  const burnt = renderers().filter((p) => before.has(p.pid)).map((p) => ({ pid: p.pid, ticks: p.cpuTicks - before.get(p.pid)! }));
  burnt.sort((a, b) => b.ticks - a.ticks);
  for (const { pid } of burnt) if (await answersWhileStopped(page, pid) === false) return pid;
  throw new Error(`none of the renderers ${JSON.stringify(burnt)} runs the page`);
}

/** Stops `pid` and asks the page a question: false when no answer comes while it is stopped. */
async function answersWhileStopped(page: Page, pid: number): Promise<boolean> {
  process.kill(pid, 'SIGSTOP');
  try {
    const answer = page.evaluate('1');
    const answered = await Promise.race([answer.then(() => true), new Promise<false>((r) => setTimeout(() => r(false), 1500))]);
    process.kill(pid, 'SIGCONT');
    await answer; // the page's answer, once it runs again
    return answered;
  } finally {
    process.kill(pid, 'SIGCONT');
  }
}
