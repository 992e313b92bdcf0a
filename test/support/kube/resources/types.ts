// What the server knows about one kind of resource: its names, scope, subresources and
// the per-kind rules (strategy) the generic handlers consult.
import type { GroupResource } from '../errors.ts';
import type { KubeObject } from '../types.ts';
import type { StatusCause } from '../errors.ts';

export interface ScaleSpec {
  specReplicasPath: string;
  statusReplicasPath: string;
  labelSelectorPath?: string;
}

/** A column of `kubectl get` for a custom resource (a CRD version's additionalPrinterColumns). */
export interface PrinterColumn {
  name: string;
  type: string;
  format?: string;
  description?: string;
  priority?: number;
  jsonPath: string;
}

export interface ResourceType {
  group: string;
  version: string;
  plural: string;
  singular: string;
  kind: string;
  listKind: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  /** Has a status subresource: main writes keep status, status writes keep the rest. */
  status: boolean;
  scale?: ScaleSpec;
  /** metadata.generation is maintained. */
  generation: boolean;
  /** Generation bumps on any change outside metadata and status (custom resources) rather than spec only. */
  generationOnAnyChange: boolean;
  custom: boolean;
  /** Extra field selector paths (a CRD version's selectableFields). */
  selectableFields?: string[];
  /** PUT on a missing object creates it (Leases, Events). */
  allowCreateOnUpdate: boolean;
  /** PUT without metadata.resourceVersion is allowed. */
  allowUnconditionalUpdate: boolean;
  /** DELETE answers with the deleted object instead of a Status. */
  returnDeletedObject: boolean;
  /** A custom resource version's openAPIV3Schema, served in /openapi/v3. */
  openAPISchema?: Record<string, unknown>;
  /** A custom resource version's additionalPrinterColumns. */
  printerColumns?: PrinterColumn[];
  /** Default, prune and validate (custom resources from their schema; built-ins by code). */
  prepare?: (obj: KubeObject, old: KubeObject | undefined, unknownFields?: string[]) => StatusCause[];
}

export function groupVersion(rt: { group: string; version: string }): string {
  return rt.group ? `${rt.group}/${rt.version}` : rt.version;
}

export function groupResource(rt: ResourceType): GroupResource {
  return { group: rt.group, resource: rt.plural };
}
