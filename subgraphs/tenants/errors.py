"""Errors of the tenants subgraph.

DomainError (subgraphs.kit.errors)
├── InvalidSlugError           slug does not match ^[a-z][a-z0-9-]{2,39}$ or is reserved
├── InvalidNameError           empty or too long display name
├── SlugTakenError             another tenant (any status) holds the slug
├── TenantNotFoundError        no tenant with that id/slug
├── TenantSuspendedError       the operation needs an ACTIVE tenant
├── TenantDeletedError         the tenant is soft-deleted
├── TenantStateError           the transition is not allowed from the current status
├── InvalidDomainError         not a host name, or under the platform's base domain
├── DomainTakenError           the host is registered to a tenant already
├── DomainNotFoundError        no such custom domain for this tenant
├── InvalidVerificationTokenError
├── NoDatabaseServerError      no active placement target with room
├── DatabaseUnreachableError   the placement server did not answer; nothing was created
├── ProvisioningFailedError    the database exists but a later step failed (FAILED, resumable)
├── RetentionNotElapsedError   purge before the retention window closed
└── TooManySignUpsError        self-serve createTenant past the per-IP limit
"""

from __future__ import annotations

from enum import StrEnum

from subgraphs.kit.errors import DomainError


class TenantsErrorCode(StrEnum):
    INVALID_SLUG = "INVALID_SLUG"
    INVALID_NAME = "INVALID_NAME"
    INVALID_PLAN = "INVALID_PLAN"
    SLUG_TAKEN = "SLUG_TAKEN"
    TENANT_NOT_FOUND = "TENANT_NOT_FOUND"
    TENANT_SUSPENDED = "TENANT_SUSPENDED"
    TENANT_DELETED = "TENANT_DELETED"
    INVALID_TENANT_STATE = "INVALID_TENANT_STATE"
    INVALID_DOMAIN = "INVALID_DOMAIN"
    DOMAIN_TAKEN = "DOMAIN_TAKEN"
    DOMAIN_NOT_FOUND = "DOMAIN_NOT_FOUND"
    INVALID_VERIFICATION_TOKEN = "INVALID_VERIFICATION_TOKEN"
    NO_DATABASE_SERVER = "NO_DATABASE_SERVER"
    DATABASE_UNREACHABLE = "DATABASE_UNREACHABLE"
    PROVISIONING_FAILED = "PROVISIONING_FAILED"
    RETENTION_NOT_ELAPSED = "RETENTION_NOT_ELAPSED"
    TOO_MANY_ATTEMPTS = "TOO_MANY_ATTEMPTS"


class InvalidSlugError(DomainError):
    code = TenantsErrorCode.INVALID_SLUG
    message = "Slug {slug!r} is not allowed: {reason}."


class InvalidNameError(DomainError):
    code = TenantsErrorCode.INVALID_NAME
    message = "Name must be 1 to 200 characters."


class InvalidPlanError(DomainError):
    code = TenantsErrorCode.INVALID_PLAN
    message = "Unknown plan {plan!r}."


class SlugTakenError(DomainError):
    code = TenantsErrorCode.SLUG_TAKEN
    message = "Slug {slug!r} is already taken."


class TenantNotFoundError(DomainError):
    code = TenantsErrorCode.TENANT_NOT_FOUND
    message = "Tenant {tenant} does not exist."


class TenantSuspendedError(DomainError):
    code = TenantsErrorCode.TENANT_SUSPENDED
    message = "Tenant {tenant} is suspended."


class TenantDeletedError(DomainError):
    code = TenantsErrorCode.TENANT_DELETED
    message = "Tenant {tenant} is deleted."


class TenantStateError(DomainError):
    code = TenantsErrorCode.INVALID_TENANT_STATE
    message = "Tenant {tenant} is {status}; cannot {action}."


class InvalidDomainError(DomainError):
    code = TenantsErrorCode.INVALID_DOMAIN
    message = "{host!r} is not a valid custom domain: {reason}."


class DomainTakenError(DomainError):
    code = TenantsErrorCode.DOMAIN_TAKEN
    message = "Domain {host!r} is already registered."


class DomainNotFoundError(DomainError):
    code = TenantsErrorCode.DOMAIN_NOT_FOUND
    message = "Domain {host!r} is not registered for this tenant."


class InvalidVerificationTokenError(DomainError):
    code = TenantsErrorCode.INVALID_VERIFICATION_TOKEN
    message = "The verification token for {host!r} does not match."


class NoDatabaseServerError(DomainError):
    code = TenantsErrorCode.NO_DATABASE_SERVER
    message = "No database server can take a new tenant{detail}."


class DatabaseUnreachableError(DomainError):
    code = TenantsErrorCode.DATABASE_UNREACHABLE
    message = "Database server {server!r} did not answer; nothing was created."


class ProvisioningFailedError(DomainError):
    code = TenantsErrorCode.PROVISIONING_FAILED
    message = "Provisioning tenant {tenant} failed at {step}: {reason}"


class RetentionNotElapsedError(DomainError):
    code = TenantsErrorCode.RETENTION_NOT_ELAPSED
    message = "Tenant {tenant} can be purged after {after}."


class TooManySignUpsError(DomainError):
    code = TenantsErrorCode.TOO_MANY_ATTEMPTS
    message = "Too many sign-ups from this address; retry in {retry_after} seconds."
