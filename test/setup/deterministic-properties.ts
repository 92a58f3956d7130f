import fc from 'fast-check'

// Property tests inside `npm test` are reproducible: a CI run must not turn red by chance. The long
// fuzz run (`npm run fuzz`, BAKEDOCTOR_FUZZ_RUNS set) and BAKEDOCTOR_FUZZ_SEED draw other cases.
if (process.env.BAKEDOCTOR_FUZZ_RUNS === undefined) {
  fc.configureGlobal({seed: Number(process.env.BAKEDOCTOR_FUZZ_SEED ?? 20261123)})
}
