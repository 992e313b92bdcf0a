/**
 * A small builder for structural OpenAPI v3 schemas that also carries the TypeScript type
 * each schema describes. The CRD's schema is written once with it; the YAML in `crds/` is
 * generated from that schema and the operator's types are inferred from it, so the two
 * cannot drift apart.
 */

/** The subset of JSONSchemaProps a structural CRD schema uses. */
export interface JsonSchema {
  type?: 'object' | 'array' | 'string' | 'integer' | 'boolean' | 'number';
  description?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: JsonSchema;
  items?: JsonSchema;
  enum?: readonly string[];
  default?: unknown;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  pattern?: string;
  format?: string;
  'x-kubernetes-preserve-unknown-fields'?: true;
  'x-kubernetes-int-or-string'?: true;
  'x-kubernetes-list-type'?: 'map' | 'set' | 'atomic';
  'x-kubernetes-list-map-keys'?: string[];
}

/** A schema plus (at the type level only) the TypeScript type of the values it accepts. */
export interface Schema<T> {
  readonly json: JsonSchema;
  /** Phantom: never set, only used to carry T. */
  readonly type?: T;
}

export type TypeOf<S> = S extends Schema<infer T> ? T : never;

type Common = Pick<JsonSchema, 'description' | 'default'>;

export function string(o: Common & Pick<JsonSchema, 'minLength' | 'pattern' | 'format'> = {}): Schema<string> {
  return { json: { type: 'string', ...o } };
}

export function integer(o: Common & Pick<JsonSchema, 'minimum' | 'maximum'> = {}): Schema<number> {
  return { json: { type: 'integer', ...o } };
}

export function number(o: Common & Pick<JsonSchema, 'minimum' | 'maximum'> = {}): Schema<number> {
  return { json: { type: 'number', ...o } };
}

export function boolean(o: Common = {}): Schema<boolean> {
  return { json: { type: 'boolean', ...o } };
}

export function enumOf<const V extends readonly string[]>(values: V, o: Common = {}): Schema<V[number]> {
  return { json: { type: 'string', enum: values, ...o } };
}

/** Kubernetes quantities and ports: `1`, `500m`, `2Gi`. */
export function intOrString(o: Common = {}): Schema<number | string> {
  return { json: { 'x-kubernetes-int-or-string': true, ...o } };
}

export function array<T>(items: Schema<T>, o: Common & Pick<JsonSchema, 'x-kubernetes-list-type' | 'x-kubernetes-list-map-keys'> = {}): Schema<T[]> {
  return { json: { type: 'array', items: items.json, ...o } };
}

export function mapOf<T>(values: Schema<T>, o: Common = {}): Schema<Record<string, T>> {
  return { json: { type: 'object', additionalProperties: values.json, ...o } };
}

/** An object whose content the API server keeps as given (e.g. a pod template). */
export function freeform<T = Record<string, unknown>>(o: Common = {}): Schema<T> {
  return { json: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, ...o } };
}

type Props = Record<string, Schema<unknown>>;
type Simplify<T> = { [K in keyof T]: T[K] } & {};
type ObjectType<P extends Props, R extends keyof P> = Simplify<{ [K in R]: TypeOf<P[K]> } & { [K in Exclude<keyof P, R>]?: TypeOf<P[K]> }>;

export function object<P extends Props, R extends keyof P & string = never>(properties: P, o: Common & { required?: readonly R[] } = {}): Schema<ObjectType<P, R>> {
  const { required, ...rest } = o;
  const json: JsonSchema = { type: 'object', ...rest };
  if (Object.keys(properties).length > 0) json.properties = Object.fromEntries(Object.entries(properties).map(([k, v]) => [k, v.json]));
  if (required && required.length > 0) json.required = [...required];
  return { json };
}
