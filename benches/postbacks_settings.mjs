// The deployment's queue consumer settings, read from wrangler.toml, as Miniflare takes them:
// the postback benches run with exactly what `wrangler deploy` configures, never settings tuned
// for the bench.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');

/** wrangler.toml's `compatibility_date`. */
export function compatibilityDate() {
  return readFileSync(join(ROOT, 'wrangler.toml'), 'utf8').match(/compatibility_date = "([^"]+)"/)[1];
}

/**
 * Miniflare's `queueConsumers` for every `[[queues.consumers]]` of wrangler.toml, by queue name:
 * `max_batch_size`, `max_batch_timeout`, `max_retries`, `max_concurrency` and
 * `dead_letter_queue`, where set. `only` limits them to those queues.
 */
export function queueConsumers(only) {
  const toml = readFileSync(join(ROOT, 'wrangler.toml'), 'utf8');
  const consumers = {};
  for (const block of toml.split('[[queues.consumers]]').slice(1)) {
    const table = block.split(/^\[/m)[0];
    const text = (name) => table.match(new RegExp(`^${name} = "([^"]+)"`, 'm'))?.[1];
    const number = (name) => {
      const found = table.match(new RegExp(`^${name} = (\\d+)`, 'm'));
      return found ? Number(found[1]) : undefined;
    };
    const queue = text('queue');
    if (only && !only.includes(queue)) continue;
    const settings = {
      maxBatchSize: number('max_batch_size'),
      maxBatchTimeout: number('max_batch_timeout'),
      maxRetries: number('max_retries'),
      maxConcurrency: number('max_concurrency'),
      deadLetterQueue: text('dead_letter_queue'),
    };
    consumers[queue] = Object.fromEntries(Object.entries(settings).filter(([, v]) => v !== undefined));
  }
  return consumers;
}
