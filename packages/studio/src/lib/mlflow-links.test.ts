import { describe, expect, it } from 'vitest';
import { studioPathForMlflowHash } from './mlflow-links.js';

describe('studioPathForMlflowHash', () => {
  it("maps MLflow UI links to the studio's pages", () => {
    expect(studioPathForMlflowHash('#/experiments/2', 'default')).toBe('/w/default/experiments/2');
    expect(studioPathForMlflowHash('#/experiments/2/runs/ab12cd', 'default')).toBe('/w/default/runs/ab12cd');
    expect(studioPathForMlflowHash('', 'default')).toBeNull();
    expect(studioPathForMlflowHash('#/models', 'default')).toBeNull();
  });
});
