// A pid alone does not name a process: the kernel hands freed pids out again (pid_max is 32768 here, and a busy
// test machine goes round it in minutes). These read what tells two processes with the same pid apart.
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/** The fields of /proc/<pid>/stat after the command name (which may hold spaces and parentheses), or undefined when no such process exists. */
export function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** The pid's parent, or undefined when no process has this pid. */
export function parentOf(pid: number): number | undefined {
  const fields = statFields(pid);
  return fields ? Number(fields[1]) : undefined;
}

/** When the process with this pid started (clock ticks since boot), or undefined when none has it. */
export function startTimeOf(pid: number): string | undefined {
  return statFields(pid)?.[19];
}

/** PTYs this process holds open: the master side of each terminal session it runs. */
export function openPtyDescriptors(): number {
  return readdirSync('/proc/self/fd').filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`) === '/dev/ptmx';
    } catch {
      return false; // closed while listing
    }
  }).length;
}
