// Prompt templates ("styles"): named snippets with a {prompt} slot. The shipped ones come
// from configs/templates.yaml and are read-only; the user's own live in SQLite.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { z } from 'zod';
import type { PromptTemplate } from '@shared/contract';
import { StudioError } from '../core/studio-error';
import type { Db } from '../db/open-database';

const Shipped = z.array(z.object({ id: z.string().startsWith('builtin-'), name: z.string(), text: z.string().includes('{prompt}') }));

export function loadShippedTemplates(configsDir: string): PromptTemplate[] {
  const file = path.join(configsDir, 'templates.yaml');
  const parsed = Shipped.safeParse(YAML.parse(fs.readFileSync(file, 'utf8')));
  if (!parsed.success) throw new Error(`${file}: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  return parsed.data.map((t) => ({ ...t, builtin: true }));
}

const escapeRegExp = (t: string) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** True when `prompt` is already this template filled with one same prompt (applying it again would double it). */
export function isTemplateApplied(text: string, prompt: string): boolean {
  const parts = text.trim().split('{prompt}');
  if (parts.length < 2) return false;
  const m = new RegExp(`^${parts.map(escapeRegExp).join('([\\s\\S]+?)')}$`).exec(prompt.trim());
  if (!m) return false;
  const inner = m.slice(1).map((g) => g.trim());
  return inner[0] !== '' && inner.every((g) => g === inner[0]);
}

/**
 * Fills every {prompt} slot; with an empty prompt, tidies the separators left behind. Applying
 * a template to a prompt it already shaped gives that prompt back (applying is idempotent).
 */
export function applyTemplate(text: string, prompt: string): string {
  if (isTemplateApplied(text, prompt)) return prompt.trim();
  const filled = text.split('{prompt}').join(prompt.trim());
  if (prompt.trim() !== '') return filled.trim();
  return filled
    .replace(/\s+,/g, ',')
    .replace(/,(\s*,)+/g, ',')
    .replace(/^[\s,]+|[\s,]+$/g, '')
    .replace(/\s{2,}/g, ' ');
}

interface Row {
  id: string;
  name: string;
  text: string;
}

export class TemplatesService {
  constructor(
    private readonly db: Db,
    private readonly shipped: PromptTemplate[],
  ) {}

  list(): PromptTemplate[] {
    const own = this.db.prepare('SELECT id, name, text FROM prompt_templates ORDER BY name COLLATE NOCASE').all() as Row[];
    return [...this.shipped, ...own.map((r) => ({ ...r, builtin: false }))];
  }

  get(id: string): PromptTemplate {
    const found = this.list().find((t) => t.id === id);
    if (!found) throw new StudioError('not_found', `No template ${id}.`, 'id');
    return found;
  }

  save(input: { id?: string; name: string; text: string }): PromptTemplate {
    const name = input.name.trim();
    if (input.id !== undefined && this.shipped.some((t) => t.id === input.id)) {
      throw new StudioError('conflict', 'Shipped templates are read-only: save a copy under a new name.', 'id');
    }
    const clash = this.db.prepare('SELECT id FROM prompt_templates WHERE name = ? COLLATE NOCASE').get(name) as { id: string } | undefined;
    if ((clash && clash.id !== input.id) || this.shipped.some((t) => t.name.toLowerCase() === name.toLowerCase())) {
      throw new StudioError('conflict', `name: a template called “${name}” already exists`, 'name');
    }
    const now = new Date().toISOString();
    if (input.id === undefined) {
      const id = randomUUID();
      this.db.prepare('INSERT INTO prompt_templates (id, name, text, created_at, updated_at) VALUES (?, ?, ?, ?, ?)').run(id, name, input.text, now, now);
      return { id, name, text: input.text, builtin: false };
    }
    const changed = this.db.prepare('UPDATE prompt_templates SET name = ?, text = ?, updated_at = ? WHERE id = ?').run(name, input.text, now, input.id).changes;
    if (changed === 0) throw new StudioError('not_found', `No template ${input.id}.`, 'id');
    return { id: input.id, name, text: input.text, builtin: false };
  }

  delete(id: string): boolean {
    if (this.shipped.some((t) => t.id === id)) throw new StudioError('conflict', 'Shipped templates cannot be deleted.', 'id');
    const changed = this.db.prepare('DELETE FROM prompt_templates WHERE id = ?').run(id).changes;
    if (changed === 0) throw new StudioError('not_found', `No template ${id}.`, 'id');
    return true;
  }

  apply(id: string, prompt: string): string {
    return applyTemplate(this.get(id).text, prompt);
  }
}
