import type { DataService } from '../assets/data-service.js';

export interface RefresherOptions {
  data: DataService;
  /** How often to look for assets whose watched source is due. */
  tickMs: number;
  /** Who the new versions are recorded as made by. */
  actor: string;
  log?: { warn(obj: unknown, msg: string): void };
}

/**
 * Looks at watched sources when they are due (each asset's own interval) and registers a new version
 * when files changed. One refresh at a time; a failing source is logged and tried again next interval.
 */
export class Refresher {
  readonly #o: RefresherOptions;
  #timer: NodeJS.Timeout | null = null;
  #running: Promise<void> | null = null;

  constructor(options: RefresherOptions) {
    this.#o = options;
  }

  start(): void {
    if (this.#timer || this.#o.tickMs <= 0) return;
    this.#timer = setInterval(() => {
      this.#running ??= this.tick()
        .then(() => undefined)
        .finally(() => {
          this.#running = null;
        });
    }, this.#o.tickMs);
    this.#timer.unref();
  }

  /** Refreshes every asset due now; returns how many were looked at. */
  async tick(now = Date.now()): Promise<number> {
    const due = await this.#o.data.dueRefreshes(now);
    for (const { workspaceId, name } of due) {
      try {
        await this.#o.data.refresh({ workspaceId, actor: this.#o.actor, message: 'scheduled refresh' }, name);
      } catch (err) {
        this.#o.log?.warn({ err, workspaceId, name }, 'data refresh failed; trying again next interval');
        await this.#o.data.postponeRefresh(workspaceId, name).catch(() => undefined);
      }
    }
    return due.length;
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    await this.#running;
  }
}
