import { z } from 'zod';

/** Zod pieces shared by the environment schemas (env.ts, admin-env.ts). */
export const optional = z
  .string()
  .trim()
  .optional()
  .transform((v) => (v === '' ? undefined : v));

/** A base URL without path or trailing slash (tests point these at fakes on 127.0.0.1). */
export const baseUrl = (fallback: string) =>
  z
    .string()
    .trim()
    .default(fallback)
    .refine((u) => /^https?:\/\/[^/]+$/.test(u.replace(/\/+$/, '')), `must be a base URL like ${fallback}`)
    .transform((u) => u.replace(/\/+$/, ''));
