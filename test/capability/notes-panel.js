// The throwaway "notes" capability's console page (test/capability/contract.test.ts).
import { html } from '@console/kit';

export default function NotesPanel({ data, act }) {
  return html`<div data-testid="notes-panel">
    <ul>${data.notes.map((n) => html`<li>${n.author}: ${n.text}</li>`)}</ul>
    <button class="btn" onClick=${() => act('clear')}>Clear</button>
  </div>`;
}
