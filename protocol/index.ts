export * from './constants.ts';
export * from './endpoints.ts';
export * from './health.ts';
export * from './frame.ts';
export * from './inspect.ts';
export * from './errors.ts';
export * from './chat.ts';
export * from './feed.ts';
