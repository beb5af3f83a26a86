// Asks the API server, with SelfSubjectAccessReviews, whether the current user may do what the
// executor and the cluster cache do; `ko kube status` prints the answers.
import type { KubeClient } from './client.js';
import { KubeApiError } from './errors.js';
import { REQUIRED_PERMISSIONS } from './errors.js';

export interface PermissionCheck {
    verb: string;
    group: string;
    resource: string;
    subresource?: string;
    /** undefined when the review itself could not be made. */
    allowed: boolean | undefined;
    reason?: string;
}

export async function checkPermissions(client: KubeClient, namespace: string): Promise<PermissionCheck[]> {
    const checks = REQUIRED_PERMISSIONS.flatMap((p) => p.verbs.map((verb) => ({ verb, group: p.group, resource: p.resource, subresource: p.subresource })));
    return Promise.all(checks.map(async (c): Promise<PermissionCheck> => {
        try {
            const review = await client.request<{ status?: { allowed?: boolean; reason?: string } }>('POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', {
                namespace,
                body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview',
                    spec: { resourceAttributes: { namespace, verb: c.verb, group: c.group, resource: c.resource, ...(c.subresource ? { subresource: c.subresource } : {}) } } },
            });
            return { ...c, allowed: review.status?.allowed === true, reason: review.status?.reason };
        } catch (err) {
            return { ...c, allowed: undefined, reason: err instanceof KubeApiError ? `review failed: ${err.code} ${err.reason}` : String(err) };
        }
    }));
}
