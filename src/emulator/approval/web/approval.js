import { html } from '@emulator/page-kit';

export default function ApprovalPage() {
  return html`<div>Approval</div>`;
}
