// What quitting the desktop app asks when RunPod pods are running (issue 15; docs/architecture.md,
// "RunPod: the idle watchdog"): keep them running (the on-pod watchdog stops each after N idle
// minutes), stop them, or cancel the quit. Plain functions over the studio's dispatch and a
// message-box function, so the decision is tested in Node (test/app/quit-prompt.test.ts);
// main.ts hands in Electron's dialog.
import type { SpendMeter } from '@shared/contract/runpod';
import type { Dispatch } from '../api/dispatch';

export type QuitChoice = 'keep' | 'stop' | 'cancel';

export interface MessageBox {
  type: 'question' | 'warning';
  title: string;
  message: string;
  detail: string;
  buttons: string[];
  defaultId: number;
  cancelId: number;
  noLink: true;
}

const usd = (n: number): string => `$${n.toFixed(2)}`;

/** The question to ask before quitting, or null when no RunPod pod is running. */
export function quitQuestion(spend: SpendMeter, idleMinutes: number): MessageBox | null {
  const running = spend.running;
  if (running.length === 0) return null;
  const perHour = running.reduce((sum, p) => sum + p.costPerHr, 0);
  const names = running.map((p) => `${p.name} (${usd(p.costPerHr)}/h)`).join(', ');
  const minutes = `${idleMinutes} idle minute${idleMinutes === 1 ? '' : 's'}`;
  return {
    type: 'question',
    title: 'RunPod pods are running',
    message: running.length === 1 ? `1 RunPod pod is running: ${usd(perHour)}/h.` : `${running.length} RunPod pods are running: ${usd(perHour)}/h together.`,
    detail:
      `${names}.\n\n` +
      `Keep running: the watchdog on each pod stops it after ${minutes} with no generation or training (a running training is never stopped), even with the studio closed.\n` +
      'Stop them: compute billing ends now; their volumes are kept (and still billed).',
    buttons: [`Keep running (the watchdog stops them after ${minutes})`, 'Stop them', 'Cancel'],
    defaultId: 0,
    cancelId: 2,
    noLink: true,
  };
}

export function choiceOf(response: number): QuitChoice {
  return response === 0 ? 'keep' : response === 1 ? 'stop' : 'cancel';
}

export interface QuitPromptDeps {
  dispatch: Dispatch;
  showMessageBox(box: MessageBox): Promise<{ response: number }>;
  warn(message: string, detail?: unknown): void;
}

/**
 * Asks (when pods run) and acts on the answer. 'quit': go on quitting; 'cancel': stay open.
 * When the studio cannot tell (no RunPod key, the API unreachable) it quits without asking:
 * the watchdogs on the pods still stop them.
 */
export async function confirmQuit(deps: QuitPromptDeps): Promise<'quit' | 'cancel'> {
  const spend = await deps.dispatch('runpod.spend', {});
  if (!spend.ok) {
    deps.warn(`quit: could not read the running pods (${spend.error.message}); quitting without asking`);
    return 'quit';
  }
  const meter = spend.data as SpendMeter;
  if (!meter.configured) return 'quit';
  const settings = await deps.dispatch('settings.get', {});
  const idleMinutes = settings.ok ? (settings.data as { runpodIdleStopMinutes: number }).runpodIdleStopMinutes : 15;
  const box = quitQuestion(meter, idleMinutes);
  if (box === null) return 'quit';
  const choice = choiceOf((await deps.showMessageBox(box)).response);
  if (choice !== 'stop') return choice === 'keep' ? 'quit' : 'cancel';
  const stopped = await deps.dispatch('runpod.stopAll', {});
  if (stopped.ok) return 'quit';
  deps.warn('quit: stopping the pods failed', stopped.error);
  const again = await deps.showMessageBox({
    type: 'warning',
    title: 'Could not stop the pods',
    message: 'The running pods could not be stopped.',
    detail: `${stopped.error.message}\n\nQuit anyway: the watchdog on each pod stops it after ${idleMinutes} idle minutes. Or cancel, and stop them from the Pods page.`,
    buttons: ['Quit anyway', 'Cancel'],
    defaultId: 1,
    cancelId: 1,
    noLink: true,
  });
  return again.response === 0 ? 'quit' : 'cancel';
}
