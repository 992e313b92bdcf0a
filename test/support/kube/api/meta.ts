// Object metadata rules shared by writes: names, generateName, and the fields the server
// owns and keeps from the stored object.
import { randomUUID } from 'node:crypto';
import type { StatusCause } from '../errors.ts';
import type { KubeObject } from '../types.ts';
import { nowTime } from '../types.ts';

const SUFFIX_CHARS = 'bcdfghjklmnpqrstvwxz2456789';
const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** The 5-character suffix names.SimpleNameGenerator appends to generateName. */
export function randomSuffix(n = 5): string {
  let s = '';
  for (let i = 0; i < n; i++) s += SUFFIX_CHARS[Math.floor(Math.random() * SUFFIX_CHARS.length)];
  return s;
}

export type NameRule = 'subdomain' | 'label' | 'dns1035';

const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1035 = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const NAME_MESSAGES: Record<NameRule, string> = {
  subdomain: "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
  label: "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
  dns1035: "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
};

/** Name rules per kind, as the real validation (ValidateNamespaceName, ValidateServiceName, ...). */
export function nameRule(group: string, plural: string): NameRule {
  if (group === '' && plural === 'namespaces') return 'label';
  if (group === '' && plural === 'services') return 'dns1035';
  return 'subdomain';
}

export function nameCauses(name: string | undefined, rule: NameRule = 'subdomain'): StatusCause[] {
  if (!name) {
    return [{ reason: 'FieldValueRequired', message: 'Required value: name or generateName is required', field: 'metadata.name' }];
  }
  const max = rule === 'subdomain' ? 253 : 63;
  const re = rule === 'subdomain' ? SUBDOMAIN : rule === 'label' ? LABEL : DNS1035;
  const causes: StatusCause[] = [];
  if (name.length > max) causes.push({ reason: 'FieldValueInvalid', field: 'metadata.name', message: `Invalid value: "${name}": must be no more than ${max} characters` });
  if (!re.test(name)) causes.push({ reason: 'FieldValueInvalid', field: 'metadata.name', message: `Invalid value: "${name}": ${NAME_MESSAGES[rule]}` });
  return causes;
}

const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE_MESSAGE = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
const QUALIFIED_NAME_MESSAGE = "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";

/** Label keys (optional DNS prefix + name) and values, as metav1validation.ValidateLabels. */
export function labelCauses(labels: Record<string, string> | undefined): StatusCause[] {
  const causes: StatusCause[] = [];
  for (const [key, value] of Object.entries(labels ?? {})) {
    const slash = key.lastIndexOf('/');
    const prefix = slash >= 0 ? key.slice(0, slash) : '';
    const namePart = slash >= 0 ? key.slice(slash + 1) : key;
    if (slash >= 0 && (prefix.length > 253 || !SUBDOMAIN.test(prefix))) {
      causes.push({ reason: 'FieldValueInvalid', field: 'metadata.labels', message: `Invalid value: "${key}": prefix part ${NAME_MESSAGES.subdomain}` });
    }
    if (namePart.length > 63) causes.push({ reason: 'FieldValueInvalid', field: 'metadata.labels', message: `Invalid value: "${key}": name part must be no more than 63 characters` });
    if (!QUALIFIED_NAME.test(namePart)) causes.push({ reason: 'FieldValueInvalid', field: 'metadata.labels', message: `Invalid value: "${key}": ${QUALIFIED_NAME_MESSAGE}` });
    if (typeof value !== 'string') continue;
    if (value.length > 63) causes.push({ reason: 'FieldValueInvalid', field: 'metadata.labels', message: `Invalid value: "${value}": must be no more than 63 characters` });
    if (!LABEL_VALUE.test(value)) causes.push({ reason: 'FieldValueInvalid', field: 'metadata.labels', message: `Invalid value: "${value}": ${LABEL_VALUE_MESSAGE}` });
  }
  return causes;
}

/** Fills the server-owned metadata of a new object. */
export function initMeta(obj: KubeObject, withGeneration: boolean): void {
  const m = obj.metadata;
  if (m.generateName && !m.name) m.name = `${m.generateName}${randomSuffix()}`;
  m.uid = randomUUID();
  m.creationTimestamp = nowTime();
  delete m.deletionTimestamp;
  delete m.deletionGracePeriodSeconds;
  delete m.resourceVersion;
  delete m.managedFields;
  delete m.selfLink;
  if (withGeneration) m.generation = 1;
  else delete m.generation;
  if (m.labels && Object.keys(m.labels).length === 0) delete m.labels;
  if (m.annotations && Object.keys(m.annotations).length === 0) delete m.annotations;
}

/** Carries the server-owned metadata of the stored object over an update. */
export function keepMeta(next: KubeObject, old: KubeObject): void {
  const m = next.metadata;
  const o = old.metadata;
  m.name = o.name;
  if (o.namespace !== undefined) m.namespace = o.namespace;
  m.uid = o.uid;
  m.creationTimestamp = o.creationTimestamp;
  if (o.generateName !== undefined) m.generateName = o.generateName;
  else delete m.generateName;
  if (o.deletionTimestamp !== undefined) {
    m.deletionTimestamp = o.deletionTimestamp;
    m.deletionGracePeriodSeconds = o.deletionGracePeriodSeconds;
  } else {
    delete m.deletionTimestamp;
    delete m.deletionGracePeriodSeconds;
  }
  if (o.generation !== undefined) m.generation = o.generation;
  else delete m.generation;
  delete m.managedFields;
  delete m.selfLink;
  if (m.finalizers && m.finalizers.length === 0) delete m.finalizers;
  if (m.ownerReferences && m.ownerReferences.length === 0) delete m.ownerReferences;
  if (m.labels && Object.keys(m.labels).length === 0) delete m.labels;
  if (m.annotations && Object.keys(m.annotations).length === 0) delete m.annotations;
}
