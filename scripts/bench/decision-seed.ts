/**
 * Seeds projects waiting for the commercial review (signed and paid: the regular route) through the domain's
 * `register` and the app's repos, each with the reviewer's Feishu card recorded as if the outbox had sent it.
 */
import type { AppDeps } from '../../src/app/deps';
import { register } from '../../src/domain/transition';
import { cardIdOf, REVIEWER, regNoOf, SUBMITTER } from './decision-shared';

export function seedAwaitingReview(deps: AppDeps, n: number): void {
  const { version, def } = deps.processes.current();
  const org = deps.org.view();
  const at = deps.clock.now();
  const one = (i: number) => {
    const regNo = regNoOf(i);
    const res = register(
      {
        type: 'register',
        by: SUBMITTER,
        at,
        regNo,
        processVersion: version,
        facts: {
          name: `压测项目 ${i + 1}`,
          customer: '华东电网',
          kind: 'project',
          region: i % 2 ? 'north' : 'south',
          contractNo: `HT-2026-${i + 1}`,
          signed: true,
          paid: true,
          reqLink: `https://docs.example/req/${i + 1}`,
          solutionLink: null,
          formLink: `https://docs.example/form/${i + 1}`,
          operated: false,
          cloud: false,
        },
      },
      def,
      org,
    );
    if (!res.ok) throw new Error(`bench seed: ${res.error.code}`);
    const p = res.value.next;
    deps.projects.insert(p);
    deps.audit.append({ ...res.value.record, regNo, actorName: SUBMITTER, platform: 'feishu' });
    deps.cardMessages.record(
      {
        regNo,
        platform: 'feishu',
        messageId: cardIdOf(i),
        viewerId: REVIEWER,
        kind: 'project',
        banner: null,
        renderedVersion: p.version,
      },
      at,
    );
  };
  for (let from = 0; from < n; from += 1000) {
    deps.tx(() => {
      for (let i = from; i < Math.min(n, from + 1000); i++) one(i);
    });
  }
}
