// Save a choice (switch, segmented control) the moment it is made; a failure shows as a toast.
import type { CallRequest } from '@shared/contract';
import { useSettings } from '../../stores/settings';
import { reportError } from '../../stores/toasts';

export function useSaveChoice(): (patch: CallRequest<'settings.update'>) => void {
  const update = useSettings((s) => s.update);
  return (patch) => {
    update(patch).catch(reportError);
  };
}
