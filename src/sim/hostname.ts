import { z } from 'zod';

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/** A domain name as Fastly accepts it: lower-cased, dot-separated labels, an optional leading `*.` wildcard. */
export const Hostname = z
  .string()
  .trim()
  .toLowerCase()
  .refine((name) => {
    const bare = name.startsWith('*.') ? name.slice(2) : name;
    const labels = bare.split('.');
    return bare.length <= 253 && labels.length >= 2 && labels.every((label) => LABEL.test(label));
  }, 'is not a valid domain name');
