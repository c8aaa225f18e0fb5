"""Permissions and the built-in roles (custom roles are rows of `identity_roles`).

A token's `scope` claim holds the permissions of the user's role when it was issued, so a role
change takes effect with the next token (at most the 10-minute access-token lifetime).
"""

from __future__ import annotations

from collections.abc import Iterable

PERMISSIONS: dict[str, str] = {
    "users:read": "See the people of the tenant",
    "users:manage": "Invite, deactivate and change the role of users; service accounts",
    "roles:manage": "Create and delete custom roles",
    "api_keys:manage": "Create and revoke API keys",
    "audit:read": "Read the security audit log",
    "settings:manage": "Change the tenant's security policy (MFA requirement)",
    "billing:manage": "Plans, invoices and payment methods",
    "tenant:manage": "Rename the tenant and manage its custom domains (tenants subgraph)",
    "tickets:read": "Read helpdesk tickets",
    "tickets:write": "Create, update and assign tickets",
    "tickets:request": "Open tickets and follow one's own (end customers; no agent access)",
    "tickets:admin": "Configure the helpdesk: statuses, SLA policies, automations, shared views",
    "webhooks:manage": "Register and manage webhook endpoints (they receive every event)",
    "projects:read": "Read projects and tasks",
    "projects:write": "Create and update projects and tasks",
    "chat:read": "Read chat channels",
    "chat:write": "Post in chat channels",
}

_READ = {"users:read", "tickets:read", "projects:read", "chat:read"}
_ADMIN = set(PERMISSIONS) - {"billing:manage"}

BUILTIN_ROLES: dict[str, frozenset[str]] = {
    "owner": frozenset(PERMISSIONS),
    "admin": frozenset(_ADMIN),
    "agent": frozenset(_READ | {"tickets:write", "chat:write"}),
    "member": frozenset(_READ | {"tickets:write", "projects:write", "chat:write"}),
    "viewer": frozenset(_READ),
    # an end customer: tickets treats anyone without tickets:read/write as a requester
    "requester": frozenset({"tickets:request"}),
}
OWNER = "owner"


def unknown_permissions(permissions: Iterable[str]) -> list[str]:
    return sorted(p for p in permissions if p not in PERMISSIONS)
