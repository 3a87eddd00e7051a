import { readFileSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { badRequest } from '../core/errors.ts';

/** Inputs larger than this are not key files or definitions: refuse rather than parse them. */
const MAX_INPUT_BYTES = 1024 * 1024;

/** The text of a file the operator named (relative to the working directory), or a clear error. */
export function readTextFile(cwd: string, file: string, what: string): string {
  let data: Buffer;
  try {
    data = readFileSync(resolve(cwd, file));
  } catch (err) {
    throw badRequest('file_unreadable', `cannot read ${what} file ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  if (data.length > MAX_INPUT_BYTES) throw badRequest('file_too_large', `${what} file ${file} is larger than ${MAX_INPUT_BYTES} bytes`);
  return data.toString('utf8');
}

/** A JSON object from a file (a JWK). */
export function readJsonObject(cwd: string, file: string, what: string): Record<string, unknown> {
  const text = readTextFile(cwd, file, what);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw badRequest('file_invalid', `${what} file ${file} is not valid JSON (${(err as Error).message})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw badRequest('file_invalid', `${what} file ${file} must hold a JSON object`);
  return value as Record<string, unknown>;
}

/** A definition from a .json or .yaml/.yml file (YAML for anything else: it reads JSON too). */
export function readDefinition(cwd: string, file: string, what: string): unknown {
  const text = readTextFile(cwd, file, what);
  try {
    return extname(file).toLowerCase() === '.json' ? JSON.parse(text) : parseYaml(text, { maxAliasCount: 100 });
  } catch (err) {
    throw badRequest('file_invalid', `${what} file ${file} cannot be parsed (${(err as Error).message.split('\n')[0]})`);
  }
}

/** All of a stream as text (the token from stdin), refusing more than MAX_INPUT_BYTES. */
export async function readStream(stream: AsyncIterable<Buffer | string>): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const b = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    size += b.length;
    if (size > MAX_INPUT_BYTES) throw badRequest('input_too_large', `standard input is larger than ${MAX_INPUT_BYTES} bytes`);
    chunks.push(b);
  }
  return Buffer.concat(chunks).toString('utf8');
}
