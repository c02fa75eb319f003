-- Fails the statement it is evaluated in, with `reason` as the error message (SQLSTATE 23514, check_violation).
-- For conditions that must stop a pipelined COMMIT: a statement sent before COMMIT that fails turns it into a
-- rollback. Typed bigint so it can stand in for a missing id, e.g. COALESCE(e.id, paystream_fail_statement('...')).
-- (Not a CHECK constraint: Prisma's schema engine cannot introspect those.)
CREATE FUNCTION paystream_fail_statement(reason text) RETURNS bigint LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION USING MESSAGE = reason, ERRCODE = 'check_violation';
END $$;
