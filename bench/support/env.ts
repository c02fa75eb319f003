// Imported first by benchmarks: PostgreSQL unless told otherwise (modules that read DATABASE_URL at
// load time, like test/support/database.ts, are evaluated after this one).
process.env['DATABASE_URL'] ||= 'postgresql://postgres@127.0.0.1:5432/test';
