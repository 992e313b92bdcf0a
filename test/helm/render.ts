// Renders the operator chart with the real helm binary and parses what it prints.
import { parseAllDocuments } from 'yaml';
import { runHelm } from '../support/helm/helm-binary.ts';

export const CHART = 'helm/weir-operator';
export const RELEASE = 'weir';
export const NAMESPACE = 'weir-system';

// Loose on purpose: tests read fields with exact assertions, not through these types.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Manifest = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string }; [field: string]: any };

/** `helm template` of the chart with `--set` overrides; throws with helm's stderr if it fails. */
export async function render(sets: readonly string[] = [], extra: readonly string[] = []): Promise<Manifest[]> {
  const args = ['template', RELEASE, CHART, '--namespace', NAMESPACE, ...extra];
  for (const s of sets) args.push('--set', s);
  const { code, stdout, stderr } = await runHelm(args);
  if (code !== 0) throw new Error(`helm ${args.join(' ')} exited ${code}: ${stderr}`);
  return parseAllDocuments(stdout)
    .map((doc) => {
      if (doc.errors.length > 0) throw new Error(`helm rendered invalid YAML: ${doc.errors[0]!.message}`);
      return doc.toJS() as Manifest | null;
    })
    .filter((m): m is Manifest => m !== null);
}

/** The one manifest of `kind` (and `namespace`, when given); fails if there is not exactly one. */
export function only(manifests: readonly Manifest[], kind: string, namespace?: string, name?: string): Manifest {
  const found = manifests.filter(
    (m) => m.kind === kind && (namespace === undefined || m.metadata.namespace === namespace) && (name === undefined || m.metadata.name === name),
  );
  if (found.length !== 1) throw new Error(`expected one ${kind}${namespace ? ` in ${namespace}` : ''}${name ? ` named ${name}` : ''}, found ${found.length}`);
  return found[0]!;
}

/** "Kind namespace/name" for every manifest, sorted: the whole set a release creates. */
export function inventory(manifests: readonly Manifest[]): string[] {
  return manifests.map((m) => `${m.kind} ${m.metadata.namespace ?? ''}/${m.metadata.name}`).sort();
}
