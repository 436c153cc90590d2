// `flux-studio pods create|start|stop|terminate|gpus|cost`: RunPod pods from the command line
// (docs/architecture.md, "RunPod"). The API key comes from the secret store or RUNPOD_API_KEY,
// never from a flag. POD is a RunPod pod's name or id, or the name of the profile linked to it.
import { createInterface } from 'node:readline/promises';
import { Option, type Command } from 'commander';
import type { GpuOffer, RunpodCreateRequest, RunpodPod, SpendMeter } from '@shared/contract/runpod';
import { CliError, callOrThrow, common, followJob, integer, print, withStudio, type Common } from '../cli-kit';
import type { Studio } from '../../studio';

const usd = (n: number, digits = 2) => `$${n.toFixed(digits)}`;

async function findPod(studio: Studio, ref: string): Promise<RunpodPod> {
  const pods = await callOrThrow(studio, 'runpod.pods', {});
  const lower = ref.toLowerCase();
  const profile = studio.pods.list().find((p) => p.name.toLowerCase() === lower && p.runpodId);
  const hit = pods.find((p) => p.id === ref) ?? pods.find((p) => p.name.toLowerCase() === lower) ?? (profile ? pods.find((p) => p.id === profile.runpodId) : undefined);
  if (!hit) throw new CliError(`No RunPod pod named “${ref}”. See \`flux-studio pods cost\` for the account's pods.`, 2);
  return hit;
}

function podLine(p: RunpodPod): string {
  const gpu = p.gpu ? `${p.gpu.count}× ${p.gpu.displayName}` : 'no GPU';
  const addr = p.ssh ? `  ssh ${p.ssh.host}:${p.ssh.port}` : '';
  return `${p.name.padEnd(20)} ${p.status.padEnd(12)} ${gpu}  ${usd(p.costPerHr)}/h + storage ${usd(p.storageCostPerHr, 3)}/h  session ${usd(p.sessionSpendUsd)}${addr}${p.createdByStudio ? '' : '  (made on the website)'}`;
}

function gpuLine(g: GpuOffer): string {
  const cloud = (price: number | null, stock: string | null) => (price === null ? '—' : `${usd(price)}/h ${stock ?? 'none free'}`);
  return `${g.id.padEnd(32)} ${String(g.memoryGb).padStart(3)} GB  secure ${cloud(g.securePrice, g.secureStock).padEnd(22)} community ${cloud(g.communityPrice, g.communityStock)}`;
}

function meterText(m: SpendMeter, pods: RunpodPod[]): string {
  if (!m.configured) return 'No RunPod API key: set one with `flux-studio secrets set runpod` or RUNPOD_API_KEY.';
  const lines = pods.map(podLine);
  lines.push(`now ${usd(m.ratePerHr, 3)}/h; this session ${usd(m.sessionUsd)}; this month ${usd(m.monthUsd)}`);
  if (m.budgetSessionUsd !== null || m.budgetMonthUsd !== null) {
    lines.push(`budget: session ${m.budgetSessionUsd === null ? 'none' : usd(m.budgetSessionUsd)}, month ${m.budgetMonthUsd === null ? 'none' : usd(m.budgetMonthUsd)}${m.capReached ? ` — ${m.capReached} cap REACHED` : ''}`);
  }
  return lines.join('\n');
}

async function ask(question: string): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return (await rl.question(question)).trim();
  } finally {
    rl.close();
  }
}

interface CreateFlags extends Common {
  gpu: string[];
  cloud: 'SECURE' | 'COMMUNITY';
  image?: string;
  disk: number;
  volumeGb?: number;
  networkVolume?: string;
  json?: boolean;
}

export function registerRunpodCommands(pods: Command): void {
  common(
    pods
      .command('create')
      .description('Rent a RunPod pod: registers the studio\'s SSH key, creates the pod (GPU types tried in order while one has no capacity), waits for SSH, pins the host key from the pod\'s log and adds a pod profile.')
      .argument('<name>', 'a name for the pod (and its profile)')
      .requiredOption('--gpu <type>', 'GPU type id, e.g. "NVIDIA GeForce RTX 4090" (repeatable: tried in order)', (v: string, acc: string[] = []) => [...acc, v])
      .addOption(new Option('--cloud <cloud>', 'secure or community cloud').choices(['SECURE', 'COMMUNITY']).default('SECURE'))
      .option('--image <image>', 'container image (default: the setting runpodImage)')
      .option('--disk <gb>', 'container disk in GB (wiped on stop)', integer('--disk', 10, 1000), 50)
      .option('--volume-gb <gb>', 'volume disk in GB at /workspace (kept on stop, destroyed on terminate; default 50)', integer('--volume-gb', 10, 4000))
      .option('--network-volume <id>', 'attach an existing network volume at /workspace instead')
      .option('--json', 'print JSON'),
  ).action((name: string, o: CreateFlags) =>
    withStudio(o, async (studio) => {
      if (o.volumeGb !== undefined && o.networkVolume) throw new CliError('give --volume-gb or --network-volume, not both', 2);
      const request: RunpodCreateRequest = {
        name,
        gpuTypeIds: o.gpu,
        cloud: o.cloud,
        image: o.image ?? null,
        containerDiskGb: o.disk,
        storage: o.networkVolume ? { kind: 'network', volumeId: o.networkVolume } : { kind: 'volume', sizeGb: o.volumeGb ?? 50 },
      };
      const job = await callOrThrow(studio, 'runpod.create', request);
      const done = await followJob(studio, job.id);
      if (done.state !== 'succeeded') throw new CliError(`create ${done.state}: ${done.error?.message ?? ''}`);
      const pod = await findPod(studio, name);
      print(pod, o.json, () => `${podLine(pod)}\n${done.result && (done.result as { hostKeyPinned?: boolean }).hostKeyPinned ? 'host key pinned from the pod\'s log' : `host key not confirmed by the pod's log: check it with \`flux-studio pods trust ${JSON.stringify(name)}\``}`);
    }),
  );

  common(pods.command('start').description('Start a stopped RunPod pod, wait for SSH and update its profile\'s address and host key.').argument('<pod>', 'pod name or id').option('--json', 'print JSON')).action(
    (ref: string, o: Common & { json?: boolean }) =>
      withStudio(o, async (studio) => {
        const pod = await findPod(studio, ref);
        const job = await callOrThrow(studio, 'runpod.start', { id: pod.id });
        const done = await followJob(studio, job.id);
        if (done.state !== 'succeeded') throw new CliError(`start ${done.state}: ${done.error?.message ?? ''}`);
        const now = await findPod(studio, pod.id);
        print(now, o.json, () => podLine(now));
      }),
  );

  common(pods.command('stop').description('Stop a RunPod pod (compute billing ends; its volume is kept and still billed).').argument('<pod>', 'pod name or id').option('--json', 'print JSON')).action(
    (ref: string, o: Common & { json?: boolean }) =>
      withStudio(o, async (studio) => {
        const pod = await findPod(studio, ref);
        const now = await callOrThrow(studio, 'runpod.stop', { id: pod.id });
        print(now, o.json, () => `stopped ${now.name}; its volume is kept (${usd(now.storageCostPerHr, 3)}/h while stopped)`);
      }),
  );

  common(
    pods
      .command('terminate')
      .description('Terminate a RunPod pod: irreversible, its volume is destroyed. Asks for the pod\'s name unless --yes.')
      .argument('<pod>', 'pod name or id')
      .option('--yes', 'do not ask (scripts)'),
  ).action((ref: string, o: Common & { yes?: boolean }) =>
    withStudio(o, async (studio) => {
      const pod = await findPod(studio, ref);
      let confirm = pod.name;
      if (!o.yes) {
        if (!process.stdin.isTTY) throw new CliError(`Terminating ${pod.name} destroys its volume. Run again with --yes to confirm.`, 2);
        confirm = await ask(`Terminate ${pod.name}? Its volume (${pod.volumeGb} GB) is destroyed and cannot be recovered. Type the pod's name to confirm: `);
      }
      await callOrThrow(studio, 'runpod.terminate', { id: pod.id, confirm });
      process.stdout.write(`terminated ${pod.name}; its volume is destroyed\n`);
    }),
  );

  common(pods.command('gpus').description('The GPU catalog for pods: price per hour and availability per cloud.').option('--json', 'print JSON')).action((o: Common & { json?: boolean }) =>
    withStudio(o, async (studio) => {
      const gpus = await callOrThrow(studio, 'runpod.gpus', {});
      print(gpus, o.json, () => gpus.map(gpuLine).join('\n'));
    }),
  );

  common(pods.command('cost').description('The account\'s pods with what they cost now, this session and this month.').option('--json', 'print JSON')).action((o: Common & { json?: boolean }) =>
    withStudio(o, async (studio) => {
      const meter0 = await callOrThrow(studio, 'runpod.spend', {});
      const list = meter0.configured ? await callOrThrow(studio, 'runpod.pods', {}) : [];
      const meter = meter0.configured ? await callOrThrow(studio, 'runpod.spend', {}) : meter0;
      print({ meter, pods: list }, o.json, () => meterText(meter, list));
    }),
  );
}
