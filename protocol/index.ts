export * from './endpoints.ts';
export * from './health.ts';
