import { useEffect, useRef, useState } from 'react';
import { ATTRIBUTES, columnFromId, type KeyCatalog } from '../../lib/columns.js';

const SHOWN_PER_SECTION = 200;

/** A popover listing every attribute, metric, param and tag as a checkbox; a typed id can be added too. */
export function ColumnPicker({
  catalog,
  selected,
  onToggle,
}: {
  catalog: KeyCatalog;
  selected: readonly string[];
  onToggle: (columnId: string, on: boolean) => void;
}) {
  const [open, setOpen] = useState(false);
  const [query, setQuery] = useState('');
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    const close = (e: MouseEvent) => {
      if (box.current && !box.current.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener('mousedown', close);
    return () => document.removeEventListener('mousedown', close);
  }, [open]);

  const q = query.trim().toLowerCase();
  const sections: [string, string[]][] = [
    ['Metrics', catalog.metrics.map((k) => `metrics.${k}`)],
    ['Params', catalog.params.map((k) => `params.${k}`)],
    ['Tags', catalog.tags.map((k) => `tags.${k}`)],
    ['Attributes', Object.keys(ATTRIBUTES).map((k) => `attributes.${k}`)],
  ];
  const typed = columnFromId(query.trim());
  const known = new Set(sections.flatMap(([, ids]) => ids));
  return (
    <div className="picker" ref={box}>
      <button type="button" onClick={() => setOpen(!open)} aria-expanded={open}>
        Columns ({selected.length})
      </button>
      {open && (
        <div className="popover" role="dialog" aria-label="Choose columns">
          <input
            type="search"
            placeholder="Find a metric, param or tag"
            value={query}
            // biome-ignore lint/a11y/noAutofocus: the popover exists to type into
            autoFocus
            onChange={(e) => setQuery(e.target.value)}
          />
          {typed && !known.has(typed.id) && (
            <button type="button" onClick={() => onToggle(typed.id, true)}>
              Add {typed.id}
            </button>
          )}
          <div className="popover-list">
            {sections.map(([title, ids]) => {
              const matching = ids.filter((id) => q === '' || id.toLowerCase().includes(q));
              if (matching.length === 0) return null;
              // A run with thousands of metrics must not freeze the popover: list a screenful, search the rest.
              const shown = matching.slice(0, SHOWN_PER_SECTION);
              return (
                <fieldset key={title}>
                  <legend>{title}</legend>
                  {shown.map((id) => {
                    const column = columnFromId(id);
                    return (
                      <label key={id} className="check">
                        <input
                          type="checkbox"
                          checked={selected.includes(id)}
                          onChange={(e) => onToggle(id, e.target.checked)}
                        />
                        <span>{column?.kind === 'attribute' ? column.label : column?.key}</span>
                      </label>
                    );
                  })}
                  {matching.length > shown.length && (
                    <div className="muted">{matching.length - shown.length} more: type to narrow</div>
                  )}
                </fieldset>
              );
            })}
          </div>
        </div>
      )}
    </div>
  );
}
