// Lookup of resource types by URL (group, version, plural) and by apiVersion + kind;
// custom resource types come and go with their CRDs.
import { BUILTINS } from './builtins.ts';
import type { ResourceType } from './types.ts';

export class Registry {
  private readonly types: ResourceType[] = [...BUILTINS];
  /** Moves whenever the served types change, so documents built from them (OpenAPI) know they are stale. */
  revision = 0;

  all(): readonly ResourceType[] {
    return this.types;
  }

  byPlural(group: string, version: string, plural: string): ResourceType | undefined {
    return this.types.find((t) => t.group === group && t.version === version && t.plural === plural);
  }

  byKind(apiVersion: string, kind: string): ResourceType | undefined {
    const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
    return this.types.find((t) => t.group === group && t.version === version && t.kind === kind);
  }

  /** Storage is per group+resource: the versions of one resource share objects. */
  storageKey(rt: { group: string; plural: string }): string {
    return `${rt.group}/${rt.plural}`;
  }

  setCustom(group: string, plural: string, types: ResourceType[]): void {
    this.removeCustom(group, plural);
    this.types.push(...types);
  }

  removeCustom(group: string, plural: string): void {
    this.revision++;
    for (let i = this.types.length - 1; i >= 0; i--) {
      const t = this.types[i]!;
      if (t.custom && t.group === group && t.plural === plural) this.types.splice(i, 1);
    }
  }
}
