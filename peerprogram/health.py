"""`/health/` for load balancers and monitoring (django-health-check's checks): 200 and a
small JSON body when the database answers, the shared cache answers (when one is
configured: CACHE_URL) and every migration is applied; 503 and which part failed otherwise.
No login, no session, no page around it, never cached."""

from __future__ import annotations

import asyncio
import dataclasses
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, JsonResponse
from health_check.base import HealthCheck
from health_check.checks import Cache, Database
from health_check.exceptions import ServiceUnavailable
from health_check.views import HealthCheckView


@dataclasses.dataclass
class Migrations(HealthCheck):
    """Every migration on disk is applied (a server started on new code before `migrate`
    ran answers 503 until it has). Once applied, the process remembers it: migrations are
    not taken back under a running server."""

    alias: str = DEFAULT_DB_ALIAS
    applied = False  # per process

    def run(self) -> None:
        if Migrations.applied:
            return
        # Run in a worker thread: its own connection, closed again here.
        connection = connections[self.alias]
        try:
            executor = MigrationExecutor(connection)
            pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
        except DatabaseError as error:  # the database check says why; one line, no trace
            raise ServiceUnavailable("Migrations could not be read") from error
        finally:
            connection.close()
        if pending:
            raise ServiceUnavailable("Migrations are not applied")
        Migrations.applied = True


def _shared_cache() -> bool:
    """A cache the servers share (CACHE_URL: Redis); a per-process memory cache is nothing
    a load balancer could act on."""
    return "locmem" not in settings.CACHES["default"]["BACKEND"].lower()


class HealthView(HealthCheckView):
    """JSON only, and 503 (not the package's 500) when a part fails: load balancers take
    503 as "send the traffic elsewhere"."""

    def get_checks(self) -> Any:
        checks: list[HealthCheck] = [Database(), Migrations()]
        if _shared_cache():
            checks.append(Cache())
        return checks

    async def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
        with self.get_executor() as executor:
            results = await asyncio.gather(
                *(check.get_result(executor) for check in self.get_checks())
            )
        failed = any(r.error for r in results)
        body = {
            "status": "error" if failed else "ok",
            "checks": {type(r.check).__name__: str(r.error) if r.error else "ok" for r in results},
        }
        response = JsonResponse(body, status=503 if failed else 200)
        # The checks logged what failed; Django need not log the 503 again on every probe.
        response._has_been_logged = True  # type: ignore[attr-defined]
        return response
