import type { CodegenConfig } from '@graphql-codegen/cli';

/**
 * Typed documents for the operations in src/client (used by the merchant client, tests and benchmarks), and for
 * the console's in console/src (docs/CONSOLE.md), generated from the committed schema.graphql. `npm run codegen`;
 * a test fails when either output is stale.
 */
const config: CodegenConfig = {
  schema: 'schema.graphql',
  ignoreNoDocuments: false,
  generates: {
    [process.env['CODEGEN_OUTPUT'] ?? 'src/generated/graphql/']: {
      documents: ['src/client/**/*.ts'],
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
    },
    // The same options as above, for the console's documents (each target sees only its own).
    [process.env['CONSOLE_CODEGEN_OUTPUT'] ?? 'console/src/generated/']: {
      documents: ['console/src/**/*.{ts,tsx}', '!console/src/generated/**'],
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
    },
  },
};

export default config;
