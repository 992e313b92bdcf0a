/** Type tags of the value encoding (one byte before each value). Append only: they are the wire format. */
export const T_UNDEFINED = 0;
export const T_NULL = 1;
export const T_FALSE = 2;
export const T_TRUE = 3;
/** Integer in [-2^31, 2^31) as a zigzag varint. */
export const T_INT = 4;
/** Any other number (fractions, large integers, -0, NaN, ±Infinity) as float64. */
export const T_FLOAT = 5;
export const T_STRING = 6;
export const T_BIGINT_POS = 7;
export const T_BIGINT_NEG = 8;
export const T_DATE = 9;
export const T_BUFFER = 10;
export const T_UINT8ARRAY = 11;
export const T_ARRAY = 12;
export const T_MAP = 13;
export const T_SET = 14;
/** Object whose key list follows (and becomes shape number N of this batch). */
export const T_OBJECT_NEW_SHAPE = 15;
/** Object of a shape already defined in this batch: shape number, then values only. */
export const T_OBJECT_SHAPE = 16;

/** Deeper nesting is refused on both sides: it is almost always a circular reference. */
export const MAX_DEPTH = 1000;
