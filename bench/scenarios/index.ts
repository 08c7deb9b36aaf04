/** Every scenario, in the order a full run executes them. Names are the CLI arguments. */
import { baseline } from './baseline.ts'
import { fanout } from './fanout.ts'
import { rooms } from './rooms.ts'
import { idle } from './idle.ts'
import { coldload } from './coldload.ts'
import { awareness } from './awareness.ts'
import { locks } from './locks.ts'
import { client } from './client.ts'
import { bigupdate } from './bigupdate.ts'
import { history } from './history.ts'
import type { Scenario } from './types.ts'

// Method-style members make Scenario<P> assignable to Scenario<unknown> without casts.
export const SCENARIOS: ReadonlyArray<Scenario<unknown>> = [
  baseline,
  fanout,
  rooms,
  idle,
  coldload,
  awareness,
  locks,
  bigupdate,
  history,
  client,
]
