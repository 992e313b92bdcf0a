/** Binary codec for stream elements (see element-codec.ts for the layout, value-encoder.ts for the value rules). */
export { ElementDecoder, ElementEncoder, deserializeElement, serializeElement } from './element-codec.ts';
export { BufferReader } from './buffer-reader.ts';
export { BufferWriter } from './buffer-writer.ts';
