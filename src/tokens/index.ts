export { randomId } from "./jti";
export { MIN_SECRET_BYTES, parseTokenSecrets, type TokenKeyring } from "./keyring";
export {
  MAX_TOKEN_LENGTH,
  RESUME_TOKEN_AUDIENCE,
  RESUME_TOKEN_ISSUER,
  type ResumeClaims,
  type SignResumeClaims,
  signResumeToken,
  verifyResumeToken,
} from "./resume-token";
