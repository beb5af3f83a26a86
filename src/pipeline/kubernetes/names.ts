// Names and labels the API server accepts: DNS-1123 object names and label values of at most
// 63 characters. Values that must be shortened or cleaned keep a hash so they stay distinct.
import { createHash } from 'node:crypto';

export const MANAGED_BY = { 'app.kubernetes.io/managed-by': 'ko' } as const;

export function shortHash(text: string, length = 8): string {
    return createHash('sha256').update(text).digest('hex').slice(0, length);
}

/** A label value (<= 63 chars, [A-Za-z0-9][-A-Za-z0-9_.]*[A-Za-z0-9]) derived from any string. */
export function labelValue(text: string): string {
    const clean = text.replace(/[^A-Za-z0-9_.-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '').replace(/[^A-Za-z0-9]+$/, '');
    if (clean === text && clean.length <= 63) return clean;
    const prefix = clean.slice(0, 54).replace(/[^A-Za-z0-9]+$/, '');
    return prefix ? `${prefix}-${shortHash(text)}` : shortHash(text);
}

/** A DNS-1123 label fragment (lowercase alphanumerics and '-') of at most `max` characters. */
export function nameFragment(text: string, max: number): string {
    return text.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/-+/g, '-').slice(0, max).replace(/^-+|-+$/g, '') || 'x';
}
