import {setFlagsFromString} from 'node:v8'

/**
 * Our WebAssembly — undici's HTTP parser (llhttp) and the HCL parser (@cdktf/hcl2json, Go) — runs
 * briefly, once per process. V8 compiles it with its baseline compiler, then re-optimises hot
 * functions on background threads, and Node waits for those jobs before the process may exit:
 * - `cache inspect`: ~50 ms of CPU and 50–150 ms of wall time at exit (1 and 100 refs);
 * - `plan` of a 1,000-target bake file: the Go module's re-optimisation competes with the parse for
 *   the CPU: median CPU 2,740 -> 2,000 ms, and the first parse no longer misses the 4 s HCL deadline
 *   on a loaded machine.
 * Baseline code is fast enough for both. The flags are process-wide (workers too) and affect only
 * WebAssembly compiled afterwards; a Node that refuses them changes nothing but the speed.
 */
export function keepWasmOnBaselineTier(): void {
  if (applied) return
  applied = true
  try {
    setFlagsFromString('--no-wasm-tier-up')
    setFlagsFromString('--no-wasm-dynamic-tiering')
  } catch {
    // V8 flags frozen: slower, nothing else
  }
}

let applied = false
