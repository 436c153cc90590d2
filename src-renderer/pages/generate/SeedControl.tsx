// The seed: typed, rolled with the dice, or random each time; the lock keeps it for the next images.
import { useState, type ReactElement } from 'react';
import { MAX_SEED } from '@shared/contract';
import { DiceIcon, LockIcon, UnlockIcon } from '../../components/Icons';
import { parseWhole, randomSeed, useDraft } from '../../stores/draft';

export function SeedControl(): ReactElement {
  const seed = useDraft((s) => s.seed);
  const locked = useDraft((s) => s.seedLocked);
  const set = useDraft((s) => s.set);
  // What is being typed, while it is not (yet) a valid seed.
  const [typing, setTyping] = useState<string | null>(null);
  const shown = typing ?? (locked && seed !== null ? String(seed) : '');
  const parsed = typing === null ? null : parseWhole(typing);
  const error = typing !== null && typing.trim() !== '' && (parsed === null || parsed > MAX_SEED) ? `Enter a whole number from 0 to ${MAX_SEED}` : null;

  const onType = (text: string) => {
    const n = parseWhole(text);
    if (text.trim() === '') {
      setTyping(null);
      set({ seedLocked: false });
    } else if (n !== null && n <= MAX_SEED) {
      setTyping(null);
      set({ seed: n, seedLocked: true });
    } else {
      setTyping(text);
    }
  };

  const toggleLock = () => {
    if (locked) {
      set({ seedLocked: false });
      return;
    }
    // A fixed seed to keep: the one last set here, else a new one (a random seed is shown as
    // "random", never as a number that would not be used).
    const keep = seed ?? randomSeed();
    setTyping(null);
    set({ seed: keep, seedLocked: true });
  };

  return (
    <div className="seed-control">
      <div className="seed-inputs">
        <input
          className={error ? 'input mono seed-input has-error' : 'input mono seed-input'}
          inputMode="numeric"
          autoComplete="off"
          spellCheck={false}
          placeholder="random"
          value={shown}
          aria-labelledby="preset-seed-label"
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? 'seed-error' : 'preset-seed-label-note'}
          onChange={(e) => onType(e.target.value)}
          onBlur={() => {
            if (error) setTyping(null);
          }}
          data-testid="seed-input"
        />
        <button
          type="button"
          className="btn icon-only"
          title="Roll a new random seed and keep it"
          aria-label="Roll a new random seed"
          onClick={() => {
            setTyping(null);
            set({ seed: randomSeed(), seedLocked: true });
          }}
          data-testid="seed-dice"
        >
          <DiceIcon />
        </button>
        <button
          type="button"
          className={locked ? 'btn icon-only is-on' : 'btn icon-only'}
          aria-pressed={locked}
          aria-label="Lock the seed"
          title={locked ? 'Locked: keeps this seed for the next images. Click for a random seed each time.' : 'Random each time. Click to keep one seed for the next images.'}
          onClick={toggleLock}
          data-testid="seed-lock"
        >
          {locked ? <LockIcon /> : <UnlockIcon />}
        </button>
      </div>
      {error ? (
        <p id="seed-error" className="field-error" role="alert" data-testid="seed-error">
          {error}
        </p>
      ) : null}
    </div>
  );
}
