// ink reads `is-in-ci` once at import: under CI=true it writes only the final frame, so in-process
// renders of the interactive view never show a frame to wait for. The tests that are about CI
// behaviour pass CI explicitly (to shouldUseTui, or to the child process), so the test workers
// themselves run as if on a developer's terminal.
// tests that are mandatory in CI (the Chromium report test) still need to know: keep it apart
if (process.env.CI && !process.env.BAKEDOCTOR_CI) process.env.BAKEDOCTOR_CI = process.env.CI
delete process.env.CI
delete process.env.CONTINUOUS_INTEGRATION
