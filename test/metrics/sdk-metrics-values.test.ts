// plumbline's copies of the sdk-metrics enums (kept so the runtime entry loads no sdk-metrics
// at import) must be the installed SDK's values, member for member.
import * as sdk from '@opentelemetry/sdk-metrics';
import { expect, it } from 'vitest';
import { AggregationTemporality, DataPointType } from '../../src/metrics/sdk-metrics-values.js';

/** A TypeScript numeric enum's members, without its reverse (number to name) entries. */
function members(enumObject: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(enumObject).filter(([key]) => Number.isNaN(Number(key))));
}

it('AggregationTemporality and DataPointType equal those of @opentelemetry/sdk-metrics', () => {
  expect(AggregationTemporality).toEqual(members(sdk.AggregationTemporality));
  expect(DataPointType).toEqual(members(sdk.DataPointType));
});
