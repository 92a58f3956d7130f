/** The one redaction policy: what is a secret (`patterns.ts`) and how it is replaced (`policy.ts`),
 * how a text is cut without leaving part of a secret (`cut.ts`). */
export {Redactor, MARKER, hashSecret, isSecretArg, isSecretName, looksLikeToken, isHighEntropy, type RedactorOptions} from './policy.js'
export {afterCut, beforeCut} from './cut.js'
