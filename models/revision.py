"""The newest migration; a test keeps it equal to Alembic's head."""

HEAD_REVISION = "0005"
