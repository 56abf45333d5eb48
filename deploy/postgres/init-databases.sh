#!/usr/bin/env bash
# Runs once, on the first start of an empty PostgreSQL data volume
# (mounted into /docker-entrypoint-initdb.d by compose.yaml).
# Creates one database per owning service, owned by $POSTGRES_USER.
# A new service that owns data adds its database name to PFD_DATABASES
# (compose.yaml, postgres service); existing volumes need a manual
# `CREATE DATABASE` (see deploy/README.md).
set -euo pipefail

PFD_DATABASES="${PFD_DATABASES:-pfd_gateway,pfd_data_gen,pfd_training}"

for db in ${PFD_DATABASES//,/ }; do
  if [[ ! "${db}" =~ ^[a-z_][a-z0-9_]*$ ]]; then
    echo "init-databases: refusing invalid database name '${db}'" >&2
    exit 1
  fi
  exists="$(psql -v ON_ERROR_STOP=1 --username "${POSTGRES_USER}" --dbname postgres -tAc \
    "SELECT 1 FROM pg_database WHERE datname = '${db}'")"
  if [[ "${exists}" == "1" ]]; then
    echo "init-databases: ${db} already exists"
  else
    echo "init-databases: creating ${db}"
    psql -v ON_ERROR_STOP=1 --username "${POSTGRES_USER}" --dbname postgres \
      -c "CREATE DATABASE \"${db}\" OWNER \"${POSTGRES_USER}\""
  fi
done
