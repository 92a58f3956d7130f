// ink reads `is-in-ci` once at import: under CI=true it writes only the final frame, so in-process
// renders of the interactive view never show a frame to wait for. The tests that are about CI
// behaviour pass CI explicitly (to shouldUseTui, or to the child process), so the test workers
// themselves run as if on a developer's terminal.
delete process.env.CI
delete process.env.CONTINUOUS_INTEGRATION
