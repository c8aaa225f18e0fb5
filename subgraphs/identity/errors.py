"""Errors of the identity subgraph.

DomainError (subgraphs.kit.errors)
├── InvalidCredentialsError    unknown email, wrong password, deactivated user: one answer
├── TooManyAttemptsError       login throttled (per account or per IP)
├── InvalidTokenError          refresh, invitation, reset or MFA token unknown/expired/used
├── TokenReuseError            a superseded refresh token was presented: family revoked
├── InvalidMfaCodeError        wrong TOTP or recovery code
├── WeakPasswordError          password policy
├── InvalidInputError          malformed email, name, time zone, ...
├── EmailTakenError            another user of this tenant has the email
├── TenantHasUsersError        signUp on a tenant that already has its owner
├── UserNotFoundError          no such user in this tenant (foreign ids too)
├── RoleNotFoundError          no such built-in or custom role
├── RoleExistsError            custom role name taken (or built-in)
├── RoleInUseError             custom role still assigned
├── LastOwnerError             the tenant would have no active owner left
├── ApiKeyNotFoundError        no such API key in this tenant
└── MfaStateError              enrolment/confirmation out of order

Errors with `keep_writes = True` still commit the request's writes (the audit event of a
failed login, the revocation of a refresh-token family on reuse).
"""

from __future__ import annotations

from enum import StrEnum

from subgraphs.kit.errors import DomainError


class IdentityErrorCode(StrEnum):
    INVALID_CREDENTIALS = "INVALID_CREDENTIALS"
    TOO_MANY_ATTEMPTS = "TOO_MANY_ATTEMPTS"
    INVALID_TOKEN = "INVALID_TOKEN"
    TOKEN_REUSED = "TOKEN_REUSED"
    INVALID_MFA_CODE = "INVALID_MFA_CODE"
    WEAK_PASSWORD = "WEAK_PASSWORD"
    INVALID_INPUT = "INVALID_INPUT"
    EMAIL_TAKEN = "EMAIL_TAKEN"
    TENANT_HAS_USERS = "TENANT_HAS_USERS"
    USER_NOT_FOUND = "USER_NOT_FOUND"
    ROLE_NOT_FOUND = "ROLE_NOT_FOUND"
    ROLE_EXISTS = "ROLE_EXISTS"
    ROLE_IN_USE = "ROLE_IN_USE"
    LAST_OWNER = "LAST_OWNER"
    API_KEY_NOT_FOUND = "API_KEY_NOT_FOUND"
    MFA_STATE = "MFA_STATE"


class InvalidCredentialsError(DomainError):
    code = IdentityErrorCode.INVALID_CREDENTIALS
    message = "Invalid email or password."
    keep_writes = True


class TooManyAttemptsError(DomainError):
    code = IdentityErrorCode.TOO_MANY_ATTEMPTS
    message = "Too many attempts; retry in {retry_after} seconds."
    keep_writes = True


class InvalidTokenError(DomainError):
    code = IdentityErrorCode.INVALID_TOKEN
    message = "The token is invalid, expired or already used."
    keep_writes = True


class TokenReuseError(DomainError):
    code = IdentityErrorCode.TOKEN_REUSED
    message = "This refresh token was already used; the session is revoked."
    keep_writes = True


class InvalidMfaCodeError(DomainError):
    code = IdentityErrorCode.INVALID_MFA_CODE
    message = "Invalid authentication code."
    keep_writes = True


class WeakPasswordError(DomainError):
    code = IdentityErrorCode.WEAK_PASSWORD
    message = "Password rejected: {reason}."


class InvalidInputError(DomainError):
    code = IdentityErrorCode.INVALID_INPUT
    message = "Invalid {what}: {reason}."


class EmailTakenError(DomainError):
    code = IdentityErrorCode.EMAIL_TAKEN
    message = "A user with this email already exists."


class TenantHasUsersError(DomainError):
    code = IdentityErrorCode.TENANT_HAS_USERS
    message = "This tenant already has an owner; ask for an invitation."


class UserNotFoundError(DomainError):
    code = IdentityErrorCode.USER_NOT_FOUND
    message = "User not found."


class RoleNotFoundError(DomainError):
    code = IdentityErrorCode.ROLE_NOT_FOUND
    message = "Role {role!r} does not exist."


class RoleExistsError(DomainError):
    code = IdentityErrorCode.ROLE_EXISTS
    message = "Role {role!r} already exists."


class RoleInUseError(DomainError):
    code = IdentityErrorCode.ROLE_IN_USE
    message = "Role {role!r} is still assigned to users."


class LastOwnerError(DomainError):
    code = IdentityErrorCode.LAST_OWNER
    message = "The tenant must keep at least one active owner."


class ApiKeyNotFoundError(DomainError):
    code = IdentityErrorCode.API_KEY_NOT_FOUND
    message = "API key not found."


class MfaStateError(DomainError):
    code = IdentityErrorCode.MFA_STATE
    message = "{reason}"
