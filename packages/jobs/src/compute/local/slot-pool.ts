/** What one job holds while it runs. */
export interface SlotRequest {
  cpus: number;
  memoryGb: number;
  gpus: number;
}

/** The CPU, memory and GPU slots of the local pool; GPUs are handed out by device index. */
export class SlotPool {
  #cpus: number;
  #memoryGb: number;
  readonly #freeGpus: number[];

  constructor(readonly capacity: { cpus: number; memoryGb: number; gpus: readonly number[] }) {
    this.#cpus = capacity.cpus;
    this.#memoryGb = capacity.memoryGb;
    this.#freeGpus = [...capacity.gpus];
  }

  /** Why the request can never fit this pool, or null. */
  neverFits(request: SlotRequest): string | null {
    const { cpus, memoryGb, gpus } = this.capacity;
    if (request.cpus > cpus) return `the job asks for ${request.cpus} CPUs; the local pool has ${cpus}`;
    if (request.memoryGb > memoryGb)
      return `the job asks for ${request.memoryGb} GB of memory; the local pool has ${memoryGb.toFixed(1)} GB`;
    if (request.gpus > gpus.length)
      return `the job asks for ${request.gpus} GPUs; the local pool has ${gpus.length}`;
    return null;
  }

  /** Takes the slots and returns the GPU indices, or null when they are not free now. */
  take(request: SlotRequest): number[] | null {
    if (
      request.cpus > this.#cpus ||
      request.memoryGb > this.#memoryGb ||
      request.gpus > this.#freeGpus.length
    ) {
      return null;
    }
    this.#cpus -= request.cpus;
    this.#memoryGb -= request.memoryGb;
    return this.#freeGpus.splice(0, request.gpus);
  }

  release(request: SlotRequest, gpus: readonly number[]): void {
    this.#cpus += request.cpus;
    this.#memoryGb += request.memoryGb;
    this.#freeGpus.push(...gpus);
    this.#freeGpus.sort((a, b) => a - b);
  }
}
