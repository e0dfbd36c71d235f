"""Clean line breaks and control characters out of stored text.

Revision ID: 9c4e1f7a2b3d
Revises: 5e0b7d2c41a9
Create Date: 2026-12-02 13:30:00.000000

Before the forms cleaned them, a line break could be stored in a session title, a
name or a place, and made that session's calendar feed and every mail about it fail.
One-line text gets what the forms now do (each run of line breaks and control
characters becomes one space, ends trimmed); text with paragraphs keeps its line
breaks as "\\n" and loses the other control characters. The rules are copied here,
not imported, so this revision does the same whatever the app's code becomes.
"""

import re

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "9c4e1f7a2b3d"
down_revision = "5e0b7d2c41a9"
branch_labels = None
depends_on = None

_CONTROLS = "\x00-\x1f\x7f-\x9f\u2028\u2029"
_LINE_BREAKS_AND_CONTROLS = re.compile(f"[ \t]*[{_CONTROLS}][{_CONTROLS} \t]*")
_NEWLINES = re.compile("\r\n?|[\x85\u2028\u2029]")
_OTHER_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")

# (table, column) of one-line text; (table, column) of text with paragraphs.
ONE_LINE = [
    ("users", "display_name"),
    ("users", "department"),
    ("editions", "name"),
    ("rooms", "name"),
    ("rooms", "location"),
    ("topics", "name"),
    ("learning_sessions", "title"),
    ("learning_sessions", "language"),
    ("learning_objectives", "text"),
    ("session_resources", "title"),
    ("session_resources", "url"),
    ("notifications", "subject"),
]
PARAGRAPHS = [
    ("editions", "description"),
    ("learning_sessions", "abstract"),
    ("learning_sessions", "prerequisites"),
    ("proposal_events", "comment"),
    ("feedback", "worked"),
    ("feedback", "improve"),
    ("reflections", "try_at_work"),
    ("reflections", "practise"),
    ("reflections", "ask_teacher"),
    ("notifications", "body"),
]
# Names that must stay unique: a cleaned one that another row already has gets its id.
# Unique columns, with their length as it is at this revision.
UNIQUE = {("rooms", "name"): 120, ("topics", "name"): 80}
BATCH = 1000


def one_line(text: str) -> str:
    return _LINE_BREAKS_AND_CONTROLS.sub(" ", text).strip()


def paragraphs(text: str) -> str:
    return _OTHER_CONTROLS.sub("", _NEWLINES.sub("\n", text))


def _clean(connection: sa.Connection, table_name: str, column_name: str, rule) -> None:
    table = sa.table(table_name, sa.column("id"), sa.column(column_name))
    column = table.c[column_name]
    changed: list[dict] = []
    last_id = 0
    while True:  # in batches by id, so no table is read into memory at once
        rows = connection.execute(
            sa.select(table.c.id, column)
            .where(table.c.id > last_id, column.is_not(None))
            .order_by(table.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            break
        last_id = rows[-1][0]
        for row_id, value in rows:
            cleaned = rule(value)
            if cleaned != value:
                changed.append({"row_id": row_id, "value": cleaned})
    if (table_name, column_name) in UNIQUE:
        taken = set(connection.scalars(sa.select(column)))
        length = UNIQUE[(table_name, column_name)]
        for change in changed:
            if change["value"] in taken or not change["value"]:
                suffix = f" ({change['row_id']})"
                # Cut the name so the suffix still fits the column (PostgreSQL refuses more).
                change["value"] = (change["value"][: length - len(suffix)] + suffix).strip()
            taken.add(change["value"])
    update = (
        sa.update(table)
        .where(table.c.id == sa.bindparam("row_id"))
        .values({column_name: sa.bindparam("value")})
    )
    for start in range(0, len(changed), BATCH):
        connection.execute(update, changed[start : start + BATCH])


def upgrade() -> None:
    connection = op.get_bind()
    for table_name, column_name in ONE_LINE:
        _clean(connection, table_name, column_name, one_line)
    for table_name, column_name in PARAGRAPHS:
        _clean(connection, table_name, column_name, paragraphs)


def downgrade() -> None:
    # Nothing to restore: the schema is unchanged, and the control characters removed
    # were never meant (no page could show them, no feed or mail could carry them).
    pass
