import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { printSchema } from 'graphql';
import { describe, expect, it } from 'vitest';
import { schema } from '../../src/graphql/schema/index.ts';

const root = join(import.meta.dirname, '..', '..');

describe('committed artefacts', () => {
  it('schema.graphql is the printed code-first schema (run `npm run schema:print`)', () => {
    expect(readFileSync(join(root, 'schema.graphql'), 'utf8')).toBe(`${printSchema(schema)}\n`);
  });

  it('src/generated/graphql is what codegen makes from schema.graphql (run `npm run codegen`)', () => {
    const out = mkdtempSync(join(tmpdir(), 'codegen-'));
    execFileSync(
      process.execPath,
      [join(root, 'node_modules/@graphql-codegen/cli/cjs/bin.js'), '--config', 'codegen.ts', '--silent'],
      { cwd: root, env: { ...process.env, CODEGEN_OUTPUT: `${out}/` }, stdio: 'pipe' },
    );
    const committed = join(root, 'src/generated/graphql');
    const files = readdirSync(committed).sort();
    expect(readdirSync(out).sort()).toEqual(files);
    for (const file of files) {
      expect(readFileSync(join(out, file), 'utf8'), file).toBe(readFileSync(join(committed, file), 'utf8'));
    }
  }, 60_000);

  it('keeps the names API.md fixes', () => {
    const sdl = printSchema(schema);
    for (const name of [
      'interface Node', 'interface Error', 'type Money', 'type Transaction implements Node', 'type TransactionEvent',
      'input MoneyInput', 'input CreateTransactionInput', 'input TransactionFilter', 'type ValidationError implements Error',
      'type FieldError', 'type NotFoundError implements Error', 'type InvalidStateError implements Error',
      'type IdempotencyConflictError implements Error', 'type CreateTransactionSuccess', 'union CreateTransactionResult',
      'type CancelTransactionSuccess', 'union CancelTransactionResult', 'type Merchant implements Node', 'type ApiKey',
      'type CreateMerchantSuccess', 'union CreateMerchantResult', 'type TransactionConnection',
    ]) {
      expect(sdl).toContain(name);
    }
  });
});
