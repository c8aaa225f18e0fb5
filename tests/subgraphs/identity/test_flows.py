"""Identity flows through the GraphQL app: sign-up, invitations, login, refresh rotation,
role changes, deactivation, password reset, audit log (SQLite and PostgreSQL)."""

from __future__ import annotations

from typing import Any

from tests.subgraphs.identity.harness import (
    LOGIN,
    ME,
    PASSWORD,
    REFRESH,
    SIGN_UP,
    Harness,
    age_rotations,
)


def errors(body: dict[str, Any]) -> list[str]:
    return [e["extensions"]["code"] for e in body.get("errors") or []]


async def test_sign_up_makes_the_first_owner_once(harness: Harness) -> None:
    tenant = await harness.owned_tenant()
    body = await harness.gql(ME, tenant=tenant.id, token=tenant.owner_token)
    assert body["data"]["me"]["role"] == "owner"
    again = await harness.gql(
        SIGN_UP, {"email": "x@y.test", "name": "X", "password": PASSWORD}, tenant=tenant.id
    )
    assert [e["code"] for e in again["data"]["signUp"]["userErrors"]] == ["TENANT_HAS_USERS"]


async def test_invite_accept_login_refresh_and_protected_field(harness: Harness) -> None:
    tenant = await harness.owned_tenant()
    accepted = await harness.add_user(tenant, "agent@example.test", "agent")
    assert accepted["user"]["role"] == "agent"
    login = await harness.gql(
        LOGIN, {"email": "agent@example.test", "password": PASSWORD}, tenant=tenant.id
    )
    tokens = login["data"]["login"]
    assert tokens["userErrors"] == []
    refreshed = (await harness.gql(REFRESH, {"t": tokens["refreshToken"]}, tenant=tenant.id))[
        "data"
    ]["refreshToken"]
    assert refreshed["userErrors"] == []
    assert refreshed["refreshToken"] != tokens["refreshToken"]
    me = await harness.gql(ME, tenant=tenant.id, token=refreshed["accessToken"])
    assert me["data"]["me"]["role"] == "agent"
    # an agent may read users but not manage them
    users = await harness.gql("{ users { edges { node { email } } } }", tenant=tenant.id,
                              token=refreshed["accessToken"])  # fmt: skip
    assert len(users["data"]["users"]["edges"]) == 2
    invite = await harness.gql(
        'mutation { inviteUser(email: "z@z.test") { userErrors { code } } }',
        tenant=tenant.id,
        token=refreshed["accessToken"],
    )
    assert errors(invite) == ["FORBIDDEN"]


async def test_invitation_is_single_use(harness: Harness) -> None:
    tenant = await harness.owned_tenant()
    await harness.add_user(tenant, "one@example.test")
    token = harness.mailer.last("one@example.test", "invitation").token
    body = await harness.gql(
        'mutation($t: String!) { acceptInvitation(token: $t, name: "A", password: '
        f'"{PASSWORD}") {{ userErrors {{ code }} }} }}',
        {"t": token},
        tenant=tenant.id,
    )
    assert body["data"]["acceptInvitation"]["userErrors"] == [{"code": "INVALID_TOKEN"}]


async def test_refresh_reuse_revokes_the_family(harness: Harness) -> None:
    tenant = await harness.owned_tenant()
    first = tenant.owner_refresh
    second = (await harness.gql(REFRESH, {"t": first}, tenant=tenant.id))["data"]["refreshToken"]
    assert second["userErrors"] == []
    await age_rotations(harness, tenant.id, seconds=11)  # past the 10 s grace window
    reuse = (await harness.gql(REFRESH, {"t": first}, tenant=tenant.id))["data"]["refreshToken"]
    assert reuse["userErrors"][0]["code"] == "TOKEN_REUSED"
    # the legitimate latest token and its access token are dead too
    latest = (await harness.gql(REFRESH, {"t": second["refreshToken"]}, tenant=tenant.id))["data"][
        "refreshToken"
    ]
    assert latest["userErrors"][0]["code"] == "INVALID_TOKEN"
    me = await harness.gql(ME, tenant=tenant.id, token=second["accessToken"])
    assert errors(me) == ["UNAUTHENTICATED"]
    audit = await harness.gql(
        '{ auditLog(action: ["token.reuse_detected"]) { edges { node { action success } } } }',
        tenant=tenant.id,
        token=(
            await harness.gql(
                LOGIN, {"email": f"owner@{tenant.slug}.test", "password": PASSWORD},
                tenant=tenant.id,
            )
        )["data"]["login"]["accessToken"],
    )  # fmt: skip
    assert audit["data"]["auditLog"]["edges"] == [
        {"node": {"action": "token.reuse_detected", "success": False}}
    ]


async def test_logout_and_revoke_all_sessions_kill_access_tokens(harness: Harness) -> None:
    tenant = await harness.owned_tenant()
    body = await harness.gql(
        "mutation($t: String!) { logout(refreshToken: $t) { ok } }",
        {"t": tenant.owner_refresh},
        tenant=tenant.id,
    )
    assert body["data"]["logout"]["ok"] is True
    assert errors(await harness.gql(ME, tenant=tenant.id, token=tenant.owner_token)) == [
        "UNAUTHENTICATED"
    ]
    login = (
        await harness.gql(
            LOGIN, {"email": f"owner@{tenant.slug}.test", "password": PASSWORD}, tenant=tenant.id
        )
    )["data"]["login"]
    body = await harness.gql(
        "mutation { revokeAllSessions { ok } }", tenant=tenant.id, token=login["accessToken"]
    )
    assert body["data"]["revokeAllSessions"]["ok"] is True
    assert errors(await harness.gql(ME, tenant=tenant.id, token=login["accessToken"])) == [
        "UNAUTHENTICATED"
    ]


async def test_role_change_applies_on_next_token(harness: Harness) -> None:
    tenant = await harness.owned_tenant()
    viewer = await harness.add_user(tenant, "v@example.test", "viewer")
    change = await harness.gql(
        'mutation($id: ID!) { changeUserRole(id: $id, role: "admin") { user { role } } }',
        {"id": viewer["user"]["id"]},
        tenant=tenant.id,
        token=tenant.owner_token,
    )
    assert change["data"]["changeUserRole"]["user"]["role"] == "admin"
    old = await harness.gql("{ auditLog { edges { node { action } } } }", tenant=tenant.id,
                            token=viewer["accessToken"])  # fmt: skip
    assert errors(old) == ["FORBIDDEN"]
    new = (await harness.gql(REFRESH, {"t": viewer["refreshToken"]}, tenant=tenant.id))["data"][
        "refreshToken"
    ]
    audit = await harness.gql("{ auditLog { edges { node { action } } } }", tenant=tenant.id,
                              token=new["accessToken"])  # fmt: skip
    actions = [e["node"]["action"] for e in audit["data"]["auditLog"]["edges"]]
    assert "role.changed" in actions


async def test_deactivation_revokes_and_blocks_login(harness: Harness) -> None:
    tenant = await harness.owned_tenant()
    member = await harness.add_user(tenant, "m@example.test")
    body = await harness.gql(
        "mutation($id: ID!) { deactivateUser(id: $id) { user { status } userErrors { code } } }",
        {"id": member["user"]["id"]},
        tenant=tenant.id,
        token=tenant.owner_token,
    )
    assert body["data"]["deactivateUser"]["user"]["status"] == "DEACTIVATED"
    assert errors(await harness.gql(ME, tenant=tenant.id, token=member["accessToken"])) == [
        "UNAUTHENTICATED"
    ]
    login = await harness.gql(
        LOGIN, {"email": "m@example.test", "password": PASSWORD}, tenant=tenant.id
    )
    assert login["data"]["login"]["userErrors"][0]["code"] == "INVALID_CREDENTIALS"
    last_owner = await harness.gql(
        "mutation($id: ID!) { deactivateUser(id: $id) { userErrors { code } } }",
        {"id": tenant.owner_id},
        tenant=tenant.id,
        token=tenant.owner_token,
    )
    assert last_owner["data"]["deactivateUser"]["userErrors"] == [{"code": "LAST_OWNER"}]


async def test_login_errors_are_uniform(harness: Harness) -> None:
    tenant = await harness.owned_tenant()
    unknown = await harness.gql(
        LOGIN, {"email": "nobody@example.test", "password": PASSWORD}, tenant=tenant.id
    )
    wrong = await harness.gql(
        LOGIN, {"email": f"owner@{tenant.slug}.test", "password": "wrong-" + PASSWORD},
        tenant=tenant.id,
    )  # fmt: skip
    assert unknown["data"]["login"]["userErrors"] == wrong["data"]["login"]["userErrors"]
    assert wrong["data"]["login"]["userErrors"][0]["code"] == "INVALID_CREDENTIALS"


async def test_password_policy_and_reset(harness: Harness) -> None:
    tenant = await harness.owned_tenant()
    email = f"owner@{tenant.slug}.test"
    for weak, reason in [("short", "12"), ("password1234", "common"), (f"{email}-x", "email")]:
        body = await harness.gql(
            "mutation($c: String!, $n: String!) { changePassword(currentPassword: $c, "
            "newPassword: $n) { ok userErrors { code message } } }",
            {"c": PASSWORD, "n": weak},
            tenant=tenant.id,
            token=tenant.owner_token,
        )
        assert body["data"]["changePassword"]["userErrors"][0]["code"] == "WEAK_PASSWORD", reason
    body = await harness.gql(
        "mutation($e: String!) { requestPasswordReset(email: $e) { ok } }",
        {"e": email},
        tenant=tenant.id,
    )
    assert body["data"]["requestPasswordReset"]["ok"] is True
    token = harness.mailer.last(email, "password_reset").token
    new_password = "quiet-meadow-copper-77"
    reset = "mutation($t: String!, $p: String!) { resetPassword(token: $t, password: $p) { ok userErrors { code } } }"  # noqa: E501
    body = await harness.gql(reset, {"t": token, "p": new_password}, tenant=tenant.id)
    assert body["data"]["resetPassword"]["ok"] is True
    again = await harness.gql(reset, {"t": token, "p": new_password}, tenant=tenant.id)
    assert again["data"]["resetPassword"]["userErrors"] == [{"code": "INVALID_TOKEN"}]
    assert errors(await harness.gql(ME, tenant=tenant.id, token=tenant.owner_token)) == [
        "UNAUTHENTICATED"
    ]
    login = await harness.gql(LOGIN, {"email": email, "password": new_password}, tenant=tenant.id)
    assert login["data"]["login"]["userErrors"] == []


async def test_users_connection_filters(harness: Harness) -> None:
    tenant = await harness.owned_tenant()
    for index in range(3):
        await harness.add_user(tenant, f"agent{index}@example.test", "agent")
    await harness.add_user(tenant, "view@example.test", "viewer")
    query = """query($role: [String!], $search: String, $after: String) {
      users(first: 2, role: $role, search: $search, after: $after) {
        edges { node { email role } } pageInfo { hasNextPage endCursor } } }"""
    page = await harness.gql(query, {"role": ["agent"]}, tenant=tenant.id,
                             token=tenant.owner_token)  # fmt: skip
    users = page["data"]["users"]
    assert [e["node"]["role"] for e in users["edges"]] == ["agent", "agent"]
    assert users["pageInfo"]["hasNextPage"] is True
    rest = await harness.gql(
        query, {"role": ["agent"], "after": users["pageInfo"]["endCursor"]},
        tenant=tenant.id, token=tenant.owner_token,
    )  # fmt: skip
    assert len(rest["data"]["users"]["edges"]) == 1
    search = await harness.gql(query, {"search": "VIEW"}, tenant=tenant.id,
                               token=tenant.owner_token)  # fmt: skip
    assert [e["node"]["email"] for e in search["data"]["users"]["edges"]] == ["view@example.test"]


async def test_custom_role_and_profile(harness: Harness) -> None:
    tenant = await harness.owned_tenant()
    created = await harness.gql(
        'mutation { createRole(name: "triage", permissions: ["tickets:read", "tickets:write"]) '
        "{ role { name permissions builtin } userErrors { code } } }",
        tenant=tenant.id,
        token=tenant.owner_token,
    )
    assert created["data"]["createRole"]["role"]["permissions"] == ["tickets:read", "tickets:write"]
    member = await harness.add_user(tenant, "t@example.test", "triage")
    assert member["user"]["role"] == "triage"
    profile = await harness.gql(
        'mutation { updateProfile(name: "Tia", timezone: "Europe/Paris", locale: "fr-FR", '
        'avatarUrl: "https://cdn.test/a.png") { user { name timezone locale avatarUrl } '
        "userErrors { code } } }",
        tenant=tenant.id,
        token=member["accessToken"],
    )
    assert profile["data"]["updateProfile"]["user"] == {
        "name": "Tia", "timezone": "Europe/Paris", "locale": "fr-FR",
        "avatarUrl": "https://cdn.test/a.png",
    }  # fmt: skip
    bad = await harness.gql(
        'mutation { updateProfile(timezone: "Mars/Olympus") { userErrors { code } } }',
        tenant=tenant.id,
        token=member["accessToken"],
    )
    assert bad["data"]["updateProfile"]["userErrors"] == [{"code": "INVALID_INPUT"}]


async def test_builtin_requester_and_admin_permissions(harness: Harness) -> None:
    tenant = await harness.owned_tenant()
    listed = await harness.gql(
        "{ roles { name permissions builtin } }", tenant=tenant.id, token=tenant.owner_token
    )
    roles = {r["name"]: r for r in listed["data"]["roles"]}
    assert roles["requester"] == {
        "name": "requester", "permissions": ["tickets:request"], "builtin": True,
    }  # fmt: skip
    for name in ("owner", "admin"):
        assert {"tickets:admin", "webhooks:manage"} <= set(roles[name]["permissions"]), name
    for name in ("agent", "member", "viewer"):
        assert not {"tickets:admin", "webhooks:manage"} & set(roles[name]["permissions"]), name
    taken = await harness.gql(
        'mutation { createRole(name: "requester", permissions: ["users:read"]) '
        "{ userErrors { code } } }",
        tenant=tenant.id,
        token=tenant.owner_token,
    )
    assert taken["data"]["createRole"]["userErrors"] == [{"code": "ROLE_EXISTS"}]
    customer = await harness.add_user(tenant, "c@example.test", "requester")
    assert customer["user"]["role"] == "requester"
    people = await harness.gql(
        "{ roles { name } }", tenant=tenant.id, token=customer["accessToken"]
    )  # an end customer does not see the tenant's people or roles
    assert people["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_jwks_endpoint_serves_the_signing_key(harness: Harness) -> None:
    response = await harness.client.get("/.well-known/jwks.json")
    keys = response.json()["keys"]
    assert [k["alg"] for k in keys] == ["EdDSA"]
    assert keys[0]["kid"] == harness.deps.keyring.signing_key().kid
    assert "d" not in keys[0]
