"""The audit log: append-only, hash-chained, written in the same transaction as each change."""

from .services import record  # noqa: F401
