/** Values for the string formats the validator checks, built from the seeded PRNG. */
import type { Rng } from "./prng";

export const WORDS = [
  "alpha",
  "bravo",
  "cedar",
  "delta",
  "ember",
  "fjord",
  "granite",
  "harbor",
  "indigo",
  "juniper",
  "kestrel",
  "lumen",
  "meadow",
  "nimbus",
  "orchid",
  "prism",
  "quartz",
  "river",
  "summit",
  "tundra",
  "umber",
  "violet",
  "willow",
  "zephyr",
] as const;

const pad = (n: number, width = 2): string => String(n).padStart(width, "0");
const hex = (rng: Rng, length: number): string => {
  let out = "";
  for (let i = 0; i < length; i++) out += "0123456789abcdef"[rng.int(0, 15)];
  return out;
};
const date = (rng: Rng): string => `${rng.int(2000, 2035)}-${pad(rng.int(1, 12))}-${pad(rng.int(1, 28))}`;
const time = (rng: Rng): string => `${pad(rng.int(0, 23))}:${pad(rng.int(0, 59))}:${pad(rng.int(0, 59))}Z`;
const word = (rng: Rng): string => rng.pick(WORDS);

const FORMATS: Record<string, (rng: Rng) => string> = {
  email: (rng) =>
    rng.pick([
      `${word(rng)}.${word(rng)}@example.com`,
      `${word(rng)}@example.com`,
      `${word(rng).slice(0, 3)}@ex.io`,
    ]),
  "idn-email": (rng) => `${word(rng)}@example.com`,
  uri: (rng) => `https://example.com/${word(rng)}/${rng.int(1, 999)}`,
  iri: (rng) => `https://example.com/${word(rng)}`,
  url: (rng) => `https://www.example.com/${word(rng)}`,
  "uri-reference": (rng) => `/${word(rng)}/${rng.int(1, 99)}`,
  "iri-reference": (rng) => `/${word(rng)}`,
  "uri-template": (rng) => `https://example.com/${word(rng)}/{id}`,
  date,
  time,
  "date-time": (rng) => `${date(rng)}T${time(rng)}`,
  duration: (rng) => `P${rng.int(1, 30)}D`,
  uuid: (rng) =>
    `${hex(rng, 8)}-${hex(rng, 4)}-4${hex(rng, 3)}-${"89ab"[rng.int(0, 3)]}${hex(rng, 3)}-${hex(rng, 12)}`,
  hostname: (rng) => `${word(rng)}.example.com`,
  "idn-hostname": (rng) => `${word(rng)}.example.org`,
  ipv4: (rng) => [rng.int(1, 223), rng.int(0, 255), rng.int(0, 255), rng.int(1, 254)].join("."),
  ipv6: (rng) => Array.from({ length: 8 }, () => hex(rng, 4)).join(":"),
  "json-pointer": (rng) => `/${word(rng)}/${rng.int(0, 9)}`,
  "relative-json-pointer": (rng) => `${rng.int(0, 3)}/${word(rng)}`,
  regex: (rng) => `^${word(rng)}-[0-9]+$`,
};

/** A value of the named format, or `undefined` for a format this generator does not know. */
export function generateFormat(format: string, rng: Rng): string | undefined {
  return FORMATS[format]?.(rng);
}
