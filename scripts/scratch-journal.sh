# Sourced by scripts that run nodes against a PostgreSQL journal of their own (the cluster demo, the
# cluster benchmark): a scratch database with the journal plugin's tables, made before any node
# starts so that the nodes do not race to make them, and dropped when done. The caller sets JAR,
# PG_SERVER (host:port) and PG_USER.
scratch_psql() { psql -h "${PG_SERVER%:*}" -p "${PG_SERVER##*:}" -U "$PG_USER" -v ON_ERROR_STOP=1 -q -X "$@"; }

# scratch_journal_create NAME: the database, and the tables of akka-persistence-jdbc's own script,
# one statement at a time (its CREATE INDEX CONCURRENTLY may not run in a transaction).
scratch_journal_create() {
  scratch_psql -d postgres -c "CREATE DATABASE $1" >/dev/null || return 1
  unzip -p "$JAR" schema/postgres/postgres-create-schema.sql | scratch_psql -d "$1" >/dev/null
}

scratch_journal_drop() { scratch_psql -d postgres -c "DROP DATABASE IF EXISTS $1 WITH (FORCE)" >/dev/null 2>&1 || true; }
