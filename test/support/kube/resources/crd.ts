// Turns a CustomResourceDefinition object into the resource types it serves, with
// pruning, defaulting and validation from each version's openAPIV3Schema.
import type { StatusCause } from '../errors.ts';
import type { JsonObject, KubeObject } from '../types.ts';
import { isRecord } from '../types.ts';
import { listCauses } from '../schema/lists.ts';
import { applyDefaults, prune } from '../schema/structural.ts';
import { compileValidator } from '../schema/validate.ts';
import type { PrinterColumn, ResourceType } from './types.ts';

function str(v: unknown, fallback = ''): string {
  return typeof v === 'string' ? v : fallback;
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

function printerColumns(v: unknown): PrinterColumn[] | undefined {
  if (!Array.isArray(v)) return undefined;
  return v.filter(isRecord).map((c) => ({
    name: str(c.name), type: str(c.type, 'string'), format: typeof c.format === 'string' ? c.format : undefined,
    description: typeof c.description === 'string' ? c.description : undefined, priority: typeof c.priority === 'number' ? c.priority : 0, jsonPath: str(c.jsonPath),
  }));
}

export function crdResourceTypes(crd: KubeObject): ResourceType[] {
  const spec = isRecord(crd.spec) ? crd.spec : {};
  const names = isRecord(spec.names) ? spec.names : {};
  const group = str(spec.group);
  const kind = str(names.kind);
  const plural = str(names.plural);
  const versions = Array.isArray(spec.versions) ? spec.versions.filter(isRecord) : [];
  return versions
    .filter((v) => v.served !== false)
    .map((v) => {
      const subresources = isRecord(v.subresources) ? v.subresources : {};
      const scale = isRecord(subresources.scale) ? subresources.scale : undefined;
      const schema = isRecord(v.schema) && isRecord(v.schema.openAPIV3Schema) ? v.schema.openAPIV3Schema : undefined;
      const validate = schema ? compileValidator(schema) : undefined;
      const rt: ResourceType = {
        group,
        version: str(v.name),
        plural,
        singular: str(names.singular, kind.toLowerCase()),
        kind,
        listKind: str(names.listKind, `${kind}List`),
        namespaced: spec.scope !== 'Cluster',
        shortNames: strings(names.shortNames),
        categories: strings(names.categories),
        status: isRecord(subresources.status),
        scale: scale
          ? {
              specReplicasPath: str(scale.specReplicasPath),
              statusReplicasPath: str(scale.statusReplicasPath),
              labelSelectorPath: typeof scale.labelSelectorPath === 'string' ? scale.labelSelectorPath : undefined,
            }
          : undefined,
        generation: true,
        generationOnAnyChange: true,
        custom: true,
        selectableFields: (Array.isArray(v.selectableFields) ? v.selectableFields.filter(isRecord) : [])
          .map((f) => str(f.jsonPath).replace(/^\./, '')),
        allowCreateOnUpdate: false,
        allowUnconditionalUpdate: false,
        returnDeletedObject: true,
        openAPISchema: schema,
        printerColumns: printerColumns(v.additionalPrinterColumns),
        prepare: (obj: KubeObject, _old: KubeObject | undefined, unknownFields: string[] = []): StatusCause[] => {
          if (!schema) return [];
          prune(obj, schema, true, unknownFields);
          applyDefaults(obj, schema);
          return [...(validate ? validate(obj) : []), ...listCauses(obj, schema)];
        },
      };
      return rt;
    });
}

/** The status the apiextensions controller writes once names are accepted. */
export function crdStatus(crd: KubeObject, now: string): JsonObject {
  const spec = isRecord(crd.spec) ? crd.spec : {};
  const versions = Array.isArray(spec.versions) ? spec.versions.filter(isRecord) : [];
  const storage = versions.find((v) => v.storage === true) ?? versions[0];
  const cond = (type: string, reason: string, message: string): JsonObject => ({
    type, status: 'True', lastTransitionTime: now, reason, message,
  });
  return {
    conditions: [
      cond('NamesAccepted', 'NoConflicts', 'no conflicts found'),
      cond('Established', 'InitialNamesAccepted', 'the initial names have been accepted'),
    ],
    acceptedNames: spec.names ?? {},
    storedVersions: storage ? [str(storage.name)] : [],
  };
}
