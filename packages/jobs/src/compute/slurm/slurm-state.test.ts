import { describe, expect, it } from 'vitest';
import { mapSlurmState, parseScontrolRecord, parseSlurmExitCode } from './slurm-state.js';

// `scontrol show job -o` of a failed job, as Slurm 22.05 prints it.
const SCONTROL_FAILED =
  'JobId=2 JobName=wrap UserId=root(0) GroupId=root(0) MCS_label=N/A Priority=4294901758 Nice=0 Account=(null) QOS=(null) JobState=FAILED Reason=NonZeroExitCode Dependency=(null) Requeue=1 Restarts=0 BatchFlag=1 Reboot=0 ExitCode=3:0 RunTime=00:00:00 TimeLimit=UNLIMITED TimeMin=N/A AllocNode:Sid=localhost:14802 ReqNodeList=(null) NodeList=vm TRES=cpu=1,mem=256M,node=1,billing=1 Socks/Node=* NtasksPerN:B:S:C=0:0:*:* CPUs/Task=1 WorkDir=/tmp StdErr=/tmp/f.out StdIn=/dev/null StdOut=/tmp/f.out Power=';

describe('parseScontrolRecord', () => {
  it('reads the fields the adapter needs, with values that contain = and :', () => {
    const record = parseScontrolRecord(`${SCONTROL_FAILED}\n`);
    expect(record.get('JobState')).toBe('FAILED');
    expect(record.get('ExitCode')).toBe('3:0');
    expect(record.get('Reason')).toBe('NonZeroExitCode');
    expect(record.get('TimeLimit')).toBe('UNLIMITED');
    expect(record.get('TRES')).toBe('cpu=1,mem=256M,node=1,billing=1');
    expect(record.get('AllocNode:Sid')).toBe('localhost:14802');
    expect(record.get('Power')).toBe('');
  });
});

describe('parseSlurmExitCode', () => {
  it('splits code and signal', () => {
    expect(parseSlurmExitCode('3:0')).toEqual({ code: 3, signal: 0 });
    expect(parseSlurmExitCode('0:15')).toEqual({ code: 0, signal: 15 });
    expect(parseSlurmExitCode('')).toBeNull();
    expect(parseSlurmExitCode(undefined)).toBeNull();
  });
});

describe('mapSlurmState', () => {
  it('maps the waiting and running states', () => {
    expect(mapSlurmState({ state: 'PENDING' })).toEqual({ state: 'queued' });
    expect(mapSlurmState({ state: 'CONFIGURING' })).toEqual({ state: 'preparing' });
    expect(mapSlurmState({ state: 'RUNNING' })).toEqual({ state: 'running' });
    expect(mapSlurmState({ state: 'COMPLETING' })).toEqual({ state: 'running' });
  });

  it('maps COMPLETED to completed', () => {
    expect(mapSlurmState({ state: 'COMPLETED', exitCode: '0:0' })).toEqual({ state: 'completed' });
  });

  it('maps FAILED to failed with the exit code', () => {
    expect(mapSlurmState({ state: 'FAILED', exitCode: '3:0', reason: 'NonZeroExitCode' })).toEqual({
      state: 'failed',
      exitCode: 3,
      reason: 'failed: exited with code 3',
    });
  });

  it('names the signal that killed a job, and a reason Slurm gives', () => {
    expect(mapSlurmState({ state: 'FAILED', exitCode: '0:9', reason: 'RaisedSignal:9_Killed' })).toEqual({
      state: 'failed',
      exitCode: null,
      reason: 'failed: killed by signal 9 (Slurm reason: RaisedSignal:9_Killed)',
    });
  });

  it('maps OUT_OF_MEMORY and NODE_FAIL to failed, saying which', () => {
    const oom = mapSlurmState({ state: 'OUT_OF_MEMORY', exitCode: '0:125' });
    expect(oom).toMatchObject({ state: 'failed' });
    expect(oom.state === 'failed' && oom.reason).toMatch(/ran out of memory/);
    const node = mapSlurmState({ state: 'NODE_FAIL', exitCode: '1:0' });
    expect(node).toMatchObject({ state: 'failed', exitCode: 1 });
    expect(node.state === 'failed' && node.reason).toMatch(/NODE_FAIL/);
  });

  it('maps TIMEOUT to failed "timed out" with the limit', () => {
    expect(mapSlurmState({ state: 'TIMEOUT', exitCode: '0:0', timeLimit: '00:01:00' })).toEqual({
      state: 'failed',
      exitCode: null,
      reason: 'timed out: reached its Slurm time limit of 00:01:00',
    });
  });

  it('maps CANCELLED (also squeue\'s "CANCELLED by 0") to canceled', () => {
    expect(mapSlurmState({ state: 'CANCELLED', exitCode: '0:15' })).toMatchObject({ state: 'canceled' });
    expect(mapSlurmState({ state: 'CANCELLED by 0' })).toMatchObject({ state: 'canceled' });
  });

  it('fails a job in a state it does not know rather than waiting forever', () => {
    expect(mapSlurmState({ state: 'WARPED' })).toEqual({
      state: 'failed',
      exitCode: null,
      reason: "Slurm reports the unknown job state 'WARPED'",
    });
  });
});
