// Loopback addresses for pods and Service cluster IPs. Linux routes all of 127.0.0.0/8 to
// the loopback device, so each pod and Service gets its own address and ports never
// collide. The middle octets come from the process id, keeping test processes that run
// side by side apart; the last octet counts up within the process.
let next = 0;
const base = process.pid % 65_536;

export function allocateLoopback(): string {
  const n = next++;
  const block = (base + Math.floor(n / 250)) % 65_536;
  return `127.${(block >> 8) & 0xff}.${block & 0xff}.${(n % 250) + 2}`;
}
