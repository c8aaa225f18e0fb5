"""Property-based isolation: users and keys of tenant A sending tenant B's ids (and forged tenant
headers) find nothing and change nothing; the foreign-id answer equals the random-id answer.

The tenants are provisioned through the real path. The test body is synchronous and drives its
own event loop, so hypothesis can run (and shrink) every attack against one environment.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
import uuid
from collections import Counter
from contextlib import AsyncExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from saas_platform.tenancy.testing import tenancy_env
from subgraphs.identity.models import IdentityBase
from subgraphs.kit.ids import TenantId
from tests.subgraphs.identity.harness import Harness, Tenant, identity_harness

USER = "query($id: ID!) { user(id: $id) { id email name } }"
ENTITY = "query($r: [_Any!]!) { _entities(representations: $r) { ... on User { id email name } } }"
SEARCH = "query($s: String) { users(search: $s) { edges { node { id email name } } } }"
ERRORS = "userErrors { code message }"


def mutation(variable: str, call: str, selection: str) -> str:
    return f"mutation({variable}) {{ {call} {{ {selection} {ERRORS} }} }}"


OPERATIONS: dict[str, tuple[str, str]] = {
    # name -> (document, argument kind)
    "user": (USER, "id"),
    "_entities": (ENTITY, "representation"),
    "users(search)": (SEARCH, "search"),
    "deactivateUser": (mutation("$id: ID!", "deactivateUser(id: $id)", "user { id email }"), "id"),
    "reactivateUser": (mutation("$id: ID!", "reactivateUser(id: $id)", "user { id email }"), "id"),
    "changeUserRole": (
        mutation("$id: ID!", 'changeUserRole(id: $id, role: "viewer")', "user { id email }"),
        "id",
    ),
    "revokeApiKey": (mutation("$id: ID!", "revokeApiKey(id: $id)", "apiKey { id name }"), "id"),
    "revokeAllSessions": (mutation("$id: ID", "revokeAllSessions(userId: $id)", "ok"), "id"),
    "createApiKey(serviceAccount)": (
        mutation(
            "$id: ID",
            'createApiKey(name: "k", scopes: ["users:read"], serviceAccountId: $id)',
            "apiKey { id ownerId }",
        ),
        "id",
    ),
    "deleteRole": (mutation("$id: String!", "deleteRole(name: $id)", "ok"), "role"),
}
HEADERS = [None, "x-tenant-id", "x-tenant"]


@dataclass
class World:
    harness: Harness
    a: Tenant
    b: Tenant
    creds: dict[str, str]
    b_ids: list[str]
    b_role: str
    canaries: list[str]


async def build_world(harness: Harness) -> World:
    a, b = await harness.owned_tenant(), await harness.owned_tenant()
    canaries: list[str] = []
    b_ids = [b.owner_id]
    for index, role in enumerate(["member", "agent", "admin"]):
        email = f"canary-{b.slug}-{index}@victim.test"
        accepted = await harness.add_user(b, email, role)
        b_ids.append(accepted["user"]["id"])
        canaries.append(email)
    await harness.gql(
        'mutation { createRole(name: "b-secret-role", permissions: ["tickets:read"]) { role { name } } }',  # noqa: E501
        tenant=b.id, token=b.owner_token,
    )  # fmt: skip
    account = await harness.gql(
        'mutation { createServiceAccount(name: "CANARY-B-robot", role: "agent") { user { id } } }',
        tenant=b.id, token=b.owner_token,
    )  # fmt: skip
    b_ids.append(account["data"]["createServiceAccount"]["user"]["id"])
    key = await harness.gql(
        'mutation { createApiKey(name: "CANARY-B-key", scopes: ["users:read"]) { apiKey { id } } }',
        tenant=b.id, token=b.owner_token,
    )  # fmt: skip
    b_ids.append(key["data"]["createApiKey"]["apiKey"]["id"])
    canaries += ["CANARY-B-robot", "CANARY-B-key", f"owner@{b.slug}.test"]
    member = await harness.add_user(a, f"member@{a.slug}.test", "member")
    admin_key = await harness.gql(
        'mutation { createApiKey(name: "a", scopes: ["users:read", "users:manage", '
        '"api_keys:manage", "roles:manage"]) { secret } }',
        tenant=a.id, token=a.owner_token,
    )  # fmt: skip
    creds = {
        "owner token": a.owner_token,
        "member token": member["accessToken"],
        "admin API key": admin_key["data"]["createApiKey"]["secret"],
    }
    return World(harness, a, b, creds, b_ids, "b-secret-role", canaries)


async def victim_digest(harness: Harness, tenant: Tenant) -> str:
    digest = hashlib.sha256()
    tables = ["tenant_identity", *sorted(IdentityBase.metadata.tables)]
    async with harness.runtime.tenants.session(TenantId(uuid.UUID(tenant.id))) as session:
        for table in tables:
            rows = (await session.execute(text(f"SELECT * FROM {table}"))).all()
            for row in sorted(repr(tuple(r)) for r in rows):
                digest.update(row.encode())
    return digest.hexdigest()


def variables(kind: str, value: str) -> dict[str, Any]:
    if kind == "representation":
        return {"r": [{"__typename": "User", "id": value}]}
    if kind == "search":
        return {"s": value}
    return {"id": value}


def normalized(body: dict[str, Any], value: str) -> str:
    text_ = json.dumps(body, sort_keys=True).replace(value, "<ID>")
    return re.sub(r'"requestId": "[0-9a-f]+"', "", text_)


def test_foreign_ids_find_nothing_and_change_nothing(
    backend: str, pg_admin: str | None, tmp_path: Path
) -> None:
    loop = asyncio.new_event_loop()
    stack = AsyncExitStack()
    stats: Counter[str] = Counter()
    findings: list[str] = []
    try:
        env = loop.run_until_complete(
            stack.enter_async_context(tenancy_env(backend, tmp_path / "data", pg_admin))
        )
        harness = loop.run_until_complete(stack.enter_async_context(identity_harness(env)))
        world = loop.run_until_complete(build_world(harness))
        before = loop.run_until_complete(victim_digest(harness, world.b))

        async def attack(op: str, cred: str, header: str | None, foreign: str) -> None:
            document, kind = OPERATIONS[op]
            if kind == "role":
                foreign = world.b_role
            elif kind == "search":
                foreign = world.canaries[hash(foreign) % len(world.canaries)]
            headers = {header: world.b.id} if header else {}
            sent = {"tenant": None if header else world.a.id, "token": world.creds[cred]}
            body = await harness.gql(document, variables(kind, foreign), headers=headers, **sent)
            stats["attempts"] += 1
            raw = json.dumps(body)
            leaked = [c for c in world.canaries if c in raw]
            leaked += [i for i in world.b_ids if i in raw and i != foreign]
            if kind == "id" and '"id": "' + foreign + '"' in raw:
                leaked.append(foreign)
            codes = [e.get("extensions", {}).get("code") for e in body.get("errors") or []]
            if leaked:
                findings.append(f"LEAK {op} {cred} {header}: {leaked}")
            if "INTERNAL" in codes:
                findings.append(f"5xx-like INTERNAL {op} {cred} {header}")
            if header and codes != ["UNAUTHENTICATED"] * len(codes):
                findings.append(f"forged header accepted {op} {cred} {header}: {codes}")
            if kind == "id" and not header:
                control = str(uuid.uuid4())
                other = await harness.gql(document, variables(kind, control), **sent)
                if normalized(body, foreign) != normalized(other, control):
                    findings.append(f"existence oracle {op} {cred}: {body} vs {other}")
                    stats["oracle mismatches"] += 1

        @settings(
            max_examples=300,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow],
        )
        @given(
            op=st.sampled_from(sorted(OPERATIONS)),
            cred=st.sampled_from(sorted(world.creds)),
            header=st.sampled_from(HEADERS),
            foreign=st.sampled_from(world.b_ids) | st.uuids().map(str),
        )
        def run(op: str, cred: str, header: str | None, foreign: str) -> None:
            event(f"{op}/{header}")
            stats[f"op:{op}"] += 1
            loop.run_until_complete(attack(op, cred, header, foreign))
            assert not findings, findings

        run()
        after = loop.run_until_complete(victim_digest(harness, world.b))
        leaks = sum(1 for f in findings if f.startswith("LEAK"))
        print(  # figures for the report
            f"\nisolation[{backend}]: attempts={stats['attempts']} leaks={leaks} "
            f"oracle_mismatches={stats['oracle mismatches']} victim_changed={before != after} "
            f"operations={len([k for k in stats if k.startswith('op:')])}/{len(OPERATIONS)}"
        )
        assert before == after
        assert findings == []
        assert stats["attempts"] >= 300
    finally:
        loop.run_until_complete(stack.aclose())
        loop.close()
