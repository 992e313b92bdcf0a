export { DataGeneratorSource } from './data-generator-source.ts';
export type { DataGeneratorOptions } from './data-generator-source.ts';
