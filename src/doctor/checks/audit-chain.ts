import { verifyAudit } from '../../audit/verify-audit.ts';
import { auditSealKey } from '../../core/hash-chain.ts';
import { count, fail, pass, warn } from '../result.ts';
import type { CheckResult, DoctorCheck } from '../types.ts';

const SHOWN = 10;

/** The hash chain end to end, and the head's seal when the server secret is at hand (what `gatehouse audit verify` does). */
export const auditChainCheck: DoctorCheck = {
  id: 'audit-chain',
  title: 'Audit log: hash chain intact',
  async run(ctx) {
    const store = await ctx.store();
    if (!store.ok) return [warn(`audit chain not verified: ${store.reason}`)];
    const secret = ctx.serverSecret();
    const v = await verifyAudit(store.value, secret.ok ? { sealKey: auditSealKey(secret.secret.reveal()) } : {});
    const out: CheckResult[] = [];
    if (!v.ok) {
      const [first] = v.problems;
      const lines = v.problems.slice(0, SHOWN).map((p) => `#${p.seq} ${p.kind}: ${p.detail}`);
      if (v.problems.length > SHOWN) lines.push(`… and ${v.problems.length - SHOWN} more (gatehouse audit verify lists them all)`);
      lines.push('Someone changed the audit log outside Gatehouse. Keep this database for investigation and compare it with your backups.');
      const more = v.problems.length > 1 ? ` and ${count(v.problems.length - 1, 'more problem')}` : '';
      out.push(fail(`audit chain broken: record #${first!.seq} ${first!.kind}${more} (${count(v.count, 'record')} read)`, lines.join('\n')));
    } else if (v.count === 0) {
      out.push(warn('audit log is empty', 'Every start and every admin change writes a record: has Gatehouse run with this store?'));
    } else {
      out.push(pass(`audit chain intact (${count(v.count, 'record')}${secret.ok ? ', head seal verified' : ''})`));
    }
    if (!secret.ok) out.push(warn(`audit head seal not verified: ${secret.reason}`, 'Without the server secret only the chain is checked; a log rewritten end to end would not be noticed.'));
    return out;
  },
};
