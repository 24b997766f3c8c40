"""A stable, readable text snapshot of the schema, to compare migrations with a reference.

``uv run python -m tests.support.schema_snapshot`` rewrites
tests/integration/shared/schema_reference.txt from a freshly migrated database; review the
diff like any other code.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import asyncpg

_QUERIES = {
    "columns": """
        SELECT table_name || '.' || column_name || ' ' || data_type
               || CASE WHEN is_nullable = 'NO' THEN ' not null' ELSE '' END
               || COALESCE(' default ' || column_default, '')
        FROM information_schema.columns WHERE table_schema = 'public'
        ORDER BY table_name, ordinal_position""",
    "constraints": """
        SELECT conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid)
        FROM pg_constraint WHERE connamespace = 'public'::regnamespace ORDER BY 1""",
    "indexes": """
        SELECT indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY indexname""",
    "triggers": """
        SELECT tgrelid::regclass || ' ' || tgname FROM pg_trigger
        WHERE NOT tgisinternal ORDER BY 1""",
}


async def snapshot(conn: asyncpg.Connection) -> str:
    out: list[str] = []
    for section, query in _QUERIES.items():
        out.append(f"## {section}")
        out.extend(r[0] for r in await conn.fetch(query))
    return "\n".join(out) + "\n"


async def _main() -> None:
    from tests.support.scratch_db import migrated_database

    async with migrated_database("gigalert_snap") as conn:
        text = await snapshot(conn)
    target = Path(__file__).parents[1] / "integration" / "shared" / "schema_reference.txt"
    target.write_text(text, encoding="utf-8")
    sys.stdout.write(f"wrote {target}\n")


if __name__ == "__main__":
    asyncio.run(_main())
