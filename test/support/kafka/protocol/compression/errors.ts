// The one error a codec throws for data it cannot decode; the broker maps it to CORRUPT_MESSAGE.
export class CompressionError extends Error {}
