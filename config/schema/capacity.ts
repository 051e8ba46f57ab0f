import { z } from 'zod';
import { int } from './primitives';

const fraction = () =>
  z
    .number({ error: 'expected a number' })
    .min(0, { error: 'expected a fraction between 0 and 1' })
    .max(1, { error: 'expected a fraction between 0 and 1' });

export const capacitySchema = z
  .strictObject({
    peakConcurrentRequests: int(1, 10_000_000).meta({
      description: 'Requests in flight at the busiest moment the environment must carry.',
    }),
    dbTimePerRequest: z
      .number({ error: 'expected a number' })
      .gt(0, { error: 'expected a fraction above 0 and at most 1' })
      .max(1, { error: 'expected a fraction above 0 and at most 1' })
      .meta({
        description: "Fraction of a request's time spent holding a database connection (0.10: a 200 ms request runs 20 ms of queries).",
      }),
    readShare: fraction().meta({
      description: 'Fraction of the DB time that reads tolerating replica lag take; it goes to the readers, the rest to the writer.',
    }),
    connectionPoolPerTask: int(1, 1_000).meta({ description: 'Size of the database connection pool of one service task.' }),
    maxTasks: int(1, 5_000).meta({
      description: 'Most service tasks that connect to the database at once (all services, at their scaling maximum).',
    }),
  })
  .meta({
    description:
      'The load the environment must carry (see docs/database.md, "Capacity model"). Synthesis derives the proxy pool from it and refuses a configuration that cannot carry it, with the arithmetic in the message.',
  });
