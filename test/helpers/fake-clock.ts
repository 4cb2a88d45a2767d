import type { Clock } from '../../src/app/ports';

export class FakeClock implements Clock {
  constructor(private t = new Date('2026-03-02T02:00:00Z')) {}
  now(): Date {
    return new Date(this.t);
  }
  advance(ms: number): void {
    this.t = new Date(this.t.getTime() + ms);
  }
  set(d: Date): void {
    this.t = new Date(d);
  }
}
