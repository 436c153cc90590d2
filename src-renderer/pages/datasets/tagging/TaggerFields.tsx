// The local tagger's settings in the auto-caption dialog: the WD14 folder, the general and
// character thresholds, rating / underscores / MCut, and the tags never to write.
import type { ReactElement } from 'react';
import { Switch } from '../../../components/Controls';
import { useAppInfo } from '../../../stores/app-info';
import { reportError } from '../../../stores/toasts';
import { studio } from '../../../transport/client';
import type { TaggingSetup } from './use-tagging-setup';

export function TaggerFields(props: { setup: TaggingSetup; ids: string }): ReactElement {
  const { ids } = props;
  const { taggerDir, setTaggerDir, general, setGeneral, character, setCharacter, includeRating, setIncludeRating, underscores, setUnderscores, mcut, setMcut, blacklist, setBlacklist } =
    props.setup;
  const info = useAppInfo((s) => s.info);

  const pickFolder = async () => {
    try {
      const r = await studio.app.pickFolder({ title: 'Choose a WD14 tagger folder (model.onnx + selected_tags.csv)' });
      if (r.path) setTaggerDir(r.path);
    } catch (err) {
      reportError(err);
    }
  };

  return (
    <>
      <div className="dialog-field">
        <label className="field-label" htmlFor={`${ids}-dir`}>
          Tagger folder
        </label>
        <div className="input-group">
          <input
            id={`${ids}-dir`}
            className="input mono"
            value={taggerDir}
            placeholder="/models/wd-swinv2-tagger-v3"
            onChange={(e) => setTaggerDir(e.target.value)}
            data-testid="tagging-tagger-dir"
            spellCheck={false}
          />
          {info?.canPickFolders ? (
            <button type="button" className="btn" onClick={() => void pickFolder()}>
              Choose…
            </button>
          ) : null}
        </div>
        <p className="field-hint muted small">A WD14 / wd-v3 tagger: a folder with model.onnx and selected_tags.csv (e.g. SmilingWolf/wd-swinv2-tagger-v3).</p>
      </div>
      <div style={{ display: 'flex', gap: 16, flexWrap: 'wrap' }}>
        <div className="dialog-field">
          <label className="field-label" htmlFor={`${ids}-general`}>
            General threshold
          </label>
          <input id={`${ids}-general`} className="input input-sm" type="number" min={0} max={1} step={0.01} value={general} onChange={(e) => setGeneral(e.target.value)} data-testid="tagging-general" />
        </div>
        <div className="dialog-field">
          <label className="field-label" htmlFor={`${ids}-character`}>
            Character threshold
          </label>
          <input id={`${ids}-character`} className="input input-sm" type="number" min={0} max={1} step={0.01} value={character} onChange={(e) => setCharacter(e.target.value)} data-testid="tagging-character" />
        </div>
      </div>
      <div style={{ display: 'flex', gap: 24, flexWrap: 'wrap', alignItems: 'center' }}>
        <label style={{ display: 'inline-flex', gap: 8, alignItems: 'center' }}>
          <Switch checked={includeRating} onChange={setIncludeRating} label="Add the rating tag" testId="tagging-rating" /> Add the rating tag
        </label>
        <label style={{ display: 'inline-flex', gap: 8, alignItems: 'center' }}>
          <Switch checked={underscores} onChange={setUnderscores} label="Underscores to spaces" testId="tagging-underscores" /> Underscores to spaces
        </label>
        <label style={{ display: 'inline-flex', gap: 8, alignItems: 'center' }} title="Per image, cut at the largest gap between tag probabilities instead of the thresholds">
          <Switch checked={mcut} onChange={setMcut} label="MCut thresholds" testId="tagging-mcut" /> MCut (per-image thresholds)
        </label>
      </div>
      <div className="dialog-field">
        <label className="field-label" htmlFor={`${ids}-blacklist`}>
          Never write these tags
        </label>
        <input id={`${ids}-blacklist`} className="input" value={blacklist} placeholder="simple background, watermark" onChange={(e) => setBlacklist(e.target.value)} data-testid="tagging-blacklist" />
      </div>
    </>
  );
}
