/**
 * The spec an imported binary result file records (app/controllers/result-file.ts): read from a
 * whole Arrow file; a file that is not Arrow, or is cut short, refused in the page's words rather
 * than apache-arrow's (walkthrough 15: "Cannot read properties of null (reading 'fieldsLength')").
 */
import { Field, Float64, Schema, Table, makeData, tableToIPC, RecordBatch, Struct } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { resultFileSpec } from '../../src/app/controllers/result-file.ts';
import { META } from '../../src/io/format.ts';

function arrowWithSpec(spec: string): Uint8Array<ArrayBuffer> {
  const type = new Float64();
  const schema = new Schema([new Field('final_x', type)], new Map([[META.spec, spec]]));
  const data = makeData({ type: new Struct(schema.fields), length: 2, nullCount: 0, children: [makeData({ type, length: 2, data: new Float64Array([1, 2]) })] });
  return new Uint8Array(tableToIPC(new Table(schema, [new RecordBatch(schema, data)]), 'file'));
}

describe('resultFileSpec on Arrow files', () => {
  const spec = '{"surface":"rosenbrock"}';
  it('reads the spec of a whole file', async () => {
    expect(await resultFileSpec(new File([arrowWithSpec(spec)], 'r.arrow'))).toBe(spec);
  });
  it('refuses random bytes and a file cut short, in its own words', async () => {
    const garbage = Uint8Array.from({ length: 4096 }, (_, i) => (i * 7919) % 251);
    await expect(resultFileSpec(new File([garbage], 'g.arrow'))).rejects.toThrow(/^not an Arrow IPC file \(it does not start with ARROW1\)$/);
    const whole = arrowWithSpec(spec);
    for (const n of [4, 12, Math.floor(whole.length / 2)]) {
      await expect(resultFileSpec(new File([whole.slice(0, n)], 'cut.arrow')), String(n)).rejects.toThrow(/^not (an Arrow IPC file \(it does not start with ARROW1\)|a readable Arrow IPC file \(cut short, or damaged\): its schema could not be read)$/);
    }
  });
});
