import { z } from 'zod';

const subscriptionSchema = z.discriminatedUnion('protocol', [
  z.strictObject({
    protocol: z.literal('email'),
    endpoint: z.email({ error: 'expected an email address' }).meta({ description: 'Address that receives alarm and OK notifications.' }),
  }),
  z.strictObject({
    protocol: z.literal('https'),
    endpoint: z
      .url({ protocol: /^https$/, error: 'expected an https:// URL' })
      .meta({ description: 'HTTPS endpoint (a chat or paging webhook) that receives notifications.' }),
  }),
]);

export const monitoringSchema = z
  .strictObject({
    alarmSubscriptions: z
      .array(subscriptionSchema)
      .meta({ description: 'Who the alarm topic notifies: `{ protocol: "email" | "https", endpoint }` each.' }),
  })
  .meta({ description: 'Alarms, the alarm topic and the dashboard.' });
