export * from './constants.ts';
export * from './endpoints.ts';
export * from './health.ts';
