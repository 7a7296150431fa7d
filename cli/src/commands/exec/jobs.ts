// `loopsy exec --list` / `loopsy exec --cancel <job>`: the daemon's running and recent exec jobs.
import { Option } from 'clipanion';
import { connectLocal, type RouterOutputs } from '@loopsy/client-sdk/node';
import { BaseCommand, CliError } from '../../base-command.js';

type JobInfo = RouterOutputs['exec']['jobs']['jobs'][number];

export class ExecJobsCommand extends BaseCommand {
  // The same path as `loopsy exec <command>`: Clipanion picks this one when no command is given.
  static override paths = [['exec']];
  static override usage = BaseCommand.Usage({
    description: 'List or cancel the jobs started by `loopsy exec`',
    examples: [
      ['List running and recent jobs', '$0 exec --list'],
      ['Cancel a job', '$0 exec --cancel 3f2a9c01b7de'],
    ],
  });

  list = Option.Boolean('--list', false, { description: 'List running and recent jobs' });
  cancel = Option.String('--cancel', { description: 'Cancel the job with this id' });
  peer = Option.String('--peer', { description: 'Ask this peer (default: this machine)' });

  protected async run(): Promise<number> {
    if (!this.list && this.cancel === undefined) {
      throw new CliError(
        'Name a command to run (`loopsy exec -- ls -la`), or use --list or --cancel <job>.',
        2,
      );
    }
    const peer = this.peer !== undefined ? { peer: this.peer } : {};
    const client = connectLocal({ home: this.home });
    try {
      if (this.cancel !== undefined) {
        const jobId = this.cancel;
        const result = await client.exec.cancel.mutate({ jobId, ...peer });
        this.output(
          result,
          result.cancelled ? `Cancelled job ${jobId}.` : `Job ${jobId} had already ended.`,
        );
        return 0;
      }
      const { jobs } = await client.exec.jobs.query(peer);
      this.output({ jobs }, () => (jobs.length === 0 ? 'No jobs.' : jobs.map(describe).join('\n')));
      return 0;
    } finally {
      await client.close();
    }
  }
}

function describe(job: JobInfo): string {
  const status =
    job.state === 'running'
      ? `running (pid ${job.pid ?? '?'})`
      : job.signal
        ? `killed by ${job.signal}`
        : `exited ${job.exitCode ?? '?'}`;
  const line = [job.command, ...job.args].join(' ');
  const shown = line.length > 80 ? `${line.slice(0, 79)}…` : line;
  return `${job.jobId}  ${status.padEnd(20)}  ${job.startedAt}  ${shown}`;
}
