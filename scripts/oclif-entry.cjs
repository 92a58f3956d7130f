// What bakedoctor takes from oclif, bundled into dist/oclif.cjs by scripts/bundle-oclif.mjs (see there).
module.exports = {
  execute: require('@oclif/core/execute').execute,
  Args: require('@oclif/core/args'),
  Flags: require('@oclif/core/flags'),
  Command: require('@oclif/core/command').Command,
  ux: require('@oclif/core/ux').ux,
}
