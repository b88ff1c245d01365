"""Alembic environment for MyoCase: runs on the connection the app hands in.

The app calls Alembic in-process (app/store/database.py) and passes its own
connection in ``config.attributes["connection"]``; there is no alembic.ini and no
logging configuration, so the app's loggers stay as they are (pitfall 3.9).
"""

from alembic import context
from myocase.store.tables import Base

config = context.config
target_metadata = Base.metadata

connection = config.attributes.get("connection")
if connection is None:
    raise RuntimeError(
        "Run migrations through MyoCase (myocase.store.database.upgrade), not the alembic command."
    )

context.configure(
    connection=connection,
    target_metadata=target_metadata,
    render_as_batch=True,
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
