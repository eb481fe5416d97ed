import { readdir, readFile } from 'node:fs/promises';

/** What marks a process as one of a job's: variables every local job's processes inherit. */
export interface JobIdentity {
  jobId: string;
  workspaceId: string;
  /** The job's run (MLFLOW_RUN_ID): unique across servers, so two servers on one machine never mix jobs up. */
  runId?: string | null;
}

/**
 * Kills (SIGKILL, whole process groups) the processes a job left running when the server that started
 * it died: a local job runs in its own process group, which outlives a SIGKILLed server, and would go
 * on writing into a run that the restarted server has already marked failed. A process is the job's
 * when its environment holds the job's CAIRN_JOB_NAME, CAIRN_WORKSPACE and MLFLOW_RUN_ID (read from
 * /proc, so no pid has to be saved before the process starts, and a reused pid is never mistaken for
 * the job). Returns the number of groups killed; 0 where there is no /proc (not Linux).
 */
export async function killLeftoverProcesses(identity: JobIdentity, procDir = '/proc'): Promise<number> {
  const markers = [
    `CAIRN_JOB_NAME=${identity.jobId}`,
    `CAIRN_WORKSPACE=${identity.workspaceId}`,
    ...(identity.runId ? [`MLFLOW_RUN_ID=${identity.runId}`] : []),
  ];
  let entries: string[];
  try {
    entries = await readdir(procDir);
  } catch {
    return 0;
  }
  const own = new Set([process.pid, await groupOf(procDir, process.pid)]);
  const groups = new Set<number>();
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (own.has(pid)) continue;
    const environ = await readFile(`${procDir}/${entry}/environ`).catch(() => null);
    if (environ === null || !hasAll(environ.toString('utf8').split('\0'), markers)) continue;
    const group = await groupOf(procDir, pid);
    // Never the server's own group (or init's): a job always runs in a group of its own.
    if (group !== null && group > 1 && !own.has(group)) groups.add(group);
  }
  for (const group of groups) {
    try {
      process.kill(-group, 'SIGKILL');
    } catch {
      // Gone meanwhile.
    }
  }
  return groups.size;
}

const hasAll = (variables: readonly string[], markers: readonly string[]) =>
  markers.every((m) => variables.includes(m));

/** The process group of `pid` from /proc/<pid>/stat ("pid (comm) state ppid pgrp …"); null when gone. */
async function groupOf(procDir: string, pid: number): Promise<number | null> {
  const stat = await readFile(`${procDir}/${pid}/stat`, 'utf8').catch(() => null);
  if (stat === null) return null;
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const group = Number(fields[2]);
  return Number.isInteger(group) ? group : null;
}
