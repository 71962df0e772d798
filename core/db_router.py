"""Database router for the read replica (settings.REPLICA_DATABASE, set from DATABASE_REPLICA_URL).

Reads go to the replica only inside a view marked `@replica_reads`, for the dashboards' own tables, when
neither this request nor this browser wrote a moment ago, and outside any transaction. Every write, every
migration and everything else stays on the default database.
"""

from __future__ import annotations

from django.db import DEFAULT_DB_ALIAS, connections

from core.replica import REPLICATED_APPS, current_state, replica_alias


def in_transaction() -> bool:
    """A read inside atomic() must see the transaction's own writes and locks: it stays on the primary."""
    return connections[DEFAULT_DB_ALIAS].in_atomic_block


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        alias = replica_alias()
        state = current_state()
        if alias is None or state is None or not state.may_use_replica:
            return None
        if model._meta.app_label not in REPLICATED_APPS:
            return None
        if in_transaction():
            return None
        return alias

    def db_for_write(self, model, **hints):
        state = current_state()
        if state is not None and model._meta.app_label in REPLICATED_APPS:
            state.wrote = True
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        # The replica holds the same rows: objects read from either may be related.
        alias = replica_alias()
        if alias is None:
            return None
        aliases = {DEFAULT_DB_ALIAS, alias}
        if obj1._state.db in aliases and obj2._state.db in aliases:
            return True
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        if replica_alias() is not None and db == replica_alias():
            return False
        return None
