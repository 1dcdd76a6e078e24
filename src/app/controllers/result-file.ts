/**
 * The spec a binary result file of the CLI records (`basinlab.spec` in its key-value metadata,
 * io/format.ts), read in the browser without the rest of the file: a Parquet file's footer, an
 * Arrow IPC file's schema. Their readers are loaded only when such a file is imported.
 */
import { META } from '../../io/format.ts';

function extension(name: string): string {
  return /\.[^./\\]+$/.exec(name)?.[0].toLowerCase() ?? '';
}

/**
 * The recorded spec's text for a .parquet, .arrow or .feather file; null for any other file (read
 * as JSON by the caller). Throws, naming the problem, for a CSV file (which records no spec) and
 * for a binary file that is not a basinlab result.
 */
export async function resultFileSpec(file: File): Promise<string | null> {
  const ext = extension(file.name);
  if (ext === '.csv') throw new Error('a CSV result file records no spec; import the JSON, Parquet or Arrow file of the sweep, or its spec');
  let spec: string | undefined;
  if (ext === '.parquet') {
    const { parquetMetadata } = await import('hyparquet');
    // The footer: its length is in the 4 bytes before the closing magic.
    if (file.size < 12) throw new Error('too short to be a Parquet file');
    const tail = new DataView(await file.slice(file.size - 8).arrayBuffer());
    const footer = tail.getUint32(0, true) + 8;
    if (footer > file.size) throw new Error('not a Parquet file (its footer length is past the start)');
    const meta = parquetMetadata(await file.slice(file.size - footer).arrayBuffer());
    spec = meta.key_value_metadata?.find((kv) => kv.key === META.spec)?.value;
  } else if (ext === '.arrow' || ext === '.feather') {
    const { RecordBatchReader } = await import('apache-arrow');
    const bytes = new Uint8Array(await file.arrayBuffer());
    // apache-arrow's own errors on a file that is not Arrow, or is cut short, are a TypeError's text
    // or its internals' ("Expected to read 661398444 metadata bytes"): said in the page's words
    // (walkthrough 15), as the Parquet branch says its own.
    const ARROW_MAGIC = [0x41, 0x52, 0x52, 0x4f, 0x57, 0x31]; // "ARROW1"
    if (bytes.length < 8 || ARROW_MAGIC.some((b, i) => bytes[i] !== b)) throw new Error('not an Arrow IPC file (it does not start with ARROW1)');
    try {
      const reader = RecordBatchReader.from(bytes);
      reader.open();
      spec = reader.schema.metadata.get(META.spec);
    } catch {
      throw new Error('not a readable Arrow IPC file (cut short, or damaged): its schema could not be read');
    }
  } else {
    return null;
  }
  if (spec === undefined) throw new Error(`no ${META.spec} in its metadata: not a basinlab result file`);
  return spec;
}
