-- One database per service that owns data (ARCHITECTURE.md, "Backends"); each service's
-- <SERVICE>_DB_URL points at its own. Run by the postgres image on first start only
-- (when the data volume is empty); the tables come from each service's migrations.
CREATE DATABASE documents;
CREATE DATABASE workflow;
CREATE DATABASE search;
CREATE DATABASE notify;
CREATE DATABASE storage;
CREATE DATABASE signing;
CREATE DATABASE exchange;
