import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { createEventLogger } from '../../src/index.js';
import { main } from '../../src/cli/main.js';
import { ordersSpec } from '../fixtures/orders-spec.js';
import { captureLines } from '../support/capture.js';

async function run(args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await main(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

describe('plumbline schema export', () => {
  it('writes a JSON Schema that the lines the logger writes validate against', async () => {
    const { code, stdout } = await run(['schema', 'export', '--spec', 'test/fixtures/orders-spec-module.ts']);
    expect(code).toBe(0);
    const schema = JSON.parse(stdout) as Record<string, unknown>;
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    const validate = new Ajv2020({ strict: false }).compile(schema);

    const captured = captureLines();
    const log = createEventLogger(ordersSpec, { destination: captured.destination });
    log.event('order.placed', { order_id: 'a', amount: 1, items: 1, card_number: 'x' });
    log.event('order.failed', { order_id: 'a', reason: 'b' });
    log.event('order.failed', { order_id: 'a' } as never);
    for (const line of captured.lines) expect(validate(line), JSON.stringify(validate.errors)).toBe(true);

    // A line that breaks the schema is refused by it.
    expect(validate({ ...captured.lines[0], amount: 'one' })).toBe(false);
    expect(validate({ ...captured.lines[0], card_number: 'not redacted' })).toBe(false);
  });

  it('fails clearly without --spec, and on an unknown command', async () => {
    expect(await run(['schema', 'export'])).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/--spec <value> is required/),
    });
    expect(await run(['nope'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/usage: plumbline/) });
  });
});
