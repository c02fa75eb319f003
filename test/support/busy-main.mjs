// Loaded with NODE_OPTIONS=--import by test/e2e/start.test.ts. In the process that runs src/main.ts (only there:
// npm, sh or tsx's CLI are left alone), SIGUSR2 blocks the event loop for a second, as a busy server's would be,
// and says so on stderr when it starts.
if (process.argv[1]?.endsWith('src/main.ts')) {
  process.on('SIGUSR2', () => {
    process.stderr.write('busy-main: the event loop is blocked for 1 s\n');
    const until = Date.now() + 1_000;
    while (Date.now() < until) {
      // busy
    }
  });
}
