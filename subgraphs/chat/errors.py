"""Errors of the chat subgraph.

DomainError (kit)
└── ChatError                     code from ChatErrorCode
    ├── ConversationNotFoundError unknown id, or not visible to the caller
    ├── InboxNotFoundError
    ├── TeamNotFoundError
    ├── CannedReplyNotFoundError
    ├── NotAnAgentError           the operation needs an agent (chat:write)
    ├── InvalidChatInputError     a malformed or out-of-range argument
    ├── InvalidTransitionError    e.g. snoozing without a time, merging into itself
    ├── DuplicateShortCodeError
    └── ContactTokenError         an anonymous contact's token is unknown
"""

from __future__ import annotations

from enum import StrEnum

from subgraphs.kit.errors import DomainError


class ChatErrorCode(StrEnum):
    CONVERSATION_NOT_FOUND = "CONVERSATION_NOT_FOUND"
    INBOX_NOT_FOUND = "INBOX_NOT_FOUND"
    TEAM_NOT_FOUND = "TEAM_NOT_FOUND"
    CANNED_REPLY_NOT_FOUND = "CANNED_REPLY_NOT_FOUND"
    NOT_AN_AGENT = "NOT_AN_AGENT"
    INVALID_INPUT = "INVALID_INPUT"
    INVALID_TRANSITION = "INVALID_TRANSITION"
    DUPLICATE_SHORT_CODE = "DUPLICATE_SHORT_CODE"
    INVALID_CONTACT_TOKEN = "INVALID_CONTACT_TOKEN"


class ChatError(DomainError):
    code = ChatErrorCode.INVALID_INPUT


class ConversationNotFoundError(ChatError):
    code = ChatErrorCode.CONVERSATION_NOT_FOUND
    message = "Conversation not found."


class InboxNotFoundError(ChatError):
    code = ChatErrorCode.INBOX_NOT_FOUND
    message = "Inbox not found."


class TeamNotFoundError(ChatError):
    code = ChatErrorCode.TEAM_NOT_FOUND
    message = "Team not found."


class CannedReplyNotFoundError(ChatError):
    code = ChatErrorCode.CANNED_REPLY_NOT_FOUND
    message = "Canned reply not found."


class NotAnAgentError(ChatError):
    code = ChatErrorCode.NOT_AN_AGENT
    message = "Only agents can {action}."


class InvalidChatInputError(ChatError):
    code = ChatErrorCode.INVALID_INPUT
    message = "Invalid input: {reason}"


class InvalidTransitionError(ChatError):
    code = ChatErrorCode.INVALID_TRANSITION
    message = "Not allowed: {reason}"


class DuplicateShortCodeError(ChatError):
    code = ChatErrorCode.DUPLICATE_SHORT_CODE
    message = "A canned reply with short code {short_code} exists."


class ContactTokenError(ChatError):
    code = ChatErrorCode.INVALID_CONTACT_TOKEN
    message = "Unknown contact token."
