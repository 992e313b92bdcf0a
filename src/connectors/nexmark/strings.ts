// Fixed vocabularies of the reference generators, precomputed once so the hot path only
// indexes arrays: person names, cities, states, credit-card groups, bid channels and URLs.
import { nextInt, nextString, restoreState, saveState, seed } from './random.ts';

export const STATES: readonly string[] = 'AZ,CA,ID,OR,WA,WY'.split(',');
export const CITIES: readonly string[] =
  'Phoenix,Los Angeles,San Francisco,Boise,Portland,Bend,Redmond,Seattle,Kent,Cheyenne'.split(',');
const FIRST_NAMES = 'Peter,Paul,Luke,John,Saul,Vicky,Kate,Julie,Sarah,Deiter,Walter'.split(',');
const LAST_NAMES = 'Shultz,Abrams,Spencer,White,Bartels,Walton,Smith,Jones,Noris'.split(',');

// All 99 "First Last" combinations; one uniform draw over them equals the reference's
// two independent uniform draws.
const PERSON_NAMES: readonly string[] = FIRST_NAMES.flatMap((f) => LAST_NAMES.map((l) => `${f} ${l}`));

export function personName(i: number): string {
  return PERSON_NAMES[i];
}

const FOUR_DIGITS: readonly string[] = Array.from({ length: 10000 }, (_, i) => String(i).padStart(4, '0'));

/** "%04d %04d %04d %04d" of four draws in [0, 10000). */
export function creditCard(a: number, b: number, c: number, d: number): string {
  return FOUR_DIGITS[a] + ' ' + FOUR_DIGITS[b] + ' ' + FOUR_DIGITS[c] + ' ' + FOUR_DIGITS[d];
}

/** BidGenerator.getBaseUrl: three random 3-4 char path segments (with '_' as the special char). */
function baseUrl(): string {
  return 'https://www.nexmark.com/' + nextString(5, true) + '/' + nextString(5, true) + '/' +
    nextString(5, true) + '/item.htm?query=1';
}

function withSeed<T>(seedValue: number, make: () => T): T {
  // The reference draws these from unseeded Randoms; we seed them from fixed values so
  // the stream is reproducible, and keep the caller's per-event draw sequence intact.
  const saved = saveState();
  seed(seedValue);
  const v = make();
  restoreState(saved);
  return v;
}

export const HOT_CHANNELS: readonly string[] = ['Google', 'Facebook', 'Baidu', 'Apple'];
export const HOT_URLS: readonly string[] = HOT_CHANNELS.map((_, i) => withSeed(0x48_07_00 + i, baseUrl));

const CHANNEL_NAMES: (string | undefined)[] = [];
const CHANNEL_URLS: (string | undefined)[] = [];

export function channelName(n: number): string {
  return CHANNEL_NAMES[n] ?? (CHANNEL_NAMES[n] = 'channel-' + n);
}

/** Java Math.abs(Integer.reverse(n)), including abs(MIN_VALUE) staying negative. */
export function reversedChannelId(n: number): number {
  let r = 0;
  for (let i = 0; i < 32; i++) r = (r << 1) | ((n >>> i) & 1);
  return r === -2147483648 ? r : Math.abs(r);
}

/** Channel n's URL, fixed per channel like the reference's CHANNEL_URL_CACHE. */
export function channelUrl(n: number): string {
  let url = CHANNEL_URLS[n];
  if (url === undefined) {
    url = withSeed(0x0c4a_0000 + n, () => {
      const u = baseUrl();
      return nextInt(10) > 0 ? u + '&channel_id=' + reversedChannelId(n) : u;
    });
    CHANNEL_URLS[n] = url;
  }
  return url;
}
