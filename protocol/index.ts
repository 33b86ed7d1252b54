export * from './constants.ts';
export * from './endpoints.ts';
export * from './health.ts';
export * from './frame.ts';
export * from './inspect.ts';
