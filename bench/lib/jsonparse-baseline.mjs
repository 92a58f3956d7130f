// The ingest baseline: read the stream (fs stream defaults, UTF-8) and JSON.parse every line,
// nothing else.
import {createReadStream} from 'node:fs'
let rest = ''
let n = 0
for await (const chunk of createReadStream(process.argv[2], {encoding: 'utf8'})) {
  const lines = (rest + chunk).split('\n')
  rest = lines.pop()
  for (const l of lines) if (l) JSON.parse(l), n++
}
if (rest) JSON.parse(rest), n++
if (process.argv[3] === '-v') console.log(n)
