// Settings → API keys: where the studio keeps them, and a row per key.
import { useEffect, type ReactElement } from 'react';
import { Section } from '../../components/Controls';
import { SecretRow } from './SecretRow';
import { useSecrets } from './secrets-store';

export function SecretsSection(): ReactElement {
  const overview = useSecrets((s) => s.overview);
  const load = useSecrets((s) => s.load);
  useEffect(() => {
    void load();
  }, [load]);
  const unavailable = overview?.unavailableReason != null;
  return (
    <Section
      title="API keys"
      testId="settings-secrets"
      description={
        overview ? (
          <>
            Kept by the studio in its {overview.backend}. Values never come back to this window — only whether each one is set.
          </>
        ) : (
          'Loading…'
        )
      }
    >
      {overview?.unavailableReason ? (
        <div className="callout is-warning" role="note" data-testid="secrets-unavailable">
          <div>
            <div className="callout-title">Secrets can’t be stored here</div>
            <p>{overview.unavailableReason}</p>
          </div>
        </div>
      ) : null}
      {overview?.secrets.map((s) => (
        <SecretRow key={s.name} secret={s} unavailable={unavailable} unavailableReason={overview.unavailableReason} />
      ))}
    </Section>
  );
}
