import type { Deps } from '../../modules/context.js';
import { claimNonce, lookupAccessKey, noteKeyUse } from '../../modules/identity/authentication.js';
import { GatewayError } from './gateway-error.js';
import { checkTimestamp, readSignatureClaim, serverStringToSign, verifySignature, type RawRequest } from './signature.js';

/**
 * Verifies a signed request (V1 HMAC-SHA1 or V3 ACS3-HMAC-SHA256, wire-protocol.md §2) and returns
 * the AccessKey owner. Order matters: the nonce is consumed only after the signature is proven, so
 * an unsigned request cannot burn someone else's nonces.
 */
export async function authenticate(deps: Deps, req: RawRequest): Promise<{ userId: number; accessKeyId: string }> {
  const claim = readSignatureClaim(req);
  const windowSeconds = deps.config.signatureWindowSeconds;
  checkTimestamp(claim.timestamp, deps.now(), windowSeconds);
  const key = await lookupAccessKey(deps, claim.accessKeyId);
  if (key.kind === 'unknown') throw new GatewayError(404, 'InvalidAccessKeyId.NotFound', 'Specified access key is not found.');
  if (key.kind === 'inactive') throw new GatewayError(400, 'InvalidAccessKeyId.Inactive', 'Specified access key is disabled.');
  if (!verifySignature(req, claim, key.secret)) {
    const sts = serverStringToSign(req, claim).replace(/\n/g, ' ');
    const message =
      claim.scheme === 'V3'
        ? `Specified signature does not match our calculation. server StringToSign is [${sts}]`
        : `Specified signature is not matched with our calculation. server StringToSign is [${sts}]`;
    throw new GatewayError(400, 'SignatureDoesNotMatch', message);
  }
  if (!(await claimNonce(deps, claim.accessKeyId, claim.nonce, windowSeconds))) {
    throw new GatewayError(400, 'SignatureNonceUsed', 'Specified signature nonce was used already.');
  }
  await noteKeyUse(deps, claim.accessKeyId);
  return { userId: key.userId, accessKeyId: claim.accessKeyId };
}
