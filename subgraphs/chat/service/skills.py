"""Skills routing: a conversation goes only to an agent holding every skill it requires.

Skills are short lower-case names (`billing`, `de`, `enterprise`): an agent's are set by an
administrator (`setAgentSkills`), a conversation's are its inbox's `requiredSkills` plus those
chosen when it starts (a pre-chat form) or set by an agent later. Stored as JSON lists.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import orjson

from subgraphs.chat.errors import InvalidChatInputError

MAX_SKILLS = 20
_NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,39}$")


def normalize(names: Iterable[str], field: str) -> tuple[str, ...]:
    """Lower-cased, de-duplicated, sorted; INVALID_INPUT for a malformed name or too many."""
    found = sorted({name.strip().lower() for name in names})
    for name in found:
        if not _NAME.match(name):
            raise InvalidChatInputError(
                reason=f"a skill is 1-40 of a-z, 0-9, '_', '.', '-' (got {name[:40]!r})",
                field=field,
            )
    if len(found) > MAX_SKILLS:
        raise InvalidChatInputError(reason=f"at most {MAX_SKILLS} skills", field=field)
    return tuple(found)


def load(stored: str | None) -> tuple[str, ...]:
    return tuple(orjson.loads(stored or "[]"))


def dump(names: Iterable[str]) -> str:
    return orjson.dumps(sorted(set(names))).decode()


def qualifies(agent_skills: Iterable[str], required: Iterable[str]) -> bool:
    return set(required) <= set(agent_skills)
