import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isEnumType, isInputObjectType, isInterfaceType, isObjectType, isSpecifiedScalarType, parse, printSchema, validate } from 'graphql';
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

describe('descriptions (#14.12)', () => {
  /** Every public type, field, argument, input field and enum value without a description, by its schema coordinate. */
  function undescribed(): string[] {
    const missing: string[] = [];
    const described = (description: string | null | undefined) => (description ?? '').trim() !== '';
    for (const type of Object.values(schema.getTypeMap())) {
      if (type.name.startsWith('__') || isSpecifiedScalarType(type)) continue;
      if (!described(type.description)) missing.push(type.name);
      if (isObjectType(type) || isInterfaceType(type) || isInputObjectType(type)) {
        for (const field of Object.values(type.getFields())) {
          if (!described(field.description)) missing.push(`${type.name}.${field.name}`);
          for (const argument of 'args' in field ? field.args : []) {
            if (!described(argument.description)) missing.push(`${type.name}.${field.name}(${argument.name}:)`);
          }
        }
      }
      if (isEnumType(type)) {
        for (const value of type.getValues()) if (!described(value.description)) missing.push(`${type.name}.${value.name}`);
      }
    }
    return missing;
  }

  it('every public type, field, argument, input field and enum value has one (GraphiQL and schema.graphql show them)', () => {
    expect(undescribed()).toEqual([]);
  });
});

describe("the README's examples (#14.12)", () => {
  const examples = [...readFileSync(join(root, 'README.md'), 'utf8').matchAll(/```graphql\n([\s\S]*?)```/g)].map((match) => match[1] ?? '');

  it('are valid against the schema, and every mutation selects the error types (else a refusal reads as {})', () => {
    expect(examples.length).toBeGreaterThan(0);
    for (const example of examples) {
      expect(validate(schema, parse(example)).map((error) => error.message), example).toEqual([]);
      if (example.trimStart().startsWith('mutation')) expect(example).toContain('... on Error { code message }');
    }
  });
});

