"""Edge policies: tenant and token context, header propagation, limits, cost, rate limits,
persisted queries, CSRF, authorization directives, error hygiene.

`router.policies.hook.PolicyHook` runs them; this package root exports only plain data so
`router.config` and `router.pipeline` can import it without cycles.
"""

from router.policies.config import PoliciesConfig, PolicyConfigError, load_policies
from router.policies.context import EdgeContext, Principal, Tenant, TenantId

__all__ = [
    "EdgeContext",
    "PoliciesConfig",
    "PolicyConfigError",
    "Principal",
    "Tenant",
    "TenantId",
    "load_policies",
]
