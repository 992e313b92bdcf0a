export { WeirError, errorCodeOf, errorMessage } from './weir-error.ts';
export type { ErrorCode } from './error-codes.ts';
