import { describe, expect, it } from 'vitest';
import { exitCodeFromMessage, rayJobState } from './ray-state.js';

describe('rayJobState', () => {
  it('maps the live statuses', () => {
    expect(rayJobState({ status: 'PENDING', message: 'Job has not started yet.' })).toEqual({
      state: 'preparing',
    });
    expect(rayJobState({ status: 'RUNNING' })).toEqual({ state: 'running' });
    expect(rayJobState({ status: 'SUCCEEDED', driver_exit_code: 0 })).toEqual({ state: 'completed' });
  });

  it('reports a failure with the exit code Ray recorded and its message as the reason', () => {
    const message =
      'Job entrypoint command failed with exit code 3, last available logs (truncated to 20,000 chars):\nboom\n';
    expect(rayJobState({ status: 'FAILED', message, driver_exit_code: 3 })).toEqual({
      state: 'failed',
      exitCode: 3,
      reason: message.trim(),
    });
  });

  it('parses the exit code from the message when Ray left driver_exit_code out', () => {
    expect(
      rayJobState({
        status: 'FAILED',
        message: 'Job entrypoint command failed with exit code 137. No logs available.',
      }),
    ).toMatchObject({
      state: 'failed',
      exitCode: 137,
    });
  });

  it('has no exit code for a job that failed before its command ran', () => {
    expect(
      rayJobState({
        status: 'FAILED',
        message: 'runtime_env setup failed: pip install …',
        error_type: 'RUNTIME_ENV_SETUP_FAILURE',
      }),
    ).toEqual({ state: 'failed', exitCode: null, reason: 'runtime_env setup failed: pip install …' });
    expect(rayJobState({ status: 'FAILED', error_type: 'JOB_SUPERVISOR_ACTOR_DIED' })).toEqual({
      state: 'failed',
      exitCode: null,
      reason: 'The Ray job failed (JOB_SUPERVISOR_ACTOR_DIED) without a message',
    });
  });

  it('maps STOPPED to canceled', () => {
    expect(rayJobState({ status: 'STOPPED', message: 'Job was intentionally stopped.' })).toEqual({
      state: 'canceled',
      reason: 'Job was intentionally stopped.',
    });
    expect(rayJobState({ status: 'STOPPED', message: null })).toEqual({
      state: 'canceled',
      reason: 'The Ray job was stopped',
    });
  });

  it('fails an unknown status rather than waiting on it forever', () => {
    expect(rayJobState({ status: 'EXPLODED' })).toMatchObject({ state: 'failed', exitCode: null });
  });
});

describe('exitCodeFromMessage', () => {
  it('reads negative codes (signals) and nothing from other text', () => {
    expect(exitCodeFromMessage('failed with exit code -15, last logs')).toBe(-15);
    expect(exitCodeFromMessage('no code here')).toBeNull();
    expect(exitCodeFromMessage(null)).toBeNull();
  });
});
