// Handlers for the pods capability (src-shared/contract/pods.ts).
import type { podCalls } from '@shared/contract/pods';
import type { HandlersFor } from '../api/handlers-type';
import { StudioError } from '../core/studio-error';
import type { PodsService } from './pods-service';
import { readSshConfigHosts } from './ssh-config-import';

export function podHandlers(pods: PodsService) {
  return {
    'pods.list': () => pods.list(),
    'pods.save': (draft) => pods.save(draft),
    'pods.remove': async ({ id }) => ({ removed: await pods.remove(id) }),
    'pods.parseCommand': ({ command }) => pods.parseCommand(command),
    'pods.sshConfigHosts': ({ path }) => {
      try {
        return readSshConfigHosts(path);
      } catch (err) {
        throw new StudioError('invalid_input', `pods.sshConfigHosts: path: cannot read the SSH config (${(err as Error).message})`, 'path');
      }
    },
    'pods.setPassphrase': ({ id, passphrase }) => pods.setPassphrase(id, passphrase),
    'pods.scanHostKey': ({ id }) => pods.scanHostKey(id),
    'pods.trust': ({ id, fingerprint }) => pods.trust(id, fingerprint),
    'pods.connect': ({ id }) => pods.connect(id),
    'pods.disconnect': ({ id }) => pods.disconnect(id),
    'pods.status': () => pods.status(),
    'pods.prepare': ({ id, model }) => pods.prepare(id, model ?? 'none'),
  } satisfies HandlersFor<keyof typeof podCalls>;
}
