export * from './window.ts';
export * from './assigners.ts';
export * from './triggers.ts';
export * from './evictors.ts';
export * from './window-functions.ts';
