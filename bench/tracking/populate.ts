import type { Metric } from '@cairn/core';
import { planMetricWrites, sqliteMetricStatements } from '@cairn/tracking';
import Database from 'better-sqlite3';
import { type BenchRun, generateHistory, type HistoryPoint, LAST_STEP } from './dataset.js';

/**
 * Writes benchmark rows straight into a stopped server's SQLite database, in that server's own schema.
 * Populating 100k runs through MLflow's REST API would take hours; both servers get the same rows.
 */
export interface RowSink {
  insertRuns(experimentId: string, runs: Iterable<BenchRun>): number;
  /** One run holding a single metric with `points` history points (and its latest value). */
  insertLongHistory(experimentId: string, runId: string, key: string, points: number, baseTime: number): void;
  close(): void;
}

const BATCH = 5000;

function openForBulkLoad(path: string): Database.Database {
  const db = new Database(path);
  // Connection-level only: the servers' own settings (journal mode, durability) are left as they are.
  db.pragma('synchronous = OFF');
  db.pragma('cache_size = -262144');
  db.pragma('busy_timeout = 10000');
  return db;
}

function inBatches<T>(db: Database.Database, items: Iterable<T>, write: (item: T) => void): number {
  let count = 0;
  let batch: T[] = [];
  const flush = db.transaction((rows: T[]) => {
    for (const row of rows) write(row);
  });
  for (const item of items) {
    batch.push(item);
    count++;
    if (batch.length === BATCH) {
      flush(batch);
      batch = [];
    }
  }
  if (batch.length) flush(batch);
  return count;
}

/** MLflow's SQLAlchemy schema (mlflow/store/tracking/dbmodels/models.py, 3.x). */
export class MlflowSink implements RowSink {
  readonly #db: Database.Database;

  constructor(path: string) {
    this.#db = openForBulkLoad(path);
  }

  insertRuns(experimentId: string, runs: Iterable<BenchRun>): number {
    const db = this.#db;
    const exp = Number(experimentId);
    const run = db.prepare(
      `INSERT INTO runs (run_uuid, name, source_type, source_name, entry_point_name, user_id, status,
         start_time, end_time, source_version, lifecycle_stage, artifact_uri, experiment_id, deleted_time)
       VALUES (?, ?, 'LOCAL', '', '', 'bench', 'FINISHED', ?, ?, '', 'active', ?, ?, NULL)`,
    );
    const param = db.prepare('INSERT INTO params (key, value, run_uuid) VALUES (?, ?, ?)');
    const tag = db.prepare('INSERT INTO tags (key, value, run_uuid) VALUES (?, ?, ?)');
    const metric = db.prepare(
      'INSERT INTO metrics (key, value, timestamp, run_uuid, step, is_nan) VALUES (?, ?, ?, ?, ?, 0)',
    );
    const latest = db.prepare(
      'INSERT INTO latest_metrics (key, value, timestamp, step, is_nan, run_uuid) VALUES (?, ?, ?, ?, 0, ?)',
    );
    return inBatches(db, runs, (r) => {
      run.run(r.id, r.name, r.startTime, r.endTime, `mlflow-artifacts:/${exp}/${r.id}/artifacts`, exp);
      for (const [k, v] of r.params) param.run(k, v, r.id);
      tag.run('mlflow.runName', r.name, r.id);
      tag.run('mlflow.user', 'bench', r.id);
      for (const [k, v] of r.tags) tag.run(k, v, r.id);
      for (const [k, v] of r.metrics) {
        metric.run(k, v, r.endTime, r.id, LAST_STEP);
        latest.run(k, v, r.endTime, LAST_STEP, r.id);
      }
    });
  }

  insertLongHistory(
    experimentId: string,
    runId: string,
    key: string,
    points: number,
    baseTime: number,
  ): void {
    const exp = Number(experimentId);
    this.#db
      .prepare(
        `INSERT INTO runs (run_uuid, name, source_type, source_name, entry_point_name, user_id, status,
           start_time, end_time, source_version, lifecycle_stage, artifact_uri, experiment_id, deleted_time)
         VALUES (?, 'long-history', 'LOCAL', '', '', 'bench', 'FINISHED', ?, ?, '', 'active', ?, ?, NULL)`,
      )
      .run(runId, baseTime, baseTime + points * 10, `mlflow-artifacts:/${exp}/${runId}/artifacts`, exp);
    this.#db
      .prepare("INSERT INTO tags (key, value, run_uuid) VALUES ('mlflow.runName', 'long-history', ?)")
      .run(runId);
    const metric = this.#db.prepare(
      'INSERT INTO metrics (key, value, timestamp, run_uuid, step, is_nan) VALUES (?, ?, ?, ?, ?, 0)',
    );
    let last = { step: 0, timestamp: 0, value: 0 };
    inBatches(this.#db, generateHistory(points, baseTime), (p) => {
      metric.run(key, p.value, p.timestamp, runId, p.step);
      last = p;
    });
    this.#db
      .prepare(
        'INSERT INTO latest_metrics (key, value, timestamp, step, is_nan, run_uuid) VALUES (?, ?, ?, ?, 0, ?)',
      )
      .run(key, last.value, last.timestamp, last.step, runId);
  }

  close(): void {
    this.#db.close();
  }
}

/**
 * Cairn's schema (packages/store/src/metadata/schema.ts). Metric points go through Cairn's own
 * `planMetricWrites`, so `latest_metrics` and the chart rollups (`metric_rollups`) are filled in as
 * the server's log-batch would.
 */
export class CairnSink implements RowSink {
  readonly #db: Database.Database;

  constructor(path: string) {
    this.#db = openForBulkLoad(path);
  }

  #experiment(experimentId: string): { workspaceId: string; artifactLocation: string } {
    const row = this.#db
      .prepare('SELECT workspace_id, artifact_location FROM experiments WHERE id = ?')
      .get(Number(experimentId)) as { workspace_id: string; artifact_location: string } | undefined;
    if (!row) throw new Error(`Cairn database has no experiment ${experimentId}`);
    return { workspaceId: row.workspace_id, artifactLocation: row.artifact_location };
  }

  #runStatement() {
    return this.#db.prepare(
      `INSERT INTO runs (id, experiment_id, workspace_id, name, user_id, status, start_time, end_time,
         lifecycle_stage, artifact_uri, parent_run_id, deleted_time)
       VALUES (?, ?, ?, ?, 'bench', 'FINISHED', ?, ?, 'active', ?, NULL, NULL)`,
    );
  }

  insertRuns(experimentId: string, runs: Iterable<BenchRun>): number {
    const db = this.#db;
    const exp = Number(experimentId);
    const { workspaceId, artifactLocation } = this.#experiment(experimentId);
    const run = this.#runStatement();
    const param = db.prepare('INSERT INTO params (run_id, key, value) VALUES (?, ?, ?)');
    const tag = db.prepare('INSERT INTO run_tags (run_id, key, value) VALUES (?, ?, ?)');
    const metrics = sqliteMetricStatements(db);
    return inBatches(db, runs, (r) => {
      run.run(
        r.id,
        exp,
        workspaceId,
        r.name,
        r.startTime,
        r.endTime,
        `${artifactLocation}/${r.id}/artifacts`,
      );
      for (const [k, v] of r.params) param.run(r.id, k, v);
      tag.run(r.id, 'mlflow.runName', r.name);
      tag.run(r.id, 'mlflow.user', 'bench');
      for (const [k, v] of r.tags) tag.run(r.id, k, v);
      const points: Metric[] = r.metrics.map(([key, value]) => ({
        key,
        value,
        step: LAST_STEP,
        timestamp: r.endTime,
      }));
      metrics.apply(r.id, planMetricWrites(points));
    });
  }

  insertLongHistory(
    experimentId: string,
    runId: string,
    key: string,
    points: number,
    baseTime: number,
  ): void {
    const { workspaceId, artifactLocation } = this.#experiment(experimentId);
    this.#runStatement().run(
      runId,
      Number(experimentId),
      workspaceId,
      'long-history',
      baseTime,
      baseTime + points * 10,
      `${artifactLocation}/${runId}/artifacts`,
    );
    this.#db
      .prepare("INSERT INTO run_tags (run_id, key, value) VALUES (?, 'mlflow.runName', 'long-history')")
      .run(runId);
    // Through Cairn's own write planner, in log-batch-sized chunks: points, latest value and the
    // chart rollups end up exactly as if the history had been logged over the API.
    const metrics = sqliteMetricStatements(this.#db);
    let chunk: HistoryPoint[] = [];
    const flush = this.#db.transaction((batch: HistoryPoint[]) => {
      metrics.apply(runId, planMetricWrites(batch.map((p) => ({ key, ...p }))));
    });
    for (const p of generateHistory(points, baseTime)) {
      chunk.push(p);
      if (chunk.length === 1000) {
        flush(chunk);
        chunk = [];
      }
    }
    if (chunk.length) flush(chunk);
  }

  close(): void {
    // Fold the WAL back so the restarted server starts from a compact file, as after a clean shutdown.
    this.#db.pragma('wal_checkpoint(TRUNCATE)');
    this.#db.close();
  }
}
