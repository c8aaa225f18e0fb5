"""Login throttling: failures counted per account (tenant + email) and per client IP.

Fixed windows: 5 failures per account per 15 minutes, 100 per IP per hour. Counters live in
Redis when REDIS_URL is set (keys `identity:t:{tenant}:login:acct:{sha256(email)}`,
`identity:login:ip:{ip}`), in process memory otherwise (the kit's `subgraphs.kit.auth.throttle`);
when Redis fails the in-memory counters take over, so throttling fails closed rather than open.
"""

from __future__ import annotations

import hashlib
from typing import Any

from subgraphs.kit.auth.throttle import Counter, MemoryThrottle, Rule
from subgraphs.kit.auth.throttle import RedisThrottle as _KitRedisThrottle

__all__ = ["ACCOUNT_RULE", "IP_RULE", "Counter", "MemoryThrottle", "RedisThrottle", "Rule"]

ACCOUNT_RULE = Rule(limit=5, window=900)
IP_RULE = Rule(limit=100, window=3600)


def login_counters(tenant_id: str, email: str, ip: str | None) -> list[Counter]:
    digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]
    counters = [Counter(f"t:{tenant_id}:login:acct:{digest}", ACCOUNT_RULE)]
    if ip:
        counters.append(Counter(f"login:ip:{ip}", IP_RULE))
    return counters


def operator_login_counters(email: str, ip: str | None) -> list[Counter]:
    digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]
    counters = [Counter(f"operator:login:acct:{digest}", ACCOUNT_RULE)]
    if ip:
        counters.append(Counter(f"login:ip:{ip}", IP_RULE))
    return counters


class RedisThrottle(_KitRedisThrottle):
    def __init__(self, redis: Any, prefix: str = "identity:") -> None:
        super().__init__(redis, prefix)
