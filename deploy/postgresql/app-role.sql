-- The database role the application runs as: it reads and writes rows, and nothing more.
--
-- It owns no table, so it cannot ALTER TABLE … DISABLE TRIGGER (the audit trail's append-only triggers stay on);
-- it is given no TRUNCATE; it is not a superuser, so it cannot SET session_replication_role = replica (which
-- switches every trigger off); and the audit trail's tables are insert-only for it. Migrations run as the
-- owner (the role that created the tables), never as this one. Run this file as that owner, in the database,
-- after `manage.py migrate` (README, Production):
--
--   psql "$OWNER_DATABASE_URL" -v app_role=portfolio_app -v app_password="$APP_PASSWORD" -f deploy/postgresql/app-role.sql
--
-- Creating a role needs CREATEROLE: if the owner lacks it, a database administrator runs the CREATE ROLE line.
-- tests/audit/test_database_role.py runs this file and shows the role refused.

CREATE ROLE :"app_role" LOGIN PASSWORD :'app_password' NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;

GRANT USAGE ON SCHEMA public TO :"app_role";
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO :"app_role";
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO :"app_role";

-- Tables made by later migrations (run by the owner) get the same grants.
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO :"app_role";
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO :"app_role";

-- The audit trail, its checkpoints, signatures, their voids and IV decisions are only ever appended to (their
-- triggers refuse the rest as well).
REVOKE UPDATE, DELETE ON audit_auditentry, audit_auditcheckpoint, assessments_signoff, assessments_signoffvoid,
    quality_sampledecision, quality_sampledecision_judgements FROM :"app_role";
