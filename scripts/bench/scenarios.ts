/** Every benchmark scenario, in the order they run. Add a file under scripts/bench/ and list it here. */
import { consoleScenarios } from './console';
import { outboxScenarios } from './outbox';
import { registerScenarios } from './register';
import type { Scenario } from './runner';

export const SCENARIOS: Scenario[] = [...outboxScenarios, ...registerScenarios, ...consoleScenarios];
