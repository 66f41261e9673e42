/** Process-tree helpers for the tools that start the local run and must leave nothing behind. */
import { execFileSync } from 'node:child_process';

/**
 * Every descendant of `root` (children, grandchildren, …), from `ps`; empty if `ps` fails.
 *
 * @example
 * const pids = descendants(child.pid); // npm -> sh -> node -> java
 */
export function descendants(root: number): number[] {
  let table: [number, number][];
  try {
    table = execFileSync('ps', ['-e', '-o', 'pid=,ppid='], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .map((line) => line.trim().split(/\s+/).map(Number) as [number, number]);
  } catch {
    return [];
  }
  const found: number[] = [];
  let frontier = [root];
  while (frontier.length > 0) {
    const next = table.filter(([, ppid]) => frontier.includes(ppid)).map(([pid]) => pid);
    found.push(...next);
    frontier = next;
  }
  return found;
}

/**
 * Whether `pid` is a live process; a zombie (state Z) counts as gone.
 *
 * @example
 * await waitUntil(() => !alive(javaPid));
 */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !/Z/.test(execFileSync('ps', ['-o', 'stat=', '-p', String(pid)], { encoding: 'utf8' }));
  } catch {
    return false;
  }
}
