import { hkdfSync } from 'node:crypto';
import { CompactEncrypt, compactDecrypt } from 'jose';
import type { Secret } from '../core/secret.ts';
import { GatehouseError } from '../core/errors.ts';

const INFO = 'gatehouse signing-key encryption v1';

/**
 * Encrypts signing keys at rest: a compact JWE (`dir`, AES-256-GCM) under a key derived from the
 * master key. The key id travels in the authenticated protected header, so a ciphertext moved to
 * another row fails to decrypt rather than silently becoming that key.
 */
export class KeyEncryption {
  readonly #key: Uint8Array;

  constructor(masterKey: Secret) {
    this.#key = new Uint8Array(hkdfSync('sha256', masterKey.reveal(), new Uint8Array(0), INFO, 32));
  }

  async encrypt(kid: string, plaintext: string): Promise<string> {
    return new CompactEncrypt(new TextEncoder().encode(plaintext)).setProtectedHeader({ alg: 'dir', enc: 'A256GCM', kid }).encrypt(this.#key);
  }

  /** Throws `signing_key_undecryptable` (500) on a wrong master key, a tampered value or a kid mismatch. */
  async decrypt(kid: string, jwe: string): Promise<string> {
    try {
      const { plaintext, protectedHeader } = await compactDecrypt(jwe, this.#key, { keyManagementAlgorithms: ['dir'], contentEncryptionAlgorithms: ['A256GCM'] });
      if (protectedHeader.kid !== kid) throw new Error('kid mismatch');
      return new TextDecoder().decode(plaintext);
    } catch (err) {
      throw new GatehouseError('signing_key_undecryptable', 500, `signing key ${kid} cannot be decrypted: is GATEHOUSE_MASTER_KEY / secrets.masterKeyFile the one it was created with?`, { cause: err, expose: false });
    }
  }
}
