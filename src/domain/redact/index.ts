/** The one redaction policy: what is a secret (`patterns.ts`) and how it is replaced (`policy.ts`). */
export {Redactor, MARKER, hashSecret, isSecretArg, isSecretName, looksLikeToken, isHighEntropy, type RedactorOptions} from './policy.js'
