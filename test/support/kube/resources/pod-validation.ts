// The validations of pod templates that operator-generated specs most often trip over in a
// real cluster: container and port names, env var names, and Deployment selectors that do
// not match their template's labels.
import type { StatusCause } from '../errors.ts';
import { matchesLabelSelector } from '../store/selectors.ts';
import type { JsonObject } from '../types.ts';
import { isRecord } from '../types.ts';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

function invalid(field: string, value: string, why: string): StatusCause {
  return { reason: 'FieldValueInvalid', field, message: `Invalid value: "${value}": ${why}` };
}

/** IsValidPortName (IANA_SVC_NAME). */
export function portNameCauses(name: string, field: string): StatusCause[] {
  const out: StatusCause[] = [];
  if (name.length > 15) out.push(invalid(field, name, 'must be no more than 15 characters'));
  if (!/^[-a-z0-9]+$/.test(name)) out.push(invalid(field, name, "must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)"));
  if (name.includes('--')) out.push(invalid(field, name, 'must not contain consecutive hyphens'));
  if (!/[a-z]/.test(name)) out.push(invalid(field, name, 'must contain at least one letter (a-z)'));
  if (name.startsWith('-') || name.endsWith('-')) out.push(invalid(field, name, 'must not begin or end with a hyphen'));
  return out;
}

export function containerCauses(list: unknown, field: string): StatusCause[] {
  const out: StatusCause[] = [];
  if (!Array.isArray(list)) return out;
  list.forEach((c: unknown, i) => {
    if (!isRecord(c)) return;
    const at = `${field}[${i}]`;
    if (typeof c.name === 'string' && c.name !== '' && !DNS_LABEL.test(c.name)) {
      out.push(invalid(`${at}.name`, c.name, "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"));
    }
    (Array.isArray(c.ports) ? c.ports : []).forEach((p: unknown, j) => {
      if (isRecord(p) && typeof p.name === 'string') out.push(...portNameCauses(p.name, `${at}.ports[${j}].name`));
    });
    (Array.isArray(c.env) ? c.env : []).forEach((e: unknown, j) => {
      if (isRecord(e) && typeof e.name === 'string' && !ENV_NAME.test(e.name)) {
        out.push(invalid(`${at}.env[${j}].name`, e.name, "a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit (e.g. 'my.env-name',  or 'MY_ENV.NAME',  or 'MyEnvName1', regex used for validation is '[-._a-zA-Z][-._a-zA-Z0-9]*')"));
      }
    });
  });
  return out;
}

/** A workload's selector must select its own template (ValidateDeploymentSpec). */
export function selectorCauses(spec: JsonObject): StatusCause[] {
  const template = isRecord(spec.template) ? spec.template : {};
  const meta = isRecord(template.metadata) ? template.metadata : {};
  const labels = (isRecord(meta.labels) ? meta.labels : {}) as Record<string, string>;
  if (!isRecord(spec.selector)) return [];
  const sel = spec.selector;
  const empty = !isRecord(sel.matchLabels) && !Array.isArray(sel.matchExpressions);
  if (empty) return [{ reason: 'FieldValueInvalid', field: 'spec.selector', message: 'Invalid value: "": empty selector is invalid for deployment' }];
  if (matchesLabelSelector(sel, labels)) return [];
  const shown = Object.entries(labels).map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(', ');
  return [{ reason: 'FieldValueInvalid', field: 'spec.template.metadata.labels', message: `Invalid value: map[string]string{${shown}}: \`selector\` does not match template \`labels\`` }];
}

/** Service port names are required when there are several, and must be DNS labels. */
export function servicePortCauses(spec: JsonObject): StatusCause[] {
  const ports = Array.isArray(spec.ports) ? spec.ports.filter(isRecord) : [];
  const out: StatusCause[] = [];
  ports.forEach((p, i) => {
    if (ports.length > 1 && (typeof p.name !== 'string' || p.name === '')) {
      out.push({ reason: 'FieldValueRequired', field: `spec.ports[${i}].name`, message: 'Required value' });
    }
    if (typeof p.targetPort === 'string') out.push(...portNameCauses(p.targetPort, `spec.ports[${i}].targetPort`));
  });
  return out;
}
