// The auto-caption form: the captioner (local tagger or Claude) and its settings, the mode,
// "only the selection", seeded from the tagging defaults; the request it makes (or what is
// missing), the Claude cost estimate for it (debounced), and the dataset's earlier runs.
import { useEffect, useMemo, useState } from 'react';
import type { CostEstimate, TaggingDefaults, TaggingMode, TaggingRequest, TaggingRun } from '@shared/contract/tagging';
import { reportError } from '../../../stores/toasts';
import { errorMessage, studio } from '../../../transport/client';
import type { Phase } from './use-tagging-run';

export type SourceKind = 'tagger' | 'claude';

export function useTaggingSetup(dataset: string, selection: readonly string[], phase: Phase) {
  const [defaults, setDefaults] = useState<TaggingDefaults | null>(null);
  const [kind, setKind] = useState<SourceKind>('tagger');
  const [mode, setMode] = useState<TaggingMode>('fill');
  const [onlySelection, setOnlySelection] = useState(selection.length > 0);
  const [trigger, setTrigger] = useState('');
  const [taggerDir, setTaggerDir] = useState('');
  const [general, setGeneral] = useState('0.35');
  const [character, setCharacter] = useState('0.85');
  const [includeRating, setIncludeRating] = useState(false);
  const [underscores, setUnderscores] = useState(true);
  const [mcut, setMcut] = useState(false);
  const [blacklist, setBlacklist] = useState('');
  const [instruction, setInstruction] = useState('');
  const [model, setModel] = useState('');
  const [estimate, setEstimate] = useState<CostEstimate | null>(null);
  const [estimateError, setEstimateError] = useState<string | null>(null);
  const [confirmed, setConfirmed] = useState(false);
  const [runs, setRuns] = useState<TaggingRun[]>([]);

  useEffect(() => {
    studio.datasets.get({ name: dataset }).then(
      (d) => setTrigger(d.trigger),
      () => undefined,
    );
  }, [dataset]);

  useEffect(() => {
    studio.tagging.runs({ dataset, limit: 5 }).then(setRuns, () => undefined);
  }, [dataset]);

  useEffect(() => {
    studio.tagging.defaults().then(
      (d) => {
        setDefaults(d);
        setGeneral(String(d.tagger.generalThreshold));
        setCharacter(String(d.tagger.characterThreshold));
        setIncludeRating(d.tagger.includeRating);
        setUnderscores(d.tagger.underscoresToSpaces);
        setInstruction(d.claude.instruction);
        setModel(d.claude.model);
      },
      (err: unknown) => reportError(err),
    );
  }, []);

  const request = useMemo((): TaggingRequest | string => {
    const files = onlySelection && selection.length > 0 ? { files: [...selection] } : {};
    if (kind === 'tagger') {
      const g = Number(general);
      const c = Number(character);
      if (taggerDir.trim() === '') return 'Choose the tagger folder (model.onnx + selected_tags.csv).';
      if (!(g >= 0 && g <= 1) || general.trim() === '') return 'The general threshold must be a number from 0 to 1.';
      if (!(c >= 0 && c <= 1) || character.trim() === '') return 'The character threshold must be a number from 0 to 1.';
      return {
        dataset: dataset,
        mode,
        ...files,
        source: {
          kind: 'tagger',
          dir: taggerDir.trim(),
          generalThreshold: g,
          characterThreshold: c,
          includeRating,
          underscoresToSpaces: underscores,
          blacklist: blacklist.split(',').map((t) => t.trim()).filter((t) => t !== ''),
          maxTags: null,
          mcut,
        },
      };
    }
    if (instruction.trim() === '') return 'Write an instruction for Claude.';
    return { dataset: dataset, mode, ...files, source: { kind: 'claude', instruction: instruction.trim(), ...(model.trim() ? { model: model.trim() } : {}) } };
  }, [kind, mode, onlySelection, selection, dataset, taggerDir, general, character, includeRating, underscores, mcut, blacklist, instruction, model]);

  // The cost estimate follows the Claude settings (debounced); a changed request needs the cost accepted again.
  useEffect(() => {
    // eslint-disable-next-line react-hooks/set-state-in-effect -- reset with the request it confirmed, as before this hook was split out
    setConfirmed(false);
    if (kind !== 'claude' || typeof request === 'string' || phase !== 'setup') {
      setEstimate(null);
      return;
    }
    let live = true;
    const t = setTimeout(() => {
      studio.tagging.estimate(request).then(
        (e) => {
          if (!live) return;
          setEstimate(e);
          setEstimateError(null);
        },
        (err: unknown) => {
          if (!live) return;
          setEstimate(null);
          setEstimateError(errorMessage(err));
        },
      );
    }, 300);
    return () => {
      live = false;
      clearTimeout(t);
    };
  }, [kind, request, phase]);

  const invalid = typeof request === 'string' ? request : null;
  const needsConfirm = kind === 'claude' && estimate !== null && estimate.needsConfirmation;

  return {
    defaults,
    kind,
    setKind,
    mode,
    setMode,
    onlySelection,
    setOnlySelection,
    trigger,
    taggerDir,
    setTaggerDir,
    general,
    setGeneral,
    character,
    setCharacter,
    includeRating,
    setIncludeRating,
    underscores,
    setUnderscores,
    mcut,
    setMcut,
    blacklist,
    setBlacklist,
    instruction,
    setInstruction,
    model,
    setModel,
    estimate,
    estimateError,
    confirmed,
    setConfirmed,
    runs,
    request,
    invalid,
    needsConfirm,
  };
}

export type TaggingSetup = ReturnType<typeof useTaggingSetup>;
