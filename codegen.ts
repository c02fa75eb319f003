import type { CodegenConfig } from '@graphql-codegen/cli';

/**
 * Typed documents for the operations in src/client (used by the merchant client, tests and benchmarks), and for
 * the console's in console/src (docs/CONSOLE.md), generated from the committed schema.graphql. `npm run codegen`;
 * a test fails when either output is stale. Two targets so that each bundle carries only its own documents;
 * operation types only, so neither repeats every schema type.
 */
const typedDocuments = {
  preset: 'client',
  presetConfig: { fragmentMasking: false },
  config: {
    useTypeImports: true,
    enumsAsTypes: true,
    scalars: { DateTime: 'string', Date: 'string' },
    strictScalars: true,
    onlyOperationTypes: true,
    documentMode: 'string',
  },
} as const;

const config: CodegenConfig = {
  schema: 'schema.graphql',
  ignoreNoDocuments: false,
  hooks: { afterOneFileWrite: ['node scripts/codegen-no-any.mjs'] },
  generates: {
    [process.env['CODEGEN_OUTPUT'] ?? 'src/generated/graphql/']: { ...typedDocuments, documents: ['src/client/**/*.ts'] },
    [process.env['CONSOLE_CODEGEN_OUTPUT'] ?? 'console/src/generated/']: {
      ...typedDocuments,
      documents: ['console/src/**/*.{ts,tsx}', '!console/src/generated/**'],
    },
  },
};

export default config;
