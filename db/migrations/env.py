"""Alembic environment for MyoCase: runs on the connection the app hands in.

The app calls Alembic in-process (app/store/database.py) and passes its own
connection in ``config.attributes["connection"]``, already inside the one transaction
that every pending step runs in (Alembic then neither begins nor commits: a failure
anywhere rolls back all of it); there is no alembic.ini and no logging configuration,
so the app's loggers stay as they are (pitfall 3.9).
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
    transaction_per_migration=False,  # all the steps of one upgrade are one transaction
    transactional_ddl=True,  # on SQLite too: MyoCase issues BEGIN itself, so DDL is rolled back with the rest
)
with context.begin_transaction():
    context.run_migrations()
