// `flux-studio pods add|update|list|remove|trust|prepare|status|import`: pod profiles from the
// command line. `pods add NAME --from-ssh "ssh root@1.2.3.4 -p 12345 -i ~/.ssh/id_ed25519"`
// pastes RunPod's command; `pods trust NAME --fingerprint SHA256:…` pins the host key after
// the user checked it (never silently).
import path from 'node:path';
import { Option, type Command } from 'commander';
import type { PodDraft, PodProfile, PodStatus } from '@shared/contract';
import { CliError, callOrThrow, common, followJob, print, withStudio, type Common } from '../cli-kit';
import type { Studio } from '../../studio';
import { readSshConfigHosts } from '../../pods/ssh-config-import';

interface ProfileFlags extends Common {
  fromSsh?: string;
  host?: string;
  port?: string;
  user?: string;
  key?: string;
  agent?: boolean;
  workspace?: string;
  python?: string;
  pipeline?: 'diffusers' | 'standin';
  modelPath?: string[];
  timeout?: string;
  json?: boolean;
}

function profileOptions(cmd: Command): Command {
  return cmd
    .option('--from-ssh <command>', 'paste the pod\'s SSH command, e.g. "ssh root@1.2.3.4 -p 12345 -i ~/.ssh/id_ed25519"')
    .option('--host <host>', 'host name or IP')
    .option('--port <n>', 'SSH port')
    .option('--user <name>', 'user (default root)')
    .option('--key <file>', 'private key file (OpenSSH format)')
    .option('--agent', 'use the SSH agent instead of a key file')
    .option('--workspace <dir>', 'workspace on the pod (default /workspace)')
    .option('--python <path>', 'python of the pod venv (default <workspace>/.venv/bin/python)')
    .addOption(new Option('--pipeline <kind>', 'worker pipeline (standin: fast stand-in for tests)').choices(['diffusers', 'standin']))
    .option('--model-path <model=path>', 'model folder or hub id on the pod, e.g. flux-dev=/workspace/models/flux-dev (repeatable)', (v: string, acc: string[] = []) => [...acc, v])
    .option('--timeout <s>', 'connect timeout in seconds (default 10)')
    .option('--json', 'print JSON');
}

async function draftFrom(studio: Studio, name: string, o: ProfileFlags, base: PodProfile | null): Promise<PodDraft> {
  const draft: PodDraft = { name, host: base?.host ?? '' };
  if (o.fromSsh) {
    const parsed = await callOrThrow(studio, 'pods.parseCommand', { command: o.fromSsh });
    for (const w of parsed.warnings) process.stderr.write(`warning: ${w}\n`);
    Object.assign(draft, { host: parsed.host, port: parsed.port, user: parsed.user });
    if (parsed.keyPath) draft.keyPath = parsed.keyPath;
  }
  if (o.host) draft.host = o.host;
  if (o.port !== undefined) draft.port = Number(o.port);
  if (o.user) draft.user = o.user;
  if (o.key) draft.keyPath = path.resolve(o.key);
  if (o.agent) draft.keyPath = null;
  if (o.workspace) draft.workspace = o.workspace;
  if (o.python) draft.python = o.python;
  if (o.pipeline) draft.pipeline = o.pipeline;
  if (o.timeout !== undefined) draft.connectTimeoutSec = Number(o.timeout);
  if (o.modelPath?.length) {
    const paths: NonNullable<PodDraft['modelPaths']> = {};
    for (const mp of o.modelPath) {
      const m = /^(flux-dev|flux-schnell)=(.+)$/.exec(mp);
      if (!m) throw new CliError(`--model-path: expected flux-dev=PATH or flux-schnell=PATH, got “${mp}”`, 2);
      paths[m[1] as 'flux-dev' | 'flux-schnell'] = m[2] as string;
    }
    draft.modelPaths = paths;
  }
  if (!draft.host) throw new CliError('give --from-ssh "ssh user@host -p PORT -i KEY" or --host', 2);
  return draft;
}

function podLine(p: PodProfile): string {
  const key = p.hostKey ? `key ${p.hostKey.fingerprint}` : 'host key NOT trusted yet';
  return `${p.name.padEnd(20)} ${p.user}@${p.host}:${p.port}  ${p.workspace}  ${key}`;
}

function statusLine(s: PodStatus, name: string): string {
  const gpu = s.gpus.map((g) => `${g.name} ${Math.round(g.memoryUsedMiB)}/${Math.round(g.memoryTotalMiB)} MiB`).join(', ') || s.gpuNote || '';
  return `${name}: ${s.state}${s.error ? ` — ${s.error.message}` : ''}${gpu ? `\n  GPU: ${gpu}` : ''}`;
}

async function scanAndAdvise(studio: Studio, pod: PodProfile): Promise<void> {
  const scan = await studio.dispatch('pods.scanHostKey', { id: pod.id });
  if (!scan.ok) {
    process.stderr.write(`Could not read the host key yet: ${scan.error.message}\n`);
    return;
  }
  const s = scan.data as { fingerprint: string; keyType: string; verdict: string };
  if (s.verdict === 'match') return;
  process.stderr.write(
    `${s.verdict === 'changed' ? 'WARNING: the host key CHANGED. ' : ''}${pod.name} presents the ${s.keyType} host key\n  ${s.fingerprint}\n` +
      `Check it (RunPod prints it in the pod's log), then run:\n  flux-studio pods trust ${JSON.stringify(pod.name)} --fingerprint ${s.fingerprint}\n`,
  );
}

export function registerPodsCommand(program: Command): Command {
  const pods = program.command('pods').description('Remote GPU pods (SSH): profiles, host keys, preparation, status; RunPod pods: create, start, stop, terminate, gpus, cost.');

  common(profileOptions(pods.command('add').description('Add a pod profile (paste its SSH command with --from-ssh).').argument('<name>', 'a name for the pod'))).action(
    (name: string, o: ProfileFlags) =>
      withStudio(o, async (studio) => {
        if (studio.pods.list().some((p) => p.name.toLowerCase() === name.toLowerCase())) throw new CliError(`A pod named “${name}” exists; use \`pods update\`.`, 2);
        const pod = await callOrThrow(studio, 'pods.save', await draftFrom(studio, name, o, null));
        print(pod, o.json, () => podLine(pod));
        if (!o.json) await scanAndAdvise(studio, pod);
      }),
  );

  common(profileOptions(pods.command('update').description('Change a pod profile (e.g. paste the new SSH command after a restart).').argument('<name>', 'pod name'))).action(
    (name: string, o: ProfileFlags) =>
      withStudio(o, async (studio) => {
        const cur = studio.pods.find(name);
        const pod = await callOrThrow(studio, 'pods.save', { ...(await draftFrom(studio, cur.name, o, cur)), id: cur.id });
        print(pod, o.json, () => podLine(pod));
        if (!o.json) await scanAndAdvise(studio, pod);
      }),
  );

  common(pods.command('list').description('List pod profiles.').option('--json', 'print JSON')).action((o: Common & { json?: boolean }) =>
    withStudio(o, async (studio) => {
      const list = await callOrThrow(studio, 'pods.list', {});
      print(list, o.json, () => (list.length === 0 ? 'no pods (add one with `flux-studio pods add NAME --from-ssh "ssh root@IP -p PORT -i KEY"`)' : list.map(podLine).join('\n')));
    }),
  );

  common(pods.command('remove').description('Delete a pod profile (and its stored passphrase).').argument('<name>', 'pod name')).action((name: string, o: Common) =>
    withStudio(o, async (studio) => {
      const pod = studio.pods.find(name);
      await callOrThrow(studio, 'pods.remove', { id: pod.id });
      process.stdout.write(`removed ${pod.name}\n`);
    }),
  );

  common(
    pods
      .command('trust')
      .description('Pin the host key the pod presents now. Without --fingerprint it only shows the key.')
      .argument('<name>', 'pod name')
      .option('--fingerprint <SHA256:…>', 'the fingerprint you checked; pinned only if the pod presents exactly this'),
  ).action((name: string, o: Common & { fingerprint?: string }) =>
    withStudio(o, async (studio) => {
      const pod = studio.pods.find(name);
      if (!o.fingerprint) {
        const scan = await callOrThrow(studio, 'pods.scanHostKey', { id: pod.id });
        process.stdout.write(`${pod.name} presents ${scan.keyType} ${scan.fingerprint} (${scan.verdict === 'new' ? 'not trusted yet' : scan.verdict === 'match' ? 'trusted' : 'CHANGED from ' + scan.pinned})\n`);
        if (scan.verdict !== 'match') throw new CliError(`Nothing was trusted. After checking it, run: flux-studio pods trust ${JSON.stringify(pod.name)} --fingerprint ${scan.fingerprint}`, 3);
        return;
      }
      const saved = await callOrThrow(studio, 'pods.trust', { id: pod.id, fingerprint: o.fingerprint });
      process.stdout.write(`trusted ${saved.hostKey?.keyType ?? ''} ${saved.hostKey?.fingerprint ?? ''} for ${saved.name}\n`);
    }),
  );

  common(pods.command('status').description('Connect and show GPU name and VRAM (nvidia-smi).').argument('<name>', 'pod name').option('--json', 'print JSON')).action(
    (name: string, o: Common & { json?: boolean }) =>
      withStudio(o, async (studio) => {
        const pod = studio.pods.find(name);
        const s = await callOrThrow(studio, 'pods.connect', { id: pod.id });
        print(s, o.json, () => statusLine(s, pod.name));
        if (s.state !== 'connected') process.exitCode = 1;
      }),
  );

  common(
    pods
      .command('prepare')
      .description('Upload the worker, create the venv, install pinned packages and download the model (idempotent). The HF token is read from the secret store or HF_TOKEN.')
      .argument('<name>', 'pod name')
      .addOption(new Option('--model <id>', 'model to download').choices(['flux-dev', 'flux-schnell', 'none']).default('flux-dev')),
  ).action((name: string, o: Common & { model: 'flux-dev' | 'flux-schnell' | 'none' }) =>
    withStudio(o, async (studio) => {
      const pod = studio.pods.find(name);
      const job = await callOrThrow(studio, 'pods.prepare', { id: pod.id, model: o.model });
      const done = await followJob(studio, job.id);
      if (done.state !== 'succeeded') throw new CliError(`prepare ${done.state}: ${done.error?.message ?? ''}`);
      process.stdout.write(`${pod.name} is prepared\n`);
    }),
  );

  common(
    pods
      .command('import')
      .description('Import hosts from ~/.ssh/config as pods (all, or the aliases named).')
      .argument('[aliases...]', 'Host aliases to import')
      .option('--config <file>', 'another ssh config file'),
  ).action((aliases: string[], o: Common & { config?: string }) =>
    withStudio(o, async (studio) => {
      const hosts = readSshConfigHosts(o.config ? path.resolve(o.config) : undefined);
      const chosen = aliases.length ? hosts.filter((h) => aliases.includes(h.alias)) : hosts;
      if (chosen.length === 0) throw new CliError('no matching Host entries in the ssh config', 1);
      for (const h of chosen) {
        const existing = studio.pods.list().find((p) => p.name.toLowerCase() === h.alias.toLowerCase());
        const pod = await callOrThrow(studio, 'pods.save', { ...(existing ? { id: existing.id } : {}), name: h.alias, host: h.host, port: h.port, user: h.user, keyPath: h.keyPath });
        process.stdout.write(`${existing ? 'updated' : 'imported'} ${podLine(pod)}\n`);
      }
    }),
  );
  return pods;
}
