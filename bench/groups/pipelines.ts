import { runHandoff, type HandoffOutcome } from '../pipelines/handoff.js';
import { runPipeline, type PipelineOutcome } from '../pipelines/pipeline.js';
import { runTriggers, type TriggersOutcome } from '../pipelines/triggers.js';
import { runPart, type BenchGroup, type GroupOutcome } from './group.js';

/**
 * The `pipelines` group (bench/pipelines/*), on a 1-thread server:
 *
 * pipeline  three XSLT stages over a 20 KB document as one config pipeline (one worker task) against three
 *           sequential `POST /akara.xslt` calls from the client; outputs checked equal before timing.
 * handoff   the engine alone, in process: the same three stages with each result handed to the next stage
 *           as a tree against re-parsing its text, over 20 KB and 200 KB.
 * triggers  `POST /akara.echo` with no trigger, one sync before-invoke trigger, one async after-invoke
 *           trigger (the action a local service answering ''): the latency and CPU a trigger adds.
 */
async function run(parts: ReadonlySet<string>): Promise<GroupOutcome> {
  const started = performance.now();
  const chosen = (part: string) => parts.size === 0 || parts.has(part);
  const violations: string[] = [];
  let pipeline: PipelineOutcome | undefined;
  let handoff: HandoffOutcome | undefined;
  let triggers: TriggersOutcome | undefined;
  if (chosen('pipeline')) {
    pipeline = await runPart('pipeline', 'pipeline: three XSLT stages in one task vs three calls from the client', violations, runPipeline);
  }
  if (chosen('handoff')) {
    handoff = await runPart('handoff', `${pipeline ? '\n' : ''}handoff: each stage's result handed to the next as a tree vs its text re-parsed (engine alone)`, violations, runHandoff);
  }
  if (chosen('triggers')) {
    triggers = await runPart('triggers', `${pipeline || handoff ? '\n' : ''}triggers: POST /akara.echo with no trigger, a sync one, an async one`, violations, runTriggers);
  }
  const seconds = (performance.now() - started) / 1000;
  console.log(`\npipelines group: ${seconds.toFixed(0)} s`);
  return {
    result: {
      group: 'pipelines',
      seconds,
      ...(pipeline ? { pipeline: { derived: pipeline.derived, runs: pipeline.rows } } : {}),
      ...(handoff ? { handoff: { derived: handoff.derived, runs: handoff.rows } } : {}),
      ...(triggers ? { triggers: { derived: triggers.derived, deliveries: triggers.deliveries, runs: triggers.rows } } : {}),
    },
    violations,
  };
}

export const pipelinesGroup: BenchGroup = {
  name: 'pipelines',
  summary: 'three XSLT stages as one pipeline vs three calls; the tree hand-off between stages; the per-request cost of a sync and an async trigger',
  parts: ['pipeline', 'handoff', 'triggers'],
  run,
};
