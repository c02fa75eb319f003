/**
 * The operations merchants and dashboards use, one module per API area under ./operations/; codegen turns each
 * into a typed document. Import them from here.
 */
export * from './operations/transactions.ts';
export * from './operations/refunds.ts';
export * from './operations/events.ts';
export * from './operations/checkout.ts';
export * from './operations/merchants.ts';
export * from './operations/api-keys.ts';
export * from './operations/reports.ts';
export * from './operations/monitoring.ts';
