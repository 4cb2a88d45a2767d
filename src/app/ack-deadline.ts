import type { AckReply, InboundEvent, InboundHandler } from '../platforms/types';

/** What a platform is told when the answer is not ready in time; the real answer follows as messages. */
export const PROCESSING_REPLY: AckReply = { toast: { type: 'info', text: '处理中…结果稍后以消息发给你。' } };

export interface AckDeadlineOptions {
  /** When to answer without the result (the platform's deadline minus a margin). */
  deadlineMs: number;
  /** The result arrived after the ack went out: deliver what the ack would have shown (Pipeline.late). */
  late: (ev: InboundEvent, reply: AckReply) => void;
  onError: (e: unknown, ev: InboundEvent) => void;
}

/**
 * Enforces a platform's ack deadline (the idea of bolt's HTTPResponseAck): if handling a delivery runs past
 * `deadlineMs`, the platform gets PROCESSING_REPLY (a "处理中…" toast on a click, an empty answer to a message)
 * in time, and the handler's reply is passed to `late` when it is ready, so nothing the user should see is lost.
 */
export function withAckDeadline(handle: InboundHandler, opts: AckDeadlineOptions): InboundHandler {
  return (ev) => {
    const work = handle(ev);
    return new Promise<AckReply>((resolve, reject) => {
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        resolve(ev.kind === 'cardAction' ? PROCESSING_REPLY : {});
      }, opts.deadlineMs);
      work.then(
        (reply) => {
          clearTimeout(timer);
          if (!timedOut) return resolve(reply);
          try {
            opts.late(ev, reply);
          } catch (e) {
            opts.onError(e, ev);
          }
        },
        (e: unknown) => {
          clearTimeout(timer);
          if (!timedOut) return reject(e);
          opts.onError(e, ev);
        },
      );
    });
  };
}
