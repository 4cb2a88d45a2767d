/** Every benchmark scenario, in the order they run. Add a file under scripts/bench/ and list it here. */
import { consoleScenarios } from './console';
import { decisionScenarios } from './decisions';
import { outboxScenarios } from './outbox';
import { registerScenarios } from './register';
import type { Scenario } from './runner';
import { startupScenarios } from './startup';
import { sweepScenarios } from './sweep';

export const SCENARIOS: Scenario[] = [
  ...registerScenarios,
  ...outboxScenarios,
  ...decisionScenarios,
  ...sweepScenarios,
  ...startupScenarios,
  ...consoleScenarios,
];
